// Package consoletest holds the mock console's end-to-end tests: a real
// headless Chromium, driven over the DevTools protocol, loads the pages of
// an in-process mock and checks them against the records API as the
// provider's own client reads it, and against what Terraform reads. It has
// no code outside its tests, and nothing imports it.
package consoletest
