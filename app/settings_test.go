package app

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSettingsHideSecrets(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"root:hunter2@tcp(127.0.0.1:3306)/test", "root:***@tcp(127.0.0.1:3306)/test"},
		{"postgres://app:hunter2@db/test?sslmode=disable", "postgres://app:***@db/test?sslmode=disable"},
		{"host=db user=app password=hunter2 dbname=test", "host=db user=app password=*** dbname=test"},
		{"./seatide.db", "./seatide.db"},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			var c Config
			c.Secret = "hunter2-hunter2-hunter2-hunter2-hunter2"
			c.ECS.AccessKeyID, c.ECS.AccessKeySecret, c.ECS.Password = "LTAIhunter2", "hunter2", "Hunter2!x"
			c.Database.DSN = tt.dsn
			c.Listen = ":5000"
			b, err := json.Marshal(c.Settings())
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "hunter2") {
				t.Errorf("a secret leaked: %s", b)
			}
			s := c.Settings()
			if got := s["database"].(map[string]any)["dsn"]; got != tt.want {
				t.Errorf("dsn %q, want %q", got, tt.want)
			}
			if s["listen"] != ":5000" || s["secret"] != "(hidden)" {
				t.Errorf("listen %v, secret %v", s["listen"], s["secret"])
			}
		})
	}
}
