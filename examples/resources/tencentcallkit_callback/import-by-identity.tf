# Terraform 1.12 and OpenTofu 1.12 and later: import by resource identity.
# sdk_app_id defaults to the provider's (when given, it must be that one), and
# api_version to "v1"; `terraform query` (see the list resource) writes these
# blocks for you.
import {
  to       = tencentcallkit_callback.v1
  identity = { api_version = "v1" }
}

import {
  to       = tencentcallkit_callback.v4
  identity = { api_version = "v4" }
}
