package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// asMain makes this test binary act as the seatide command, so that the
// README test runs `./bin/seatide ...` without building anything. The
// SEATIDE_TEST_ prefix keeps LoadConfig from refusing it as an unknown key.
const asMain = "SEATIDE_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMain) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// readmeSection is the part of the README whose shell blocks the test runs.
const readmeSection = "## A walk-through with curl"

// TestREADMEWalkThrough runs the README's walk-through as a reader would,
// in a fresh directory: every ```sh block of the section in order, in one
// shell, against `./bin/seatide serve` (this binary), on a free port
// instead of 5000. A comment line `# {...}` after a command is its answer:
// it must match, with "..." matching anything and times, tokens and
// instance ids masked. A command whose comment says "repeat until" is
// repeated (for up to a minute) until its answer matches, as the reader is
// told to. A line running `make run` restarts the service with the
// variables it sets.
func TestREADMEWalkThrough(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs the service and curl (skipped by -short)")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("the README's commands need curl")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	steps := parseWalkThrough(t, string(readme))
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "bin", "seatide"), fmt.Sprintf("#!/bin/sh\n%s=1 exec '%s' \"$@\"\n", asMain, self), 0o755)
	script, err := os.ReadFile("../../testdata/deploy/run.sh")
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(dir, "testdata", "deploy", "run.sh"), string(script), 0o644)

	svc := &readmeService{t: t, dir: dir, bin: filepath.Join(dir, "bin", "seatide")}
	defer svc.stop()
	svc.start(nil) // "With `make run` going in one terminal"
	sh := newShell(t, dir)
	defer sh.close()
	for _, st := range steps {
		if env, ok := makeRun(st.cmd); ok {
			svc.stop()
			svc.start(env)
			continue
		}
		cmd := strings.NewReplacer("http://127.0.0.1:5000", "http://"+svc.addr, "localhost:5000", svc.addr).Replace(st.cmd)
		deadline := time.Now().Add(time.Minute)
		for {
			out := sh.run(cmd)
			t.Logf("README line %d => %s", st.line, out)
			if st.want == "" || matches(st.want, out) {
				break
			}
			if !st.repeat || time.Now().After(deadline) {
				t.Fatalf("README line %d: %s\ngot:  %s\nwant: %s\nservice log:\n%s", st.line, st.cmd, out, st.want, svc.log.String())
			}
			time.Sleep(200 * time.Millisecond) // the reader's "repeat until"
		}
	}
}

type readmeStep struct {
	line   int
	cmd    string
	want   string // "" when the README shows no answer
	repeat bool
}

// parseWalkThrough returns the commands of the section's ```sh blocks, with
// continued lines joined and each answer attached to its command.
func parseWalkThrough(t *testing.T, readme string) []readmeStep {
	start := strings.Index(readme, "\n"+readmeSection+"\n")
	if start < 0 {
		t.Fatalf("README has no %q section", readmeSection)
	}
	body := readme[start+1:]
	if end := strings.Index(body[len(readmeSection):], "\n## "); end >= 0 {
		body = body[:len(readmeSection)+end]
	}
	lineNo := strings.Count(readme[:start+1], "\n") + 1
	var steps []readmeStep
	inBlock, pending, pendingLine := false, "", 0
	for i, line := range strings.Split(body, "\n") {
		n := lineNo + i
		switch {
		case strings.HasPrefix(line, "```sh"):
			inBlock = true
			continue
		case strings.HasPrefix(line, "```"):
			inBlock = false
			continue
		case !inBlock:
			continue
		}
		if pending != "" {
			pending += "\n" + line
		} else {
			pending, pendingLine = line, n
		}
		if strings.HasSuffix(line, `\`) {
			continue
		}
		logical := pending
		pending = ""
		trimmed := strings.TrimSpace(logical)
		switch {
		case trimmed == "":
		case strings.HasPrefix(trimmed, "# {") || strings.HasPrefix(trimmed, "# ["):
			if len(steps) == 0 || steps[len(steps)-1].want != "" {
				t.Fatalf("README line %d: an answer with no command before it", n)
			}
			steps[len(steps)-1].want = strings.TrimPrefix(trimmed, "# ")
		case strings.HasPrefix(trimmed, "#"):
		default:
			steps = append(steps, readmeStep{line: pendingLine, cmd: logical, repeat: strings.Contains(logical, "repeat until")})
		}
	}
	if len(steps) == 0 {
		t.Fatal("no commands found in the walk-through")
	}
	return steps
}

// makeRun recognises `VAR=x VAR2=y make run` and returns the variables.
func makeRun(cmd string) ([]string, bool) {
	code, _, _ := strings.Cut(cmd, "#")
	fields := strings.Fields(code)
	if len(fields) < 2 || fields[len(fields)-2] != "make" || fields[len(fields)-1] != "run" {
		return nil, false
	}
	return fields[:len(fields)-2], true
}

var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?Z?`), "<time>"},
	{regexp.MustCompile(`eyJ[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*(\.\.\.)?`), "<token>"}, // "eyJhbGci..." in the README too
	{regexp.MustCompile(`i-sim[0-9a-z]+`), "<instance>"},
	{regexp.MustCompile(`127\.0\.1\.\d+`), "<simulated ip>"},
}

func mask(s string) string {
	for _, v := range volatile {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}

// matches compares an answer with the README's, "..." matching anything.
func matches(want, got string) bool {
	parts := strings.Split(mask(want), "...")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re := regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
	return re.MatchString(mask(strings.TrimSpace(got)))
}

func mustWrite(t *testing.T, path, body string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
}

// readmeService is `make run`: ./bin/seatide serve in the clone's directory.
type readmeService struct {
	t    *testing.T
	dir  string
	bin  string
	cmd  *exec.Cmd
	addr string
	log  syncBuffer
}

func (s *readmeService) start(env []string) {
	s.t.Helper()
	cmd := exec.Command(s.bin, "serve")
	cmd.Dir = s.dir
	cmd.Env = append(cleanEnv(), env...)
	// A free port rather than 5000, and no waiting on simulated state
	// changes: the commands are the README's, the pace is not.
	cmd.Env = append(cmd.Env, "SEATIDE_LISTEN=127.0.0.1:0", "SEATIDE_SIM_TRANSITION_TIME=0s")
	cmd.Stderr = &s.log
	out, err := cmd.StdoutPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.cmd = cmd
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "seatide listening on http://")
	if err != nil || !ok {
		s.t.Fatalf("serve said %q, %v\n%s", line, err, s.log.String())
	}
	go io.Copy(io.Discard, out)
	s.addr = addr
}

func (s *readmeService) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	_ = s.cmd.Wait()
	s.cmd = nil
}

// cleanEnv is the test's environment without SEATIDE_ settings, which the
// README's reader would not have.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SEATIDE_") {
			env = append(env, kv)
		}
	}
	return env
}

// shell is one sh process fed the README's commands, so that variables and
// functions (TOKEN, B, act) carry from one command to the next.
type shell struct {
	t   *testing.T
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

const endMarker = "__README_STEP_DONE__"

func newShell(t *testing.T, dir string) *shell {
	cmd := exec.Command("sh")
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), "PATH="+filepath.Join(dir, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sh := &shell{t: t, cmd: cmd, in: in, out: bufio.NewReader(out)}
	sh.run("exec 2>&1")
	return sh
}

func (sh *shell) run(command string) string {
	sh.t.Helper()
	if _, err := fmt.Fprintf(sh.in, "%s\nprintf '\\n%s\\n'\n", command, endMarker); err != nil {
		sh.t.Fatal(err)
	}
	var b strings.Builder
	for {
		line, err := sh.out.ReadString('\n')
		if strings.TrimSpace(line) == endMarker {
			return strings.TrimSpace(b.String())
		}
		b.WriteString(line)
		if err != nil {
			sh.t.Fatalf("the shell ended: %v\n%s", err, b.String())
		}
	}
}

func (sh *shell) close() {
	_ = sh.in.Close()
	_ = sh.cmd.Wait()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
