package main

import (
	"context"
	"strings"
	"testing"
)

func TestParseUserCreate(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    userCreate
		wantErr string
	}{
		{"name first", []string{"carl", "--email", "x@example.com", "--admin"}, userCreate{"carl", "x@example.com", true}, ""},
		{"flags first", []string{"--admin", "carl", "--email", "x@example.com"}, userCreate{"carl", "x@example.com", true}, ""},
		{"name last", []string{"--email=x@example.com", "carl"}, userCreate{"carl", "x@example.com", false}, ""},
		{"no email", []string{"carl"}, userCreate{}, "user create: --email is missing"},
		{"no name", []string{"--email", "x@example.com"}, userCreate{}, "user create: NAME is missing"},
		{"nothing", nil, userCreate{}, "user create: NAME is missing; --email is missing"},
		{"two names", []string{"carl", "dora", "--email", "x"}, userCreate{}, `user create: one NAME only, got ["carl" "dora"]`},
		{"unknown flag", []string{"carl", "--mail", "x"}, userCreate{}, "flag provided but not defined: -mail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseUserCreate(tt.args)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// TestArgumentsRefused: a command that takes no arguments says so rather
// than ignoring them.
func TestArgumentsRefused(t *testing.T) {
	for _, args := range [][]string{{"serve", "extra"}, {"version", "extra"}, {"migrate"}, {"fly"}} {
		err := run(context.Background(), args)
		if err == nil {
			t.Errorf("%q accepted", args)
			continue
		}
		if !strings.Contains(err.Error(), args[len(args)-1]) && args[0] != "migrate" {
			t.Errorf("%q: %v does not name the argument", args, err)
		}
	}
}
