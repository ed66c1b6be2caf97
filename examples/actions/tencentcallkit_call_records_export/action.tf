# Export the last day's calls to a file, by hand or from a scheduled pipeline:
#
#   terraform apply -invoke=action.tencentcallkit_call_records_export.last_day
#
# The records go straight from the API to the file, page by page: none of
# them passes through Terraform's state or plan, so a million records cost
# the time the API takes and little memory.
action "tencentcallkit_call_records_export" "last_day" {
  config {
    lookback  = "24h"
    path      = "exports/calls-last-day.jsonl" # relative to the working directory; exports/ must exist
    overwrite = true
  }
}

# The week's group calls from the v4 API, as CSV for a spreadsheet.
action "tencentcallkit_call_records_export" "group_calls_csv" {
  config {
    lookback    = "7d"
    call_type   = "group"
    api_version = "v4"
    format      = "csv"
    path        = "exports/group-calls.csv"
    overwrite   = true
  }
}

# An archive beyond the API's 7 days: the two last whole UTC days, one gzip
# object per day (tuicallkit/calls/date=YYYY-MM-DD/calls.jsonl.gz), run daily.
# Credentials come from the AWS SDK's default chain (AWS_ACCESS_KEY_ID, ...).
# For Tencent COS add endpoint = "https://cos.ap-guangzhou.myqcloud.com".
action "tencentcallkit_call_records_export" "archive" {
  config {
    lookback    = "72h"
    partition   = "day"
    compression = "gzip"
    overwrite   = true
    s3 = {
      bucket = "callkit-archive"
      key    = "tuicallkit/calls"
      region = "eu-central-1"
    }
  }
}
