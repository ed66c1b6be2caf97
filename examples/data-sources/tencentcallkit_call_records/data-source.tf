# The records API reaches back 7 days. lookback counts back from each read,
# so the window moves with every plan; start_timestamp fixes it instead.

# Every page of the last day's missed 1:1 calls.
data "tencentcallkit_call_records" "missed" {
  lookback    = "24h"
  call_type   = "single"
  call_result = "not_answer"
}

# Only the second page of 50 records of the week, from the v4 API (calls of the current client).
data "tencentcallkit_call_records" "page_two" {
  lookback        = "7d"
  number_per_page = 50
  page            = 2
  api_version     = "v4"
}

# A fixed window, in Unix seconds (not milliseconds): here the hour before the
# last missed call ended, taken from the lookup above. Fixed windows usually
# come from such a value, or from a pipeline variable (date +%s).
locals {
  missed          = data.tencentcallkit_call_records.missed.records
  last_missed_end = local.missed[length(local.missed) - 1].end_ts
}

data "tencentcallkit_call_records" "before_last_missed" {
  start_timestamp = local.last_missed_end - 3600
  end_timestamp   = local.last_missed_end
}

output "missed_call_count" {
  value = data.tencentcallkit_call_records.missed.total_num
}

output "users_with_missed_calls" {
  value = distinct(flatten(data.tencentcallkit_call_records.missed.records[*].callees))
}

output "page_two_call_ids" {
  value = data.tencentcallkit_call_records.page_two.records[*].call_id
}

output "calls_in_the_hour_before_the_last_missed_call" {
  value = data.tencentcallkit_call_records.before_last_missed.total_num
}

# A big list that stays inside Terraform: one JSON string instead of a list of
# objects, many times cheaper for Terraform to hold (see "Which form to use").
data "tencentcallkit_call_records" "week_json" {
  lookback       = "7d"
  records_format = "json"
}

output "week_call_count" {
  value = data.tencentcallkit_call_records.week_json.total_num
}
