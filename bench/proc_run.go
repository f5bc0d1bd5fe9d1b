package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// process is a child the harness started and must stop.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	err     error
}

// startProcess runs bin with args in dir, its output into logPath.
func startProcess(name, dir string, env []string, logPath, bin string, args ...string) (*process, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *process) Pid() int { return p.cmd.Process.Pid }

// exited reports whether the process has ended, with its log's tail.
func (p *process) exited() error {
	select {
	case <-p.done:
		return fmt.Errorf("%s exited (%v): %s", p.name, p.err, p.logTail())
	default:
		return nil
	}
}

// Stop asks the process to end (SIGTERM), and kills it after timeout.
func (p *process) Stop(timeout time.Duration) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
		return nil
	case <-t.C:
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not stop within %v after SIGTERM: killed", p.name, timeout)
	}
}

func (p *process) logTail() string {
	b, _ := os.ReadFile(p.logPath)
	b = bytes.TrimSpace(b)
	if len(b) > 600 {
		b = b[len(b)-600:]
	}
	return string(b)
}

// runTool runs one command to its end, stdin given, and returns its output.
func runTool(ctx context.Context, dir string, env []string, stdin string, bin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir, cmd.Env = dir, env
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w: %s", bin, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return string(out), nil
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// readyCheck tells whether an answer means "ready".
type readyCheck func(code int, body []byte) bool

func readyzOK(code int, _ []byte) bool { return code == http.StatusOK }

// apiAnswers accepts the v1 http-error answer of GET /api: the service is
// routing requests.
func apiAnswers(code int, body []byte) bool {
	return code == http.StatusOK && bytes.Contains(body, []byte(`"status": "http-error"`))
}

// waitReady polls url every millisecond, each attempt on a new connection,
// until ok accepts an answer, p exits, or timeout passes. It returns when
// the accepted answer arrived.
func waitReady(ctx context.Context, p *process, url string, ok readyCheck, timeout time.Duration) (time.Time, error) {
	client := &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{DisableKeepAlives: true},
	}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return time.Time{}, err
		}
		if resp, err := client.Do(req); err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if ok(resp.StatusCode, body) {
				return time.Now(), nil
			}
		}
		if p != nil {
			if err := p.exited(); err != nil {
				return time.Time{}, err
			}
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("%s: not ready after %v", url, timeout)
		}
		select {
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-tick.C:
		}
	}
}

var errNotServed = errors.New("not served yet")

func mkdir(dir string) error { return os.MkdirAll(dir, 0o755) }
