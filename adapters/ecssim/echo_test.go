package ecssim

import "testing"

func TestEchoOutput(t *testing.T) {
	tests := []struct{ script, want string }{
		{"", ""},
		{"#!/bin/sh\nset -e\necho hello\n", "hello\n"},
		{"echo \"Minecraft 1.21 installed\"\n  echo 'quoted'\necho\napt-get install -y java\n", "Minecraft 1.21 installed\nquoted\n\n"},
		{"echoed=1\necho \"unbalanced\n", "\"unbalanced\n"},
		{"echo done", "done\n"},
		{"echo \"eula=true\" > eula.txt\necho x | tee y\necho 'kept'\n", "kept\n"},
	}
	for _, tt := range tests {
		if got := echoOutput(tt.script); got != tt.want {
			t.Errorf("echoOutput(%q) = %q, want %q", tt.script, got, tt.want)
		}
	}
}
