package migrations_test

import (
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/seatidemc/seatide/migrations"
)

// Every dialect has the same numbered files, each with an Up and a Down.
func TestDialectsAgree(t *testing.T) {
	var want []string
	for i, d := range migrations.Dialects {
		fsys, err := migrations.FS(d)
		if err != nil {
			t.Fatal(err)
		}
		names, err := fs.Glob(fsys, "*.sql")
		if err != nil || len(names) == 0 {
			t.Fatalf("%s: no migrations (%v)", d, err)
		}
		if i == 0 {
			want = names
		} else if !slices.Equal(names, want) {
			t.Errorf("%s has %v, %s has %v: every version must exist for every dialect", d, names, migrations.Dialects[0], want)
		}
		for _, n := range names {
			b, err := fs.ReadFile(fsys, n)
			if err != nil {
				t.Fatal(err)
			}
			s := string(b)
			up, down := strings.Index(s, "-- +goose Up"), strings.Index(s, "-- +goose Down")
			if up < 0 || down < up {
				t.Errorf("%s/%s: want a -- +goose Up section followed by -- +goose Down", d, n)
			}
		}
	}
	if _, err := migrations.FS("oracle"); err == nil {
		t.Error("FS accepted an unknown dialect")
	}
}
