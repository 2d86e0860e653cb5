// Command baseline is the size reference for the sizecheck programs: a
// similar program with database/sql and no driver linked in.
package main

import (
	"database/sql"
	"fmt"
	"os"
)

func main() {
	db, err := sql.Open("sqlite", "file:parley.db")
	fmt.Println("baseline: no driver linked:", db, err)
	os.Exit(0)
}
