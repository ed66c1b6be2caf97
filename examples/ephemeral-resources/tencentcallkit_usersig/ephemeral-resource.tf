# Terraform 1.10 and later. The UserSig is minted during each plan and apply and
# never written to the plan or the state.
variable "sdk_app_id" {
  type        = number
  description = "The application's SDKAppID, the same as the provider's sdk_app_id."
}

variable "callkit_api" {
  type        = string
  description = "The CallKit API's base URL: https://callkit-intl.trtc.tencent-cloud.com outside China."
  default     = "https://callkit.trtc.tencent-cloud.com"
}

# A short-lived UserSig for the app administrator (the provider's identifier).
ephemeral "tencentcallkit_usersig" "admin" {
  user_id        = "administrator"
  expire_seconds = 300 # enough for one check; the default is 86400 (1 day)
}

resource "tencentcallkit_callback" "main" {
  address = "https://hooks.example.com/callkit"
  actions = ["normal_end", "caller_start_call"]
}

# Whenever the callback configuration changes, read it back from the service
# with curl and fail the apply unless the service answers errorCode 0: a check
# that needs nothing but curl. Provisioners may use ephemeral values; Terraform
# suppresses the command's output because its environment holds one.
resource "terraform_data" "check_callback" {
  triggers_replace = [
    tencentcallkit_callback.main.address,
    tencentcallkit_callback.main.actions,
  ]

  provisioner "local-exec" {
    command = <<-EOT
      curl -sS --fail -X POST -H 'Content-Type: application/json' -d '{}' \
        "$CALLKIT_API/v1/callback/get?sdkappid=$SDKAPPID&identifier=administrator&usersig=$USERSIG&random=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')&contenttype=json" \
        | grep -q '"errorCode": *0[,}]'
    EOT
    environment = {
      CALLKIT_API = var.callkit_api
      SDKAPPID    = var.sdk_app_id
      USERSIG     = ephemeral.tencentcallkit_usersig.admin.usersig
    }
  }
}
