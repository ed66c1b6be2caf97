# Terraform 1.10 and later. The UserSig is minted during each plan and apply and
# never written to the plan or the state.
ephemeral "tencentcallkit_usersig" "smoke_test" {
  user_id        = "smoke_test-bot"
  expire_seconds = 600 # enough for one test run; the default is 86400 (1 day)
}

resource "tencentcallkit_callback" "main" {
  address = "https://hooks.example.com/callkit"
  actions = ["normal_end", "caller_start_call"]
}

# Whenever the callback configuration changes, a smoke test logs a test user in
# with a short-lived UserSig and checks that events reach the new address.
# Provisioners may use ephemeral values; Terraform suppresses the command's
# output because its environment holds one.
resource "terraform_data" "callback_smoke_test" {
  triggers_replace = [
    tencentcallkit_callback.main.address,
    tencentcallkit_callback.main.actions,
  ]

  provisioner "local-exec" {
    command = "./scripts/callkit-smoke-test.sh"
    environment = {
      CALLKIT_USER_ID    = ephemeral.tencentcallkit_usersig.smoke_test.user_id
      CALLKIT_USERSIG    = ephemeral.tencentcallkit_usersig.smoke_test.usersig
      CALLKIT_EXPIRES_AT = ephemeral.tencentcallkit_usersig.smoke_test.expires_at
    }
  }
}
