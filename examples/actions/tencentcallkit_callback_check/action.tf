# The safer pattern first: prove the receiver before the service starts
# sending to it. The check runs before the configuration is created or
# changed, with the address and actions from the same locals the resource
# uses, so a receiver that fails stops the apply with nothing changed on the
# service, and the next plan tries again.
locals {
  receiver = {
    address = var.receiver_url
    actions = ["normal_end", "call_busy", "caller_start_call"]
  }
}

resource "tencentcallkit_callback" "main" {
  address = local.receiver.address
  actions = local.receiver.actions

  lifecycle {
    action_trigger {
      events  = [before_create, before_update]
      actions = [action.tencentcallkit_callback_check.main]
    }
  }
}

# One sample delivery per action word, plus one for another SDKAppID that the
# receiver must refuse.
action "tencentcallkit_callback_check" "main" {
  config {
    address          = local.receiver.address
    actions          = local.receiver.actions
    check_sdk_app_id = true
  }
}

# after_create / after_update check what the apply just wrote. A failing
# receiver fails the apply, but the configuration is created and stays live
# (the service delivers to that receiver), and the next plan says "No
# changes", so the check does not run again until the configuration changes:
# run it by hand with -invoke. Shown here for the v4 configuration.
resource "tencentcallkit_callback" "v4" {
  api_version = "v4"
  address     = var.receiver_url
  actions     = ["Call.CallbackAfterEndCall"]

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.tencentcallkit_callback_check.after_v4]
    }
  }
}

action "tencentcallkit_callback_check" "after_v4" {
  config {
    api_version = "v4"
    address     = tencentcallkit_callback.v4.address
    actions     = tencentcallkit_callback.v4.actions
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
