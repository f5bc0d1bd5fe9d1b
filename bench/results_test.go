package bench

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestTargetMet(t *testing.T) {
	tests := []struct {
		t    Target
		v    float64
		want bool
	}{
		{Target{Op: "<=", Value: 21}, 21, true},
		{Target{Op: "<=", Value: 21}, 21.01, false},
		{Target{Op: ">=", Value: 1}, 1, true},
		{Target{Op: ">=", Value: 1}, 0.99, false},
		{Target{Op: "==", Value: 1}, 1, false}, // unknown operators never pass
	}
	for _, tt := range tests {
		if got := tt.t.Met(tt.v); got != tt.want {
			t.Errorf("%s %v: Met(%v) = %v, want %v", tt.t.Op, tt.t.Value, tt.v, got, tt.want)
		}
	}
}

func sampleResults() Results {
	var r Results
	r.Environment = Environment{CPUs: 2, GoVersion: "go1.26.8", Commit: "0123456789abcdef0123", ReadyProbe: "GET /api", MariaDB: "skipped"}
	r.Add(Figure{ID: "sqlite.rss.idle", Name: "idle RSS", Backend: "sqlite", Unit: "MiB", Serves: "idle RSS <= 21 MiB"}, 29.51649, targetIdleRSS)
	r.Add(Figure{ID: "sqlite.ready", Name: "start-to-ready", Backend: "sqlite", Unit: "ms", Serves: "ready"}, 1.2, targetReady)
	r.Add(Figure{ID: "baseline.check.rps", Name: "baseline check req/s", Unit: "req/s"}, 11456.4, nil)
	r.Missing(Figure{ID: "sqlite.get_server.rps", Name: "get/server req/s", Backend: "sqlite", Unit: "req/s"}, nil, "not served yet", "the route answers NOT_FOUND")
	r.Judge(targetCheckRatio, "sqlite", "20000 req/s", "16000 req/s", "1.25x", 1.25)
	r.Judge(targetIdleRSS, "sqlite", "29.5 MiB", "8.0 MiB", "3.69x", 29.5)
	r.Unjudged(targetLogins, "mysql", "3 wrong answers")
	return r
}

func TestResultsJSON(t *testing.T) {
	b, err := sampleResults().JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Environment map[string]any `json:"environment"`
		Figures     []struct {
			ID     string   `json:"id"`
			Value  *float64 `json:"value"`
			Unit   string   `json:"unit"`
			Met    *bool    `json:"met"`
			Status string   `json:"status"`
			Target *Target  `json:"target"`
		} `json:"figures"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Environment["cpus"] != float64(2) || back.Environment["commit"] == "" {
		t.Errorf("environment = %v", back.Environment)
	}
	if len(back.Figures) != 4 {
		t.Fatalf("%d figures, want 4", len(back.Figures))
	}
	idle := back.Figures[0]
	if idle.Value == nil || *idle.Value != 29.516 || idle.Unit != "MiB" || idle.Met == nil || *idle.Met || idle.Target == nil {
		t.Errorf("idle RSS figure = %+v: want 29.516 MiB, rounded, missed, with its target", idle)
	}
	if ready := back.Figures[1]; ready.Met == nil || !*ready.Met {
		t.Errorf("ready figure not met: %+v", ready)
	}
	if base := back.Figures[2]; base.Met != nil || base.Target != nil {
		t.Errorf("a figure without target has met %v", base.Met)
	}
	if gs := back.Figures[3]; gs.Value != nil || gs.Status != "not served yet" || gs.Met != nil {
		t.Errorf("unserved route = %+v", gs)
	}
	if strings.Contains(string(b), `\u003c`) {
		t.Errorf("targets are HTML-escaped: %s", b)
	}
}

func TestResultsMarkdown(t *testing.T) {
	md := sampleResults().Markdown()
	for _, want := range []string{
		"| figure | value | target | met? |",
		"| target | database | seatide | baseline | ratio | met? |",
		"| check req/s >= 1.0x the baseline's | sqlite | 20000 req/s | 16000 req/s | 1.25x | met |",
		"| idle RSS <= 21 MiB | sqlite | 29.5 MiB | 8.0 MiB | 3.69x | **not met** |",
		"| >= 60 logins/s (2x the peer's ~30) with 16 clients | mysql | 3 wrong answers | - | - | not measured |",
		"| idle RSS (sqlite) | 29.5 MiB | idle RSS <= 21 MiB | **no** |",
		"| start-to-ready (sqlite) | 1.20 ms | start to ready <= 1.5x the baseline's | yes |",
		"| baseline check req/s | 11456 req/s | - | - |",
		"| get/server req/s (sqlite) | not served yet: the route answers NOT_FOUND | - | - |",
		"`0123456789ab`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestCellEscapesPipes(t *testing.T) {
	var r Results
	r.Missing(Figure{Name: "x"}, nil, "failed", `answer "a|b"`)
	if md := r.Markdown(); !strings.Contains(md, `a\|b`) {
		t.Errorf("a pipe in a note breaks the table:\n%s", md)
	}
}
