// Package mockserver is a mock TUICallKit backend: an http.Handler serving
// the v1 and v4 APIs as shared/callkit-api.md describes them, a /_mock/
// control surface, fault injection, callback deliveries and a web console
// at / (console*.go, templates in console/).
//
// It never imports internal/callkit: it is an independent reading of the
// contract with its own wire types, so mock and client cannot share a
// mistake. The choices it makes where the contract is silent are listed in
// the mock backend guide (templates/guides/mock-backend.md.tmpl).
package mockserver
