// Command terraform-provider-tencentcallkit is the TencentCallKit Terraform provider plugin.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"

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

	if err := provider.Serve(context.Background(), version, debug); err != nil {
		log.Fatal(err.Error())
	}
}
