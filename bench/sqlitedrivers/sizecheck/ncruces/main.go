// Command ncruces is a minimal program for comparing binary sizes: it opens a
// database with the benchmark's DSN, creates a table and reads the schema back.
package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	_ "github.com/ncruces/go-sqlite3/driver"
)

const schema = `CREATE TABLE debates (id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, comment_count INTEGER NOT NULL DEFAULT 0, last_comment_at INTEGER)`

func main() {
	dir, err := os.MkdirTemp("", "sizecheck")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "parley.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_txlock=immediate")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	if _, err := db.Exec(schema); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		panic(err)
	}
	fmt.Println("ncruces: schema objects:", n)
}
