# Cloud Contact Center calls use the Tencent Cloud API key pair of the provider:
#   tencentcloud_secret_id / tencentcloud_secret_key, or the
#   TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY environment variables.
# lookback counts back from each read (and the window ends at the read);
# start_timestamp and end_timestamp fix it instead. The API reaches back 180
# days, and a window must be under 90 days.

variable "ccc_sdk_app_id" {
  type        = number
  description = "Your Cloud Contact Center application's SDKAppID (not the TUICallKit one)."
  default     = 1400000100 # placeholder: replace with your own
}

variable "vip_phones" {
  type        = list(string)
  description = "The numbers whose calls to read."
  default     = ["13800010001", "13800010002"] # placeholders: replace with your own
}

# Every page of the last week's calls to or from those numbers.
data "tencentcallkit_tel_cdrs" "vip" {
  ccc_sdk_app_id = var.ccc_sdk_app_id
  lookback       = "7d"
  phones         = var.vip_phones
}

# Only the first page of 20 records of the last 30 days.
data "tencentcallkit_tel_cdrs" "latest" {
  ccc_sdk_app_id = var.ccc_sdk_app_id
  lookback       = "30d"
  page_size      = 20
  page_number    = 0
}

output "vip_call_count" {
  value = data.tencentcallkit_tel_cdrs.vip.total_count
}

output "vip_unanswered_sessions" {
  value = [for r in data.tencentcallkit_tel_cdrs.vip.records : r.session_id if r.end_status_string != "ok"]
}

output "agents_on_vip_calls" {
  value = distinct([for r in data.tencentcallkit_tel_cdrs.vip.records : r.seat_user.staff_number if r.seat_user != null])
}

# Recording URLs are sensitive: anyone with one can listen to the call.
output "vip_recordings" {
  value     = { for id, rec in data.tencentcallkit_tel_cdrs.vip.recordings : id => rec.record_url if rec.record_url != null && rec.record_url != "" }
  sensitive = true
}

output "latest_matching_total" {
  value = data.tencentcallkit_tel_cdrs.latest.total_count
}
