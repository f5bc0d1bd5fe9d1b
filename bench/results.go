package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// Target is a goal a figure is held to: Value compared by Op ("<=" or
// ">="). Text says it as the issue does.
type Target struct {
	Op    string  `json:"op"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
	Text  string  `json:"text"`
}

// Figure is one measured number. Value is nil when it could not be
// measured (Status says why); Met is nil when there is no target or no value.
type Figure struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Backend string   `json:"backend,omitempty"` // sqlite, mysql, or "" for the baseline
	Value   *float64 `json:"value"`
	Unit    string   `json:"unit"`
	Target  *Target  `json:"target,omitempty"`
	Serves  string   `json:"serves"` // the target or purpose this figure serves
	Met     *bool    `json:"met"`
	Status  string   `json:"status"` // measured, not served yet, failed, skipped
	Note    string   `json:"note,omitempty"`
}

// Environment is where and how the figures were taken.
type Environment struct {
	CPUs       int    `json:"cpus"`
	CPUModel   string `json:"cpu_model,omitempty"`
	GoVersion  string `json:"go_version"`
	Commit     string `json:"commit"`
	Dirty      bool   `json:"dirty"`
	OS         string `json:"os"`
	Generator  string `json:"load_generator"`
	StartedAt  string `json:"started_at"` // the machine's clock, which may be off
	Settings   string `json:"settings"`   // durations, connections, rates used
	ReadyProbe string `json:"ready_probe"`
	MariaDB    string `json:"mariadb"` // used, or why not
	// ServiceEnv is what the run added to the service's configuration;
	// empty for the defaults.
	ServiceEnv []string `json:"service_env,omitempty"`
	// LoadAvg is /proc/loadavg's 1-minute figure before and after: other
	// work on the machine makes every figure noisier.
	LoadAvgStart float64 `json:"loadavg_start"`
	LoadAvgEnd   float64 `json:"loadavg_end"`
}

// Verdict is one target judged: seatide's figure beside the baseline's,
// their ratio, and whether the target is met.
type Verdict struct {
	Target   string `json:"target"`
	Backend  string `json:"backend"`
	Value    string `json:"value"`
	Baseline string `json:"baseline"` // "-" when the target has no baseline
	Ratio    string `json:"ratio"`    // "-" likewise
	Met      *bool  `json:"met"`      // nil: not measured
}

// Judge adds the verdict of t on judged (the value or the ratio, as t's
// unit says).
func (r *Results) Judge(t *Target, backend, value, baseline, ratio string, judged float64) {
	met := t.Met(judged)
	r.Verdicts = append(r.Verdicts, Verdict{Target: t.Text, Backend: backend, Value: value, Baseline: baseline, Ratio: ratio, Met: &met})
}

// Unjudged records a target that could not be measured.
func (r *Results) Unjudged(t *Target, backend, why string) {
	r.Verdicts = append(r.Verdicts, Verdict{Target: t.Text, Backend: backend, Value: why, Baseline: "-", Ratio: "-"})
}

// Results is the whole of results.json.
type Results struct {
	Environment Environment `json:"environment"`
	Verdicts    []Verdict   `json:"verdicts"`
	Figures     []Figure    `json:"figures"`
	Notes       []string    `json:"notes,omitempty"`
}

// Add records a measured value, judging it against t when t is not nil.
func (r *Results) Add(f Figure, value float64, t *Target) {
	v := round(value)
	f.Value, f.Target, f.Status = &v, t, "measured"
	if t != nil {
		met := t.Met(value)
		f.Met = &met
	}
	r.Figures = append(r.Figures, f)
}

// Missing records a figure that has no value, saying why in status.
func (r *Results) Missing(f Figure, t *Target, status, note string) {
	f.Target, f.Status, f.Note = t, status, note
	r.Figures = append(r.Figures, f)
}

// Met reports whether v meets the target.
func (t Target) Met(v float64) bool {
	switch t.Op {
	case "<=":
		return v <= t.Value
	case ">=":
		return v >= t.Value
	}
	return false
}

// round keeps three decimals: figures are measurements, not exact values.
func round(v float64) float64 { return math.Round(v*1000) / 1000 }

// JSON is results.json's content.
func (r Results) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // "<=" stays readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Markdown is results.md's content: the environment in a line, then one
// table row per figure.
func (r Results) Markdown() string {
	var b strings.Builder
	e := r.Environment
	b.WriteString("# seatide benchmark results\n\n")
	fmt.Fprintf(&b, "Commit `%s`%s, %s, %d CPU (%s), %s; load by %s; %s.\n",
		short(e.Commit), map[bool]string{true: " (uncommitted changes)", false: ""}[e.Dirty],
		e.GoVersion, e.CPUs, orDash(e.CPUModel), e.OS, e.Generator, e.Settings)
	if len(e.ServiceEnv) > 0 {
		fmt.Fprintf(&b, "**Not the defaults**: the service ran with %s.\n", strings.Join(e.ServiceEnv, " "))
	}
	fmt.Fprintf(&b, "Load average %.2f at the start, %.2f at the end. Ready probe: %s. MariaDB: %s.\n\n",
		e.LoadAvgStart, e.LoadAvgEnd, e.ReadyProbe, e.MariaDB)
	b.WriteString(r.VerdictTable())
	b.WriteString("\n## Every figure\n\n")
	b.WriteString("| figure | value | target | met? |\n|---|---|---|---|\n")
	for _, f := range r.Figures {
		name := f.Name
		if f.Backend != "" {
			name += " (" + f.Backend + ")"
		}
		target := "-"
		if f.Target != nil {
			target = f.Target.Text
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(name), cell(f.valueText()), cell(target), f.metText())
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	return b.String()
}

// VerdictTable is the targets, one row each: the figure, the baseline's,
// the ratio and whether it is met.
func (r Results) VerdictTable() string {
	var b strings.Builder
	b.WriteString("| target | database | seatide | baseline | ratio | met? |\n|---|---|---|---|---|---|\n")
	for _, v := range r.Verdicts {
		met := "not measured"
		if v.Met != nil {
			met = map[bool]string{true: "met", false: "**not met**"}[*v.Met]
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", cell(v.Target), cell(orDash(v.Backend)), cell(v.Value), cell(v.Baseline), cell(v.Ratio), met)
	}
	return b.String()
}

func (f Figure) valueText() string {
	if f.Value == nil {
		if f.Note != "" {
			return f.Status + ": " + f.Note
		}
		return f.Status
	}
	s := formatNumber(*f.Value) + " " + f.Unit
	if f.Note != "" {
		s += " (" + f.Note + ")"
	}
	return s
}

func (f Figure) metText() string {
	switch {
	case f.Met == nil:
		return "-"
	case *f.Met:
		return "yes"
	}
	return "**no**"
}

// formatNumber prints big numbers whole and small ones with what precision
// they carry.
func formatNumber(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
