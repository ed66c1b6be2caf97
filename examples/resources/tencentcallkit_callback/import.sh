# The v1 configuration is imported by the SDKAppID the provider is configured for:
terraform import tencentcallkit_callback.v1 1400000000

# The v4 configuration by "v4:" and the SDKAppID:
terraform import tencentcallkit_callback.v4 v4:1400000000
