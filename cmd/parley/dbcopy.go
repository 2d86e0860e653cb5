package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parley-org/parley/internal/store"
)

// dbCopy copies a whole site from one database to another, for moving from
// SQLite to PostgreSQL or back, and verifies the copy table by table.
func dbCopy(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("parley db copy", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var from, to string
	fs.StringVar(&from, "from", "", "database to copy from, only read: sqlite:PATH or postgres://…")
	fs.StringVar(&to, "to", "", "database to copy into, migrated first (a new SQLite file is created): sqlite:PATH or postgres://…")
	fs.Usage = func() { usage(e.stderr, "db copy", fs) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("db copy takes no arguments, got %q; see 'parley db copy --help'", fs.Args())
	case from == "" || to == "":
		return errors.New("db copy needs both --from and --to; see 'parley db copy --help'")
	case databaseIdentity(from) == databaseIdentity(to):
		return fmt.Errorf("--from and --to are the same database, %s", redactURL(from))
	}
	// Opening a SQLite path creates the file: a mistyped source would
	// otherwise be copied, empty and "verified", over to the destination.
	if !isPostgresURL(from) {
		if _, err := os.Stat(strings.TrimPrefix(from, "sqlite:")); err != nil {
			return fmt.Errorf("--from: %w", err)
		}
	}

	fmt.Fprintf(e.stdout, "Copying %s\n     to %s\n", redactURL(from), redactURL(to))
	src, err := openStore(ctx, &options{database: from})
	if err != nil {
		return fmt.Errorf("--from %s: %w", redactURL(from), err)
	}
	defer src.Close()
	dst, err := openStore(ctx, &options{database: to})
	if err != nil {
		return fmt.Errorf("--to %s: %w", redactURL(to), err)
	}
	defer dst.Close()

	start := time.Now()
	var shown string
	var shownAt time.Time
	report, err := store.Copy(ctx, src, dst, func(table string, rows int64) {
		// Each table once, and a long one every few seconds.
		if table != shown || time.Since(shownAt) > 3*time.Second {
			fmt.Fprintf(e.stderr, "  copying %s: %d rows\n", table, rows)
			shown, shownAt = table, time.Now()
		}
	})
	took := time.Since(start).Round(time.Millisecond)
	if report != nil {
		printCopyReport(e.stdout, report)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "verified: all %d tables of the %s copy match the %s source (%d rows, copied and checked in %v).\n",
		len(report.Tables), dst.Dialect(), src.Dialect(), report.Rows(), took)
	fmt.Fprintln(e.stdout, "Uploaded images are files, not rows: if the site moves to another machine, take DATA-DIR/media along.")
	return nil
}

// printCopyReport shows each table's rows and checksum.
func printCopyReport(w io.Writer, r *store.CopyReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tCOPIED\tALREADY THERE\tROWS\tSHA-256")
	for _, t := range r.Tables {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", t.Name, t.Copied, t.Present, t.Rows, t.Checksum)
	}
	tw.Flush()
}

func isPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// databaseIdentity reduces a database URL to what names the database, so
// that two spellings of one are recognised: the absolute path of a SQLite
// file; the host, port and database of a PostgreSQL URL.
func databaseIdentity(u string) string {
	if isPostgresURL(u) {
		p, err := url.Parse(u)
		if err != nil {
			return u
		}
		port := p.Port()
		if port == "" {
			port = "5432"
		}
		return "postgres://" + strings.ToLower(p.Hostname()) + ":" + port + p.Path
	}
	path := strings.TrimPrefix(u, "sqlite:")
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return "sqlite:" + path
}

// redactURL hides the password of a PostgreSQL URL, in its user part or
// its query, for printing.
func redactURL(u string) string {
	if !isPostgresURL(u) {
		return u
	}
	p, err := url.Parse(u)
	if err != nil {
		return "postgres://… (unparsable URL)"
	}
	if q := p.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		p.RawQuery = q.Encode()
	}
	return p.Redacted()
}
