package aliyunecs_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/seatidemc/seatide/adapters/aliyunecs"
	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/domain"
)

// TestErrorTable: every row of the error table, through the official SDK
// against the simulator answering that code to RunInstances: the row's
// sentinel, the cloud's code kept for history, and a retry (with the same
// ClientToken) exactly for the transient rows.
func TestErrorTable(t *testing.T) {
	t.Parallel()
	transient := map[*domain.Error]bool{domain.ErrThrottled: true, domain.ErrCloudUnavailable: true, domain.ErrCloudBusy: true}
	for _, row := range aliyunecs.CodeRules() {
		code := row.Pattern
		if strings.HasSuffix(code, ".") {
			code += "Example" // a prefix row: any code under it
		}
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			if row.Source == "" {
				t.Fatalf("row %q names no source", row.Pattern)
			}
			s := startSim(t, ecssim.Options{NoDelay: true})
			c := newClient(t, clientConfig(s))
			status := http.StatusBadRequest
			if strings.HasPrefix(code, "ServiceUnavailable") {
				status = http.StatusServiceUnavailable
			}
			s.InjectFault(ecssim.Fault{Action: "RunInstances", Count: 1, Status: status, Code: code, Message: "injected " + code})
			id, _, err := c.RunInstance(ctxT(t), baseSpec(s.RegionID()), "op-table")
			calls := s.calls.get("RunInstances")
			if transient[row.Sentinel] {
				// The retry with the same token succeeds.
				if err != nil || id == "" || calls != 2 {
					t.Fatalf("transient %s: id %q, err %v, %d calls; want a retried success", code, id, err, calls)
				}
				return
			}
			if !errors.Is(err, row.Sentinel) {
				t.Fatalf("%s: err = %v, want %v", code, err, row.Sentinel)
			}
			if got := aliyunecs.CloudCode(err); got != code {
				t.Errorf("CloudCode = %q, want %q", got, code)
			}
			if calls != 1 {
				t.Errorf("%s: %d calls, want 1 (not retried)", code, calls)
			}
		})
	}
}

// Codes the table does not know stay internal errors, and a 5xx is
// transient whatever its code.
func TestErrorTableFallbacks(t *testing.T) {
	t.Parallel()
	s := startSim(t, ecssim.Options{NoDelay: true})
	c := newClient(t, clientConfig(s))
	s.InjectFault(ecssim.Fault{Action: "RunInstances", Count: 1, Status: 400, Code: "SomethingNew.Unknown"})
	_, _, err := c.RunInstance(ctxT(t), baseSpec(s.RegionID()), "op-unknown")
	if domain.ErrorCode(err) != domain.CodeInternal || aliyunecs.CloudCode(err) != "SomethingNew.Unknown" {
		t.Errorf("unknown code: %v", err)
	}
	s.InjectFault(ecssim.Fault{Action: "RunInstances", Count: 1, Status: 502, Code: "BadGateway"})
	if _, _, err := c.RunInstance(ctxT(t), baseSpec(s.RegionID()), "op-5xx"); err != nil {
		t.Errorf("a 502 was not retried: %v", err)
	}
}
