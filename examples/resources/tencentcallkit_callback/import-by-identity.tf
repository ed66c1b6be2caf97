# Terraform 1.12 and OpenTofu 1.12 and later: import by resource identity.
# api_version defaults to "v1"; `terraform query` (see the list resource)
# writes these blocks for you.
import {
  to       = tencentcallkit_callback.v1
  identity = { sdk_app_id = 1400000000 }
}

import {
  to       = tencentcallkit_callback.v4
  identity = { sdk_app_id = 1400000000, api_version = "v4" }
}
