package web

import (
	"testing"

	"github.com/parley-org/parley/internal/testnote"
)

// TestMain says, in plain go test output, which tests were skipped.
func TestMain(m *testing.M) { testnote.Main(m) }
