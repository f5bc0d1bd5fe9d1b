package aliyunecs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/alibabacloud-go/tea/tea"

	"github.com/seatidemc/seatide/domain"
)

// callError is the cause kept inside the domain sentinel: which action
// failed, with the cloud's code, HTTP status and request id. Its text is
// for logs; callers use errors.Is on the sentinel and CloudCode.
type callError struct {
	Product   string // "ecs" when empty
	Action    string
	Code      string // the cloud's error code, "" for transport errors
	Status    int    // HTTP status, 0 for transport errors
	RequestID string
	err       error // the SDK or transport error
}

func (e *callError) Error() string {
	var b strings.Builder
	if e.Product == "" {
		b.WriteString("ecs ")
	} else {
		b.WriteString(e.Product + " ")
	}
	b.WriteString(e.Action)
	if e.Status != 0 || e.Code != "" {
		fmt.Fprintf(&b, ": %d %s", e.Status, e.Code)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request %s)", e.RequestID)
	}
	if e.err != nil {
		b.WriteString(": ")
		b.WriteString(e.err.Error())
	}
	return b.String()
}

func (e *callError) Unwrap() error { return e.err }

// CloudCode returns the cloud's error code carried by err (e.g.
// "IncorrectInstanceStatus", "Throttling.User"), or "" when err did not come
// from an answer of the cloud. Meant for history rows and logs.
func CloudCode(err error) string {
	var ce *callError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return ""
}

// codeRule maps a cloud error code to a sentinel: exact match, or prefix
// match when the pattern ends in ".".
type codeRule struct {
	pattern  string
	sentinel *domain.Error
}

var codeRules = []codeRule{
	{"Throttling", domain.ErrThrottled},
	{"Throttling.", domain.ErrThrottled},
	{"ServiceUnavailable", domain.ErrCloudUnavailable},
	{"ServiceUnavailable.", domain.ErrCloudUnavailable},
	{"IncorrectInstanceStatus", domain.ErrWrongState},
	{"IncorrectInstanceStatus.", domain.ErrWrongState},
	{"InvalidInstance.NotRunning", domain.ErrWrongState},
	{"InvalidInstanceId.NotFound", domain.ErrCloudNotFound},
	{"InvalidInvokeId.NotFound", domain.ErrCloudNotFound},
	{"OperationDenied.NoStock", domain.ErrNoStock},
	{"Zone.NotOnSale", domain.ErrNoStock},
	{"InvalidResourceType.NotSupported", domain.ErrNoStock},
	{"InvalidAccessKeyId.", domain.ErrCloudAuth},
	{"InvalidAccessKeyId", domain.ErrCloudAuth},
	{"SignatureDoesNotMatch", domain.ErrCloudAuth},
	{"IncompleteSignature", domain.ErrCloudAuth},
	{"InvalidSecurityToken.", domain.ErrCloudAuth},
	{"Forbidden.RAM", domain.ErrCloudAuth},
	{"Forbidden.AccessKeyDisabled", domain.ErrCloudAuth},
	{"Forbidden.SubUser", domain.ErrCloudAuth},
	{"NoPermission", domain.ErrCloudAuth},
	{"InvalidAccountStatus.NotEnoughBalance", domain.ErrNoBalance},
	{"QuotaExceed.", domain.ErrQuota},
	// Disks and snapshots (the world, issue 16).
	{"InvalidDiskId.NotFound", domain.ErrCloudNotFound},
	{"InvalidSnapshotId.NotFound", domain.ErrCloudNotFound},
	{"IncorrectDiskStatus", domain.ErrWrongState},
	{"IncorrectDiskStatus.", domain.ErrWrongState},
}

// sentinelFor returns the sentinel of a cloud error code and HTTP status,
// or nil for an unexpected error.
func sentinelFor(code string, status int) *domain.Error {
	for _, r := range codeRules {
		if code == r.pattern || (strings.HasSuffix(r.pattern, ".") && strings.HasPrefix(code, r.pattern)) {
			return r.sentinel
		}
	}
	if status >= 500 {
		return domain.ErrCloudUnavailable
	}
	return nil
}

// mapError is the one place SDK and transport errors become domain errors.
func mapError(product, action string, err error) error {
	if err == nil {
		return nil
	}
	var sdk *tea.SDKError
	if errors.As(err, &sdk) {
		ce := &callError{
			Product:   product,
			Action:    action,
			Code:      tea.StringValue(sdk.Code),
			Status:    tea.IntValue(sdk.StatusCode),
			RequestID: sdkRequestID(sdk),
			err:       err,
		}
		if s := sentinelFor(ce.Code, ce.Status); s != nil {
			return domain.Wrap(s, ce)
		}
		return domain.Internal(ce, "unexpected cloud error")
	}
	ce := &callError{Product: product, Action: action, err: err}
	if isTransportError(err) {
		return domain.Wrap(domain.ErrCloudUnavailable, ce)
	}
	return domain.Internal(ce, "unexpected cloud error")
}

// sdkRequestID digs the RequestId out of the error body the SDK keeps as
// JSON in Data.
func sdkRequestID(e *tea.SDKError) string {
	if e.Data == nil {
		return ""
	}
	var body struct {
		RequestID  string `json:"RequestId"`
		RequestID2 string `json:"requestId"`
	}
	if json.Unmarshal([]byte(*e.Data), &body) != nil {
		return ""
	}
	if body.RequestID != "" {
		return body.RequestID
	}
	return body.RequestID2
}

// isTransportError reports failures to reach the cloud or to read its
// answer: timeouts, refused or reset connections, DNS failures, cut bodies.
func isTransportError(err error) bool {
	var ne net.Error
	var ue *url.Error
	var oe *net.OpError
	var de *net.DNSError
	switch {
	case errors.As(err, &ne), errors.As(err, &ue), errors.As(err, &oe), errors.As(err, &de):
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, context.DeadlineExceeded):
		return true
	}
	return false
}

// transient reports whether err may go away by itself: worth a retry.
func transient(err error) bool {
	return errors.Is(err, domain.ErrThrottled) || errors.Is(err, domain.ErrCloudUnavailable)
}

// backoff returns the wait after the given failed attempt (1-based): full
// jitter over min(MaxDelay, BaseDelay*2^(attempt-1)).
func backoff(r Retry, attempt int) time.Duration {
	ceil := r.BaseDelay
	for i := 1; i < attempt && ceil < r.MaxDelay; i++ {
		ceil *= 2
	}
	ceil = min(ceil, r.MaxDelay)
	if ceil <= 0 {
		return 0
	}
	return rand.N(ceil + 1)
}

// sleepCtx waits d or until ctx ends, whichever is first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
