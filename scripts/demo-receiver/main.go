// Command demo-receiver is the callback receiver of `make demo`: a tiny HTTP server on
// loopback that prints every CallKit callback it receives (query and JSON body) and answers
// with the acknowledgement the service expects, so the mock stops retrying.
//
//	go run ./scripts/demo-receiver -addr 127.0.0.1:0 -sdkappid 1400000000
//
// The first line on stdout is `listening on http://HOST:PORT`. It stops on SIGINT/SIGTERM,
// or by itself after -lifetime so a forgotten one does not linger.
//
// Samples from the tencentcallkit_callback_check action (CallId terraform-check-…) are
// printed as check samples. `POST /_receiver/refuse` (the body is the reason) makes it
// refuse every delivery with ErrorCode 1 and that reason, as a broken receiver would;
// `DELETE /_receiver/refuse` makes it acknowledge again.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback)")
	sdkAppID := flag.Int64("sdkappid", 0, "the app's SDKAppID; callbacks for another app are refused (0: accept any)")
	lifetime := flag.Duration("lifetime", 10*time.Minute, "stop after this long")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("demo-receiver: %v", err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())

	srv := &http.Server{Handler: &receiver{sdkAppID: *sdkAppID, out: os.Stdout}, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *lifetime)
	defer cancel()
	go func() {
		<-ctx.Done()
		shutdownCtx, done := context.WithTimeout(context.Background(), 2*time.Second)
		defer done()
		_ = srv.Shutdown(shutdownCtx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("demo-receiver: %v", err)
	}
}

type receiver struct {
	sdkAppID int64
	mu       sync.Mutex // serializes output, the counter and refuse
	n        int
	out      io.Writer
	refuse   string // when set, every delivery is refused with this reason
}

// refusePath is the receiver's own control: POST sets a reason to refuse with, DELETE clears it.
const refusePath = "/_receiver/refuse"

// checkSampleRE recognises the callback check action's samples by their marked CallId
// (v1 body, v4 CallInfo, CallRecord or member-change body alike).
var checkSampleRE = regexp.MustCompile(`"CallId"\s*:\s*"terraform-check-`)

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	if r.URL.Path == refusePath {
		rc.control(w, r, string(body))
		return
	}
	q := r.URL.Query()
	// v1 deliveries name the app `sdkappid` and the event `command`; v4 ones `SdkAppid` and
	// `CallbackCommand`, and expect a v4-style acknowledgement.
	v4 := q.Has("CallbackCommand")
	appParam := "sdkappid"
	if v4 {
		appParam = "SdkAppid"
	}
	foreign := rc.sdkAppID != 0 && q.Get(appParam) != strconv.FormatInt(rc.sdkAppID, 10)

	rc.mu.Lock()
	rc.print(r, q, body)
	if foreign {
		fmt.Fprintf(rc.out, "  refused: %s is not this app's SDKAppID %d\n", appParam, rc.sdkAppID)
	}
	refuse := rc.refuse
	if refuse != "" && !foreign {
		fmt.Fprintf(rc.out, "  refused: %s\n", refuse)
	}
	rc.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	switch {
	case refuse != "" && !foreign:
		rc.answerRefusal(w, v4, refuse)
	case v4 && foreign:
		_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"unknown SdkAppid","ErrorCode":1}`)
	case v4:
		_, _ = io.WriteString(w, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)
	case foreign:
		_, _ = io.WriteString(w, `{"ErrorCode":1,"ErrorMessage":"unknown sdkappid"}`)
	default:
		_, _ = io.WriteString(w, `{"ErrorCode":0,"ErrorMessage":"Success"}`)
	}
}

// print writes one delivery: its number, path, query and body; rc.mu is held.
func (rc *receiver) print(r *http.Request, q url.Values, body []byte) {
	rc.n++
	mark := ""
	if checkSampleRE.Match(body) {
		mark = " [check sample from terraform, not a real call]"
	}
	fmt.Fprintf(rc.out, "callback #%d: %s %s%s\n", rc.n, r.Method, r.URL.Path, mark)
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(rc.out, "  query %s = %s\n", k, strings.Join(q[k], ","))
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, body, "  ", "  ") == nil {
		fmt.Fprintf(rc.out, "  body  %s\n", pretty.String())
	} else {
		fmt.Fprintf(rc.out, "  body  %q\n", body)
	}
}

func (rc *receiver) answerRefusal(w http.ResponseWriter, v4 bool, reason string) {
	if v4 {
		_ = json.NewEncoder(w).Encode(map[string]any{"ActionStatus": "FAIL", "ErrorInfo": reason, "ErrorCode": 1})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ErrorCode": 1, "ErrorMessage": reason})
}

// control serves refusePath.
func (rc *receiver) control(w http.ResponseWriter, r *http.Request, reason string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	switch r.Method {
	case http.MethodPost:
		rc.refuse = strings.TrimSpace(reason)
		if rc.refuse == "" {
			rc.refuse = "refusing every delivery"
		}
		fmt.Fprintf(rc.out, "now refusing every delivery: %s\n", rc.refuse)
	case http.MethodDelete:
		rc.refuse = ""
		fmt.Fprintln(rc.out, "now acknowledging deliveries again")
	default:
		http.Error(w, "POST (refuse, the body is the reason) or DELETE (acknowledge again)", http.StatusMethodNotAllowed)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
