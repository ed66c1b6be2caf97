// Command noopprovider is the baseline of `make bench`'s plugin-start
// scenario: a provider named tencentcallkit with exactly the real provider's
// schemas (provider, resources, data sources, ephemeral resources) whose
// Configure, Read, Open and CRUD methods do no I/O at all.
//
// Taking the schemas from the real provider (rather than writing a smaller
// one) keeps the comparison about one thing: what the real provider does on
// top of Terraform's own per-run cost and the cost of starting a plugin of
// this size with this schema (GetProviderSchema, validation, plan). The
// binary links the same packages, so its start-up cost is the same too.
//
// It is built by the bench harness (bench/cmd/bench) into its own directory
// and selected with a dev_overrides CLI configuration; it is never released.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/provider"
)

func main() {
	debug := flag.Bool("debug", false, "run with support for debuggers (prints TF_REATTACH_PROVIDERS)")
	flag.Parse()
	err := providerserver.Serve(context.Background(), newNoop(provider.New("noop")), providerserver.ServeOpts{
		Address: provider.Address,
		Debug:   *debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
