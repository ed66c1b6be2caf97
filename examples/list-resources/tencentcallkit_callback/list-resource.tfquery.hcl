# In a .tfquery.hcl file beside the configuration; run `terraform query`
# (Terraform 1.14 and later).

# Both API generations' configurations of the provider's application.
list "tencentcallkit_callback" "all" {
  provider = tencentcallkit
}

# Only the v4 configuration, with every attribute (for -generate-config-out).
list "tencentcallkit_callback" "v4" {
  provider         = tencentcallkit
  include_resource = true

  config {
    api_version = "v4"
  }
}
