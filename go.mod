module github.com/tencentcallkit/terraform-provider-tencentcallkit

go 1.26.8

require github.com/tencentyun/tls-sig-api-v2-golang v1.4.0

require (
	github.com/davecgh/go-spew v1.1.2-0.20180830191138-d8f796af33cc // indirect
	github.com/pmezard/go-difflib v1.0.1-0.20181226105442-5d4384ee4fb2 // indirect
	github.com/stretchr/testify v1.10.0 // indirect
)
