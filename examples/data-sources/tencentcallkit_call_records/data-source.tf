# The records API reaches back 7 days. Pass the window in, for example:
#   terraform apply -var="since=$(date -d '1 day ago' +%s)"
variable "since" {
  type        = number
  description = "Start of the window, in Unix seconds (at most 7 days ago)."
}

# Every page of yesterday's missed 1:1 calls.
data "tencentcallkit_call_records" "missed" {
  start_timestamp = var.since
  end_timestamp   = var.since + 86400
  call_type       = "single"
  call_result     = "not_answer"
}

# Only the second page of 50 records, from the v4 API (calls of the current client).
data "tencentcallkit_call_records" "page_two" {
  start_timestamp = var.since
  number_per_page = 50
  page            = 2
  api_version     = "v4"
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
