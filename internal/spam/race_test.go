//go:build race

package spam

// raceEnabled says the tests run under the race detector, ten times slower.
const raceEnabled = true
