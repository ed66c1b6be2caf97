// Command callkit-mock runs the mock TUICallKit backend (internal/mockserver)
// on a loopback address, for `make mock`, `make demo` and scripts.
//
// The first line it prints is "listening on http://HOST:PORT"; then the
// SDKAppID and the mock's own throwaway secret key, then the Cloud Contact
// Center key pair and application ID, so a script can point the provider at
// it, and last the address of the mock's web console. It stops cleanly on
// SIGINT or SIGTERM. `callkit-mock -version` prints the release it was built
// from, so a CI job can tell which mock it downloaded.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver/console"
)

// version and commit are set by the release build (goreleaser ldflags:
// -X main.version={{.Version}} -X main.commit={{.Commit}}).
var (
	version = "dev"
	commit  = "none"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "callkit-mock:", err)
		os.Exit(1)
	}
}

type config struct {
	showVersion   bool
	addr          string
	opts          mockserver.Options
	simulateCalls int
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("callkit-mock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&c.showVersion, "version", false, "print the version and exit")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "loopback address to listen on (127.0.0.1:0 picks a free port)")
	fs.Int64Var(&c.opts.SDKAppID, "sdkappid", mockserver.DefaultSDKAppID, "the mock app's SDKAppID")
	fs.StringVar(&c.opts.Key, "key", mockserver.DefaultKey, "the mock app's secret key (a throwaway: it is printed)")
	fs.StringVar(&c.opts.Identifier, "identifier", mockserver.DefaultIdentifier, "the app administrator account")
	fs.IntVar(&c.opts.Records, "records", 0, "number of deterministic call records to generate (last 7 days)")
	fs.IntVar(&c.opts.CCCRecords, "ccc-records", 0, "number of deterministic Cloud Contact Center telephone records to generate (last 30 days)")
	fs.Int64Var(&c.opts.Seed, "seed", 1, "seed for generated records, simulated calls and fault injection")
	fs.BoolVar(&c.opts.RateLimit, "ratelimit", true, "enforce the documented rate limits")
	fs.BoolVar(&c.opts.RateLimitStrict, "ratelimit-strict", false, "enforce them with burst 1: refuse any request closer than 1/N to the previous one on its path (implies -ratelimit)")
	fs.IntVar(&c.simulateCalls, "simulate-calls", 0, "number of calls to simulate at start")
	fs.Float64Var(&c.opts.DeliveryTimeScale, "delivery-time-scale", 1, "multiplier for callback retry waits")
	fs.StringVar(&c.opts.Readings.TieOrder, "tie-order", "insertion", "order of calls that started in the same second: insertion or call_id")
	fs.StringVar(&c.opts.Readings.End, "end-reading", "inclusive", "a record list's end time: inclusive or exclusive")
	fs.IntVar(&c.opts.Readings.PageCap, "page-cap", 0, "serve at most this many records a page whatever numberPerPage asks (0: none)")
	fs.StringVar(&c.opts.Readings.OldStart, "old-start", "clamp", "a record list's start older than 7 days: clamp or refuse")
	fs.IntVar(&c.opts.BusySecond, "busy-second", 0, "number of calls that all start in one second, an hour inside the 7-day edge")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.showVersion {
		return c, nil
	}
	return c, c.check()
}

// check refuses flag values the mock cannot run with.
func (c config) check() error {
	switch {
	case c.opts.SDKAppID <= 0:
		return errors.New("-sdkappid must be positive")
	case c.opts.Key == "":
		return errors.New("-key must not be empty")
	case c.opts.Identifier == "":
		return errors.New("-identifier must not be empty")
	case c.opts.Records < 0 || c.opts.Records > 10_000_000:
		return errors.New("-records must be between 0 and 10000000")
	case c.opts.CCCRecords < 0 || c.opts.CCCRecords > 1_000_000:
		return errors.New("-ccc-records must be between 0 and 1000000")
	case c.simulateCalls < 0 || c.simulateCalls > 100_000:
		return errors.New("-simulate-calls must be between 0 and 100000")
	case !(c.opts.DeliveryTimeScale > 0):
		return errors.New("-delivery-time-scale must be positive")
	case c.opts.BusySecond < 0 || c.opts.BusySecond > 10_000:
		return errors.New("-busy-second must be between 0 and 10000")
	}
	if err := c.opts.Readings.Validate(); err != nil {
		return fmt.Errorf("-tie-order, -end-reading, -page-cap, -old-start: %w", err)
	}
	return checkLoopback(c.addr)
}

// checkLoopback refuses any address that is not a loopback IP: the mock
// prints its secret key and has an unauthenticated control surface.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %q: the mock listens on loopback addresses only (e.g. 127.0.0.1:8080)", addr)
	}
	return nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if c.showVersion {
		_, err := fmt.Fprintf(stdout, "callkit-mock %s (commit %s)\n", version, commit)
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	mock := mockserver.New(c.opts)
	defer mock.Close()
	for range c.simulateCalls {
		if _, err := mock.SimulateCall(ctx, mockserver.SimulatedCall{}); err != nil {
			return fmt.Errorf("simulating calls: %w", err)
		}
	}

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           console.New(mock.ConsoleView(), mock), // the web console in front of the API
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())
	fmt.Fprintf(stdout, "sdk_app_id = %d\n", c.opts.SDKAppID)
	fmt.Fprintf(stdout, "secret_key = %q\n", c.opts.Key)
	fmt.Fprintf(stdout, "identifier = %q\n", c.opts.Identifier)
	fmt.Fprintf(stdout, "tencentcloud_secret_id = %q\n", mockserver.DefaultCCCSecretID)
	fmt.Fprintf(stdout, "tencentcloud_secret_key = %q\n", mockserver.DefaultCCCSecretKey)
	fmt.Fprintf(stdout, "ccc_sdk_app_id = %d\n", mock.CCCSdkAppID())
	fmt.Fprintf(stdout, "console: http://%s/ (open it in a browser)\n", ln.Addr())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Stop deliveries and stalled requests first so Shutdown does not wait on them.
	mock.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	fmt.Fprintln(stderr, "callkit-mock: stopped")
	return nil
}
