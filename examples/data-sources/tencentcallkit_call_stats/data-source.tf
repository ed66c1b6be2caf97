# The records API reaches back 7 days: the figures of the week up to each read.
data "tencentcallkit_call_stats" "week" {
  lookback = "7d"
}

data "tencentcallkit_call_stats" "group_calls" {
  lookback    = "7d"
  call_type   = "group"
  api_version = "v4"
}

output "week_overview" {
  value = {
    calls        = data.tencentcallkit_call_stats.week.call_count
    connected    = data.tencentcallkit_call_stats.week.connected_count
    participants = data.tencentcallkit_call_stats.week.participant_count
    # The console's overview shows the larger of the two types' peaks.
    console_peak = max(
      data.tencentcallkit_call_stats.week.max_concurrent_single_calls,
      data.tencentcallkit_call_stats.week.max_concurrent_group_calls,
    )
    peak_all_calls   = data.tencentcallkit_call_stats.week.max_concurrent_calls
    rejected         = data.tencentcallkit_call_stats.week.results["reject"]
    average_duration = data.tencentcallkit_call_stats.week.average_duration_seconds
  }
}

output "group_call_minutes" {
  value = floor(data.tencentcallkit_call_stats.group_calls.total_duration_seconds / 60)
}
