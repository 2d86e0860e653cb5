package web

import (
	"testing"
	"time"
)

func TestAppendTimes(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	for _, tm := range []time.Time{
		time.Date(2026, 11, 26, 14, 5, 9, 123_000_000, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 7, 1, 0, 30, 0, 0, time.FixedZone("east", 5*3600)),
		time.Date(2026, 3, 29, 2, 30, 0, 0, paris),
	} {
		u := tm.UTC()
		want := u.Format(time.RFC3339) + `">` + u.Format("2 Jan 2006, 15:04 UTC")
		if got := string(appendTimes(nil, tm)); got != want {
			t.Errorf("appendTimes(%v) = %s, want %s", tm, got, want)
		}
	}
}
