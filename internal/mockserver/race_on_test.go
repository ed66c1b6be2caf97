//go:build race

package mockserver

// raceEnabled: timings under the race detector say nothing about the mock.
const raceEnabled = true
