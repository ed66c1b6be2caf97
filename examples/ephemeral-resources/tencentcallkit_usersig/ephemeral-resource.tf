# Terraform 1.10 and later. The UserSig is minted during each plan and apply and
# never written to the plan or the state.
ephemeral "tencentcallkit_usersig" "kiosk" {
  user_id        = "lobby_kiosk-01"
  expire_seconds = 604800 # 7 days; the default is 86400 (1 day)
}

# Hand it to something that accepts ephemeral values, such as a write-only
# argument (Terraform 1.11 and later): here, a secret the kiosk reads at boot.
# Write-only values are sent only when their version changes: raise
# secret_string_wo_version to store a freshly minted UserSig before it expires.
resource "aws_secretsmanager_secret" "kiosk_usersig" {
  name = "callkit/lobby_kiosk-01/usersig"
}

resource "aws_secretsmanager_secret_version" "kiosk_usersig" {
  secret_id                = aws_secretsmanager_secret.kiosk_usersig.id
  secret_string_wo         = ephemeral.tencentcallkit_usersig.kiosk.usersig
  secret_string_wo_version = 1
}
