// Package mockserver is a mock TUICallKit backend: an http.Handler serving
// the v1 and v4 APIs as shared/callkit-api.md describes them, a /_mock/
// control surface, fault injection and callback deliveries, in files named
// by what they hold: store*.go, v1.go, v4.go, ccc*.go, deliveries.go,
// faults.go, control.go, requestlog.go. Its web console is package console
// (internal/mockserver/console), which reads it through ConsoleView (view.go)
// and serves the console's pages in front of it.
//
// It never imports internal/callkit: it is an independent reading of the
// contract with its own wire types, so mock and client cannot share a
// mistake. The choices it makes where the contract is silent are listed in
// the mock backend guide (templates/guides/mock-backend.md.tmpl).
package mockserver
