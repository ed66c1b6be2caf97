# The configuration `make demo` applies against the mock backend (scripts/demo.sh).
# Every provider setting left null here falls back to its TENCENTCALLKIT_* environment
# variable, which is how the demo points the provider at the mock.

terraform {
  required_providers {
    tencentcallkit = {
      source = "tencentcallkit/tencentcallkit"
    }
  }
}

variable "endpoint" {
  description = "Base URL of the CallKit API (the mock's http://127.0.0.1:PORT). Default: TENCENTCALLKIT_ENDPOINT."
  type        = string
  default     = null
}

variable "sdk_app_id" {
  description = "The app's SDKAppID. Default: TENCENTCALLKIT_SDK_APP_ID."
  type        = number
  default     = null
}

variable "secret_key" {
  description = "The app's secret key. Default: TENCENTCALLKIT_SECRET_KEY."
  type        = string
  default     = null
  sensitive   = true
}

variable "address" {
  description = "Where the service delivers the app's call callbacks."
  type        = string
  default     = "https://hooks.example.com/callkit"
}

provider "tencentcallkit" {
  endpoint   = var.endpoint
  sdk_app_id = var.sdk_app_id
  secret_key = var.secret_key
}

resource "tencentcallkit_callback" "main" {
  address = var.address
  actions = ["normal_end", "call_busy", "caller_start_call"]
}

output "callback_id" {
  value = tencentcallkit_callback.main.id
}
