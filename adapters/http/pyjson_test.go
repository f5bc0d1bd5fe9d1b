package http

import "testing"

func TestMarshalPython(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"ok null", envelope{Status: "ok", Data: nil, hasData: true}, `{"status": "ok", "data": null}` + "\n"},
		{"ng msg", envelope{Status: "ng", Msg: "User not exists."}, `{"status": "ng", "msg": "User not exists."}` + "\n"},
		{"separators inside strings kept", map[string]string{"a": "x, y: z"}, `{"a": "x, y: z"}` + "\n"},
		{"escaped quote", []string{`say "hi", ok`}, `["say \"hi\", ok"]` + "\n"},
		{"non-ascii", "ünï密", `"\u00fcn\u00ef\u5bc6"` + "\n"},
		{"astral", "a😀", `"a\ud83d\ude00"` + "\n"},
		{"no html escaping", "<a&b>", `"<a&b>"` + "\n"},
		{"no html escaping inside an envelope", envelope{Status: "ok", Data: map[string]string{"detail": "a -> b & c"}, hasData: true},
			`{"status": "ok", "data": {"detail": "a -> b & c"}}` + "\n"},
		{"nor in a failure", envelope{Status: "ng", Msg: "x <y>"}, `{"status": "ng", "msg": "x <y>"}` + "\n"},
		{"numbers", map[string]any{"n": 1.5, "l": []int{1, 2}}, `{"l": [1, 2], "n": 1.5}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := marshalPython(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
