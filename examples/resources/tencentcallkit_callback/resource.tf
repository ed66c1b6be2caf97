# The legacy v1 callback configuration (the default api_version):
# lowercase action words.
resource "tencentcallkit_callback" "v1" {
  address = "https://hooks.example.com/callkit/v1"
  actions = [
    "normal_end",
    "call_busy",
    "not_answer",
    "caller_start_call",
    "callee_accept_call",
  ]
}

# The current v4 configuration (v4/call_config): Call.* command words.
# It is stored separately from the v1 one, so both can exist side by side.
resource "tencentcallkit_callback" "v4" {
  api_version = "v4"
  address     = "https://hooks.example.com/callkit/v4"
  actions = [
    "Call.CallbackAfterStartCall",
    "Call.CallbackAfterEndCall",
    "Call.CallbackAfterMemberChanged",
  ]
}
