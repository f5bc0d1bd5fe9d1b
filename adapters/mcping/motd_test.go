package mcping

import "testing"

func TestMOTD(t *testing.T) {
	tests := []struct {
		name string
		desc any
		want string
	}{
		{"none", nil, ""},
		{"legacy string keeps its reset", "§aSea§rTide", "§aSea§rTide"},
		{"text alone is kept as sent", map[string]any{"text": "§6Gold §lbold"}, "§6Gold §lbold"},
		{"components are flattened", map[string]any{"text": "", "extra": []any{map[string]any{"text": "Sea", "color": "aqua"}}}, "§bSea"},
		{"a stray § still gives the text", map[string]any{"text": "broken §", "extra": []any{}}, "broken §"},
		{"something else", 42.0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := motd(tt.desc); got != tt.want {
				t.Errorf("motd = %q, want %q", got, tt.want)
			}
		})
	}
}
