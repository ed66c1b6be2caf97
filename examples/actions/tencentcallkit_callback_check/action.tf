# Point the app at a receiver, and prove the receiver works before the apply
# counts as done: after every create and every change of the configuration,
# the check sends one sample delivery per subscribed action word, plus one for
# another SDKAppID that the receiver must refuse.
resource "tencentcallkit_callback" "main" {
  address = var.receiver_url
  actions = ["normal_end", "call_busy", "caller_start_call"]

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.tencentcallkit_callback_check.main]
    }
  }
}

action "tencentcallkit_callback_check" "main" {
  config {
    address          = tencentcallkit_callback.main.address
    actions          = tencentcallkit_callback.main.actions
    check_sdk_app_id = true
  }
}

# By hand or on a schedule, check what the service holds right now (address
# unset: the app's v4 configuration is read first):
#
#   terraform apply -invoke=action.tencentcallkit_callback_check.current_v4
action "tencentcallkit_callback_check" "current_v4" {
  config {
    api_version = "v4"
  }
}

variable "receiver_url" {
  type        = string
  description = "Your callback receiver's URL, such as https://callbacks.example.com/tuicallkit: the check sends it sample deliveries, so it must be up."
}
