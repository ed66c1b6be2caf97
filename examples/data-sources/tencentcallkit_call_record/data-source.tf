# A call placed with the older TUICallKit.call() / groupCall() client APIs: the v1 records API.
data "tencentcallkit_call_record" "support_call" {
  call_id = "2ae7d549-c441-4a9b-87c0-61810fe19582"
}

# A call placed with the current TUICallKit client: the v4 records API.
data "tencentcallkit_call_record" "team_call" {
  call_id     = "04c9a0ac-8e38-4a19-be45-349c5ce7911b"
  api_version = "v4"
}

locals {
  support_call = data.tencentcallkit_call_record.support_call
}

output "support_call_summary" {
  value = {
    caller  = local.support_call.caller
    callees = local.support_call.callees
    media   = local.support_call.media_type
    result  = local.support_call.call_result
    # accept_ts is 0 for a call that never connected.
    connected_seconds = local.support_call.accept_ts == 0 ? 0 : local.support_call.end_ts - local.support_call.accept_ts
  }
}

output "team_call_members" {
  value = data.tencentcallkit_call_record.team_call.callees
}
