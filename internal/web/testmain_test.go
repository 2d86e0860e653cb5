package web

import (
	"fmt"
	"os"
	"testing"

	"github.com/parley-org/parley/internal/i18n"
	"github.com/parley-org/parley/internal/testnote"
)

// TestMain says, in plain go test output, which tests were skipped, and
// fails the run when a page or message showed text that no catalogue
// holds: the tests render every page, so every sentence a person can see
// passes through here.
func TestMain(m *testing.M) {
	testnote.Main(m, func() int {
		if missing := i18n.Missing(); len(missing) > 0 && !testing.Short() {
			fmt.Fprintf(os.Stderr, "text shown that no catalogue holds (%d): %q\n", len(missing), missing)
			return 1
		}
		return 0
	})
}
