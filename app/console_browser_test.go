package app_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/seatidemc/seatide/app"
)

// consoleWeb is the console's source folder, where its browser tests live.
const consoleWeb = "../adapters/console/web"

// TestConsoleInBrowser runs the console's browser suite
// (adapters/console/web/tests, Node's test runner driving Debian's chromium
// through playwright-core) against the whole service on the simulator.
// Locally it skips when chromium or the npm packages are missing; under
// CI=true (.ci/run installs both) it fails instead.
func TestConsoleInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	var missing string
	if _, err := os.Stat(chromium); err != nil {
		missing = "chromium (apt-get install chromium)"
	} else if _, err := os.Stat(filepath.Join(consoleWeb, "node_modules", "playwright-core")); err != nil {
		missing = "the console's npm packages (cd adapters/console/web && npm ci)"
	} else if _, err := exec.LookPath("node"); err != nil {
		missing = "node (apt-get install nodejs)"
	}
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the browser tests need %s", missing)
		}
		t.Skipf("skipping the browser tests: %s is missing", missing)
	}

	s := startService(t, func(c *app.Config) {
		instantCloud(c)
		// Slow enough for a person (and the test) to see the steps go by.
		c.Sim.TransitionTime = 300 * time.Millisecond
		c.ECS.PollInterval = 50 * time.Millisecond
		c.Minecraft.CacheTTL = 200 * time.Millisecond
		// A world delete waits for the start's background steps and then
		// saves and snapshots: the walk below deletes right after a start,
		// so it runs without the world (world_e2e_test.go covers it).
		c.World.Enabled = false
	})
	shots := os.Getenv("SEATIDE_SHOTS")
	if shots == "" {
		shots = filepath.Join(t.TempDir(), "screenshots")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "--test", "--test-reporter=spec", "--test-concurrency=1", "tests/")
	cmd.Dir = consoleWeb
	cmd.Env = append(os.Environ(), "SEATIDE_URL="+s.base, "SEATIDE_SIM_URL="+s.app.Simulator().URL,
		"SEATIDE_SHOTS="+shots, "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("browser suite (screenshots in %s):\n%s", shots, out)
	if err != nil {
		t.Fatalf("the browser suite failed: %v", err)
	}
}
