// Package migrations embeds seatide's schema, one goose-format directory per
// SQL dialect (sqlite, mysql, postgres). Versions are shared across dialects:
// 00001_users.sql exists in each directory and makes the same tables, each in
// its dialect's words. Add a store by adding the next number to all three.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed sqlite/*.sql mysql/*.sql postgres/*.sql
var files embed.FS

// Dialects lists the directories, which are also the database.driver names.
var Dialects = []string{"sqlite", "mysql", "postgres"}

// FS returns the migrations of one dialect, rooted at its directory as goose
// expects.
func FS(dialect string) (fs.FS, error) {
	switch dialect {
	case "sqlite", "mysql", "postgres":
		return fs.Sub(files, dialect)
	}
	return nil, fmt.Errorf("migrations: unknown dialect %q", dialect)
}
