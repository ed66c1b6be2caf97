// Command terraform-provider-tencentcallkit is the TencentCallKit Terraform provider plugin.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/provider"
)

// version and commit are set by the release build (goreleaser ldflags:
// -X main.version={{.Version}} -X main.commit={{.Commit}}).
var (
	version = "dev"
	commit  = "none"
)

func main() {
	var debug, showVersion bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve (prints TF_REATTACH_PROVIDERS)")
	flag.BoolVar(&showVersion, "version", false, "print the version and exit")
	flag.Parse()

	if showVersion {
		fmt.Fprintf(os.Stdout, "terraform-provider-tencentcallkit %s (commit %s)\n", version, commit)
		return
	}

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/tencentcallkit/tencentcallkit",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
