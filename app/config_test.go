package app

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfig(t *testing.T) {
	secret := strings.Repeat("s", 32)
	tests := []struct {
		name    string
		file    string
		env     []string
		check   func(t *testing.T, c Config)
		wantErr string
	}{
		{name: "defaults with no file", check: func(t *testing.T, c Config) {
			if c.Listen != "127.0.0.1:5000" || c.Database.Driver != "sqlite" || c.Database.DSN != "./seatide.db" ||
				!c.Users.OpenSignup || c.V1.OpenReads || !*c.Database.AutoMigrate || c.Log.Format != "text" {
				t.Errorf("unexpected defaults: %+v", c)
			}
		}},
		{name: "production listens like the original", env: []string{"SEATIDE_PRODUCTION=true", "SEATIDE_SECRET=" + secret},
			check: func(t *testing.T, c Config) {
				if c.Listen != ":3811" || c.Log.Format != "json" {
					t.Errorf("listen %q format %q", c.Listen, c.Log.Format)
				}
			}},
		{name: "production without secret", env: []string{"SEATIDE_PRODUCTION=true"}, wantErr: "at least 32 bytes"},
		{name: "production short secret", file: "production: true\nsecret: short\n", wantErr: "at least 32 bytes"},
		{name: "env overrides file", file: "database:\n  dsn: file.db\n", env: []string{"SEATIDE_DATABASE_DSN=env.db"},
			check: func(t *testing.T, c Config) {
				if c.Database.DSN != "env.db" {
					t.Errorf("dsn = %q", c.Database.DSN)
				}
			}},
		{name: "file values", file: "listen: 127.0.0.1:9\nusers:\n  open_signup: false\nv1:\n  open_reads: true\ndatabase:\n  driver: mysql\n  dsn: root@tcp(127.0.0.1:3306)/x\n  query_timeout: 2s\n",
			check: func(t *testing.T, c Config) {
				if c.Listen != "127.0.0.1:9" || c.Users.OpenSignup || !c.V1.OpenReads || *c.Database.AutoMigrate || c.Database.QueryTimeout != 2*time.Second {
					t.Errorf("unexpected: %+v", c)
				}
			}},
		{name: "list from env", env: []string{"SEATIDE_CORS_ALLOWED_ORIGINS=https://a.example, https://b.example"},
			check: func(t *testing.T, c Config) {
				if len(c.CORS.AllowedOrigins) != 2 || c.CORS.AllowedOrigins[1] != "https://b.example" {
					t.Errorf("origins = %q", c.CORS.AllowedOrigins)
				}
			}},
		{name: "unknown key", file: "listen: x\nlistne: y\n", wantErr: "listne"},
		{name: "unknown nested key", file: "database:\n  dns: x\n", wantErr: "dns"},
		{name: "unknown env", env: []string{"SEATIDE_LISTNE=x"}, wantErr: "SEATIDE_LISTNE"},
		{name: "wrong type", file: "production: maybe\n", wantErr: "production"},
		{name: "wrong type env", env: []string{"SEATIDE_DATABASE_MAX_OPEN_CONNS=many"}, wantErr: "max_open_conns"},
		{name: "bad driver", env: []string{"SEATIDE_DATABASE_DRIVER=oracle"}, wantErr: "database.driver"},
		{name: "bad log level", env: []string{"SEATIDE_LOG_LEVEL=loud"}, wantErr: "log.level"},
		{name: "missing file", file: "-", wantErr: "config file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			switch tt.file {
			case "":
			case "-":
				path = filepath.Join(t.TempDir(), "absent.yml")
			default:
				path = writeFile(t, tt.file)
			}
			t.Chdir(t.TempDir()) // no stray ./config.yml
			c, err := LoadConfig(path, tt.env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
	if _, err := LoadConfig("", []string{"SEATIDE_PRODUCTION=true"}); !errors.Is(err, ErrWeakSecret) {
		t.Errorf("weak secret error not matchable: %v", err)
	}
}
