# A call ID comes from a callback delivery (CallId), your app's own logs, or a
# tencentcallkit_call_records lookup, as here: the most recent missed 1:1 call
# of the week (records come oldest first; a week without one is an error).
data "tencentcallkit_call_records" "missed" {
  lookback    = "7d"
  call_type   = "single"
  call_result = "not_answer"
}

locals {
  missed = data.tencentcallkit_call_records.missed.records
}

# A call placed with the older TUICallKit.call() / groupCall() client APIs: the v1 records API.
data "tencentcallkit_call_record" "last_missed" {
  call_id = local.missed[length(local.missed) - 1].call_id
}

# A call placed with the current TUICallKit client: the v4 records API. Its ID
# comes from a v4 lookup (each API generation answers for its own calls).
data "tencentcallkit_call_records" "group_calls" {
  lookback        = "7d"
  call_type       = "group"
  api_version     = "v4"
  number_per_page = 1
  page            = 1
}

data "tencentcallkit_call_record" "team_call" {
  call_id     = data.tencentcallkit_call_records.group_calls.records[0].call_id
  api_version = "v4"
}

locals {
  last_missed = data.tencentcallkit_call_record.last_missed
}

output "last_missed_call_summary" {
  value = {
    caller  = local.last_missed.caller
    callees = local.last_missed.callees
    media   = local.last_missed.media_type
    result  = local.last_missed.call_result
    # accept_ts is 0 for a call that never connected.
    connected_seconds = local.last_missed.accept_ts == 0 ? 0 : local.last_missed.end_ts - local.last_missed.accept_ts
  }
}

output "team_call_members" {
  value = data.tencentcallkit_call_record.team_call.callees
}
