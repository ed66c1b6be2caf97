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
# It is stored separately from the v1 one, so both can exist side by side
# (but not two v1 or two v4 resources for one SDKAppID: they would manage
# the same configuration).
resource "tencentcallkit_callback" "v4" {
  api_version = "v4"
  address     = "https://hooks.example.com/callkit/v4"
  actions = [
    "Call.CallbackAfterStartCall",
    "Call.CallbackAfterEndCall",
    "Call.CallbackAfterMemberChanged",
  ]
}

# Destroying either resource deletes that configuration and TUICallKit stops
# sending its callbacks. To let go of a configuration but keep it, remove the
# resource from the state (terraform state rm) instead.
