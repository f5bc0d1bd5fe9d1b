package app

import (
	"os"
	"testing"
)

// TestConfigErrorsNameFileKeyAndValue pins the full text of configuration
// errors: where the value came from, the key, the value and what was
// expected; never the decoder's or the YAML library's words.
func TestConfigErrorsNameFileKeyAndValue(t *testing.T) {
	tests := []struct {
		name string
		file string // written to ./config.yml; "" for none
		env  []string
		want string
	}{
		{"unknown key", "foo: 1\n", nil, `config.yml: unknown key "foo"`},
		{"unknown key near a known one", "listne: x\n", nil, `config.yml: unknown key "listne" (did you mean "listen"?)`},
		{"unknown nested key", "database:\n  dns: x\n", nil, `config.yml: unknown key "database.dns" (did you mean "database.dsn"?)`},
		{"not a number", "database:\n  max_open_conns: ten\n", nil, `config.yml: database.max_open_conns: "ten" is not a whole number`},
		{"not a bool", "production: maybe\n", nil, `config.yml: production: "maybe" is not true or false`},
		{"not a duration", "shutdown_timeout: 15 seconds\n", nil,
			`config.yml: shutdown_timeout: "15 seconds" is not a duration: write it like 30s, 5m or 1h30m`},
		{"a duration without a unit", "", []string{"SEATIDE_SHUTDOWN_TIMEOUT=5"},
			`SEATIDE_SHUTDOWN_TIMEOUT: shutdown_timeout: "5" is not a duration: write it like 30s, 5m or 1h30m`},
		{"a value where a section belongs", "cors: x\n", nil, `config.yml: cors: "x" is not a section of keys (cors.*)`},
		{"a map where a list belongs", "ecs:\n  zone: {a: b}\n", nil,
			`config.yml: ecs.zone: map[a:b] is not a list of text (or one value, or comma-separated values)`},
		{"two mistakes, two lines", "production: maybe\nminecraft:\n  port: x\n", nil,
			"config.yml: minecraft.port: \"x\" is not a whole number\nconfig.yml: production: \"maybe\" is not true or false"},
		{"a range check names the file", "ecs:\n  bandwidth_out: 500\n", nil, `config.yml: ecs.bandwidth_out: 500 Mbit/s is outside 1..100`},
		{"a range check names the variable", "", []string{"SEATIDE_ECS_BANDWIDTH_OUT=500"},
			`SEATIDE_ECS_BANDWIDTH_OUT: ecs.bandwidth_out: 500 Mbit/s is outside 1..100`},
		{"not YAML", "listen: [\n", nil, `config file config.yml: not valid YAML: line 1: did not find expected node content`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			if tt.file != "" {
				if err := os.WriteFile("config.yml", []byte(tt.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := LoadConfig("", tt.env)
			if err == nil || err.Error() != tt.want {
				t.Errorf("err =\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
}

func TestConfigFileRecorded(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.WriteFile("config.yml", []byte("listen: 127.0.0.1:0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig("", nil)
	if err != nil || c.File != "config.yml" {
		t.Errorf("File = %q, %v; want config.yml", c.File, err)
	}
	if err := os.Remove("config.yml"); err != nil {
		t.Fatal(err)
	}
	if c, err := LoadConfig("", nil); err != nil || c.File != "" {
		t.Errorf("File = %q, %v; want none", c.File, err)
	}
}
