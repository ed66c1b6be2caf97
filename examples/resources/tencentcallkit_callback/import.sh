# The v1 configuration is imported by your application's SDKAppID, the one the
# provider is configured for (1400000000 is a placeholder):
terraform import tencentcallkit_callback.v1 1400000000

# The v4 configuration by "v4:" and the SDKAppID:
terraform import tencentcallkit_callback.v4 v4:1400000000
