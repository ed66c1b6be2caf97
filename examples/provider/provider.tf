terraform {
  required_providers {
    tencentcallkit = {
      source = "tencentcallkit/tencentcallkit"
    }
  }
}

# The secret key is best left out of the configuration: set it with the
# TENCENTCALLKIT_SECRET_KEY environment variable (and, if you like, the
# SDKAppID with TENCENTCALLKIT_SDK_APP_ID).
provider "tencentcallkit" {
  sdk_app_id = 1400000000 # placeholder: your application's SDKAppID
  region     = "singapore"
}

# Every attribute, for reference. Each one left unset (null) falls back to its
# environment variable, then to its default.
provider "tencentcallkit" {
  alias = "full"

  sdk_app_id      = 1400000000 # placeholder: your application's SDKAppID
  secret_key      = var.callkit_secret_key
  identifier      = "administrator"
  region          = "china"
  request_timeout = "10s"
  max_retries     = 5

  # Replaces the region's domains for every API (a proxy, or the mock backend
  # on http://127.0.0.1:PORT); null uses the region's.
  endpoint = var.callkit_endpoint

  # Only tencentcallkit_tel_cdrs (Cloud Contact Center) needs these;
  # TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY work too.
  tencentcloud_secret_id  = var.tencentcloud_secret_id
  tencentcloud_secret_key = var.tencentcloud_secret_key
  ccc_endpoint            = var.ccc_endpoint # null: ccc.tencentcloudapi.com
}

# Against a local mock backend (`make mock`): plain http is accepted only on loopback.
provider "tencentcallkit" {
  alias = "mock"

  sdk_app_id = 1400000000
  secret_key = "mock-secret-key-0123456789abcdef"
  endpoint   = "http://127.0.0.1:8080"
}

variable "callkit_secret_key" {
  type        = string
  description = "The application's secret key; null: TENCENTCALLKIT_SECRET_KEY."
  sensitive   = true
  default     = null
}

variable "callkit_endpoint" {
  type    = string
  default = null
}

variable "tencentcloud_secret_id" {
  type    = string
  default = null
}

variable "tencentcloud_secret_key" {
  type      = string
  sensitive = true
  default   = null
}

variable "ccc_endpoint" {
  type    = string
  default = null
}
