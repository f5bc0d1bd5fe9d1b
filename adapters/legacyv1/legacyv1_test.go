package legacyv1

import (
	"strings"
	"testing"
	"time"
)

func TestInZone(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skipf("no zoneinfo: %v", err)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no zoneinfo: %v", err)
	}
	naive := time.Date(2021, 8, 14, 20, 5, 9, 0, time.UTC) // as the driver hands it over
	tests := []struct {
		name string
		in   time.Time
		loc  *time.Location
		want time.Time
	}{
		{"nil is UTC", naive, nil, naive},
		{"UTC", naive, time.UTC, naive},
		{"Shanghai, +8", naive, shanghai, time.Date(2021, 8, 14, 12, 5, 9, 0, time.UTC)},
		{"Berlin in summer, +2", naive, berlin, time.Date(2021, 8, 14, 18, 5, 9, 0, time.UTC)},
		{"Berlin in winter, +1", time.Date(2021, 1, 2, 0, 30, 0, 0, time.UTC), berlin, time.Date(2021, 1, 1, 23, 30, 0, 0, time.UTC)},
		{"zero stays zero", time.Time{}, shanghai, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := InZone(tt.in, tt.loc)
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("InZone = %v, want %v in UTC", got, tt.want)
			}
		})
	}
}

func TestDatabases(t *testing.T) {
	tests := []struct {
		name         string
		opts         Options
		user, ecs    string
		wantErrField string
	}{
		{"defaults", Options{}, "`user`", "`ecs`", ""},
		{"named", Options{UserDB: "seatide_test_0a1b", ECSDB: "v1$ecs"}, "`seatide_test_0a1b`", "`v1$ecs`", ""},
		{"backquote", Options{UserDB: "user`; DROP TABLE x; --"}, "", "", "user`"},
		{"dot", Options{ECSDB: "a.b"}, "", "", "a.b"},
		{"too long", Options{ECSDB: strings.Repeat("e", 65)}, "", "", "eeee"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user, ecs, err := databases(tt.opts)
			if tt.wantErrField != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrField) {
					t.Fatalf("err = %v, want one naming %q", err, tt.wantErrField)
				}
				return
			}
			if err != nil || user != tt.user || ecs != tt.ecs {
				t.Errorf("got (%s, %s, %v), want (%s, %s)", user, ecs, err, tt.user, tt.ecs)
			}
		})
	}
}
