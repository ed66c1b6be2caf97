# In a .tfquery.hcl file beside the configuration; run `terraform query`
# (Terraform 1.14 and later), or `terraform query -generate-config-out=generated.tf`
# to write an import block and a resource block for each configuration found.

# Both API generations' configurations of the provider's application, each
# once, with every attribute.
list "tencentcallkit_callback" "all" {
  provider         = tencentcallkit
  include_resource = true
}

# One list per configuration you generate: a second list that also matches a
# configuration (say one with config { api_version = "v4" } beside this one)
# makes -generate-config-out write two resources for it, and the plan then
# imports it twice, without a warning. To generate only the v4 configuration,
# give this list config { api_version = "v4" } instead of adding another.
