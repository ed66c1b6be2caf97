# Terraform 1.5 and later: import blocks. The ID is your application's
# SDKAppID (1400000000 is a placeholder), with "v4:" before it for the v4
# configuration. `terraform plan -generate-config-out=callback.tf` writes the
# matching resource blocks for you.
import {
  to = tencentcallkit_callback.v1
  id = "1400000000"
}

import {
  to = tencentcallkit_callback.v4
  id = "v4:1400000000"
}
