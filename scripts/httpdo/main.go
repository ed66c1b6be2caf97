// Command httpdo sends one HTTP request and prints the answer's body: the stand-in for curl
// in scripts/demo.sh on machines without curl.
//
//	go run ./scripts/httpdo [-X METHOD] [-d BODY] URL
//
// It exits 1 on a network error or an HTTP status of 400 or more (like `curl -f`).
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	method := flag.String("X", "", "HTTP method (default GET, or POST with -d)")
	data := flag.String("d", "", "request body (sent as application/json)")
	timeout := flag.Duration("timeout", 30*time.Second, "whole-request timeout")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: httpdo [-X METHOD] [-d BODY] URL")
		os.Exit(2)
	}
	if err := do(*method, flag.Arg(0), *data, *timeout); err != nil {
		fmt.Fprintf(os.Stderr, "httpdo: %v\n", err)
		os.Exit(1)
	}
}

func do(method, url, data string, timeout time.Duration) error {
	if method == "" {
		method = http.MethodGet
		if data != "" {
			method = http.MethodPost
		}
	}
	var body io.Reader
	if data != "" {
		body = strings.NewReader(data)
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return err
	}
	if data != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: timeout}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(os.Stdout, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		return fmt.Errorf("%s %s: %s", method, url, resp.Status)
	}
	return nil
}
