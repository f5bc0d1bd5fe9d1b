package sqlstore

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
)

// NormalizeDSN returns dsn with the settings the store relies on added where
// the operator left them out (an explicit setting is kept):
//
//   - sqlite: a file path or file: URI; busy_timeout(5000), foreign_keys(1)
//     and journal_mode(WAL) pragmas, and _txlock=immediate so that a
//     read-modify-write transaction holds the write lock from its start and
//     concurrent writers wait instead of failing.
//   - mysql: parseTime=true, loc=UTC, time_zone='+00:00', strict sql_mode
//     (STRICT_ALL_TABLES added to the server's), and charset utf8mb4 with
//     collation utf8mb4_unicode_ci.
//   - postgres: timezone=UTC (URL or key=value form).
//
// Errors never repeat the DSN, which may hold a password.
func NormalizeDSN(driver, dsn string) (string, error) {
	switch driver {
	case "", "sqlite":
		return normalizeSQLite(dsn)
	case "mysql":
		return normalizeMySQL(dsn)
	case "postgres":
		return normalizePostgres(dsn)
	}
	return "", fmt.Errorf("sqlstore: unknown database driver %q (want sqlite, mysql or postgres)", driver)
}

// sqliteBusyTimeout is how long a writer waits for another's lock.
const sqliteBusyTimeout = 5 * time.Second

func normalizeSQLite(dsn string) (string, error) {
	if dsn == "" {
		return "", fmt.Errorf("sqlstore: sqlite needs a database file path in database.dsn")
	}
	path, rawQuery, _ := strings.Cut(dsn, "?")
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", fmt.Errorf("sqlstore: sqlite dsn parameters: %w", err)
	}
	// The pragma shorthands modernc.org/sqlite also accepts (_busy_timeout,
	// _fk, ...) count as set by the operator too.
	hasPragma := func(name string, aliases ...string) bool {
		for _, a := range aliases {
			if q.Has(a) {
				return true
			}
		}
		for _, p := range q["_pragma"] {
			p = strings.ToLower(strings.TrimSpace(p))
			if strings.HasPrefix(p, name+"(") || strings.HasPrefix(p, name+"=") || strings.HasPrefix(p, name+" ") {
				return true
			}
		}
		return false
	}
	var add []string
	if !hasPragma("busy_timeout", "_busy_timeout", "_timeout") {
		add = append(add, fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()))
	}
	if !hasPragma("foreign_keys", "_foreign_keys", "_fk") {
		add = append(add, "foreign_keys(1)")
	}
	if !hasPragma("journal_mode", "_journal_mode", "_journal") {
		add = append(add, "journal_mode(WAL)")
	}
	// Appended by hand rather than q.Encode(): the operator's parameters stay
	// as written, and pragma parentheses stay readable.
	var b strings.Builder
	b.WriteString(path)
	sep := "?"
	if rawQuery != "" {
		b.WriteString("?" + rawQuery)
		sep = "&"
	}
	for _, p := range add {
		b.WriteString(sep + "_pragma=" + p)
		sep = "&"
	}
	if !q.Has("_txlock") {
		b.WriteString(sep + "_txlock=immediate")
	}
	return b.String(), nil
}

// mysqlStrictMode is run as SET sql_mode = ... on each connection.
const mysqlStrictMode = "CONCAT(@@sql_mode, ',STRICT_ALL_TABLES')"

func normalizeMySQL(dsn string) (string, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil || strings.HasPrefix(dsn, "mysql://") || strings.HasPrefix(dsn, "mariadb://") {
		return "", badDSN("mysql", dsn)
	}
	set := map[string]bool{}
	if _, rawQuery, ok := strings.Cut(dsn, "?"); ok {
		if q, err := url.ParseQuery(rawQuery); err == nil {
			for k := range q {
				set[k] = true
			}
		}
	}
	if !set["parseTime"] {
		cfg.ParseTime = true
	}
	if !set["loc"] {
		cfg.Loc = time.UTC
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	if !set["time_zone"] {
		cfg.Params["time_zone"] = "'+00:00'"
	}
	if !set["sql_mode"] {
		// Strict mode makes an over-long or invalid value an error instead
		// of a silently truncated write, whatever the server's default.
		cfg.Params["sql_mode"] = mysqlStrictMode
	}
	if !set["charset"] && !set["collation"] {
		if err := cfg.Apply(mysql.Charset("utf8mb4", "utf8mb4_unicode_ci")); err != nil {
			return "", fmt.Errorf("sqlstore: mysql dsn: %w", err)
		}
	}
	return cfg.FormatDSN(), nil
}

func normalizePostgres(dsn string) (string, error) {
	orig := dsn
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", badDSN("postgres", orig)
		}
		q := u.Query()
		if !q.Has("timezone") && !q.Has("TimeZone") {
			q.Set("timezone", "UTC")
			u.RawQuery = q.Encode()
		}
		dsn = u.String()
	} else if !strings.Contains(strings.ToLower(dsn), "timezone=") {
		dsn = strings.TrimSpace(dsn + " timezone=UTC")
	}
	if _, err := pgx.ParseConfig(dsn); err != nil {
		return "", badDSN("postgres", orig)
	}
	return dsn, nil
}
