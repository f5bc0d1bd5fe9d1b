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
// match when the pattern ends in ".". source says where the code and its
// meaning come from.
type codeRule struct {
	pattern  string
	sentinel *domain.Error
	source   string
}

// Sources of the error table.
const (
	srcWire      = "docs/ecs-wire.md (seen on the wire)"
	srcTFRetry   = "terraform-provider-alicloud alicloud/errors.go NeedRetry"
	srcTFDelete  = "terraform-provider-alicloud resource_alicloud_instance.go delete retry list"
	srcTFCreate  = "terraform-provider-alicloud resource_alicloud_instance.go RunInstances retry list"
	srcTFProcess = "terraform-provider-alicloud resource_alicloud_instance.go (LastTokenProcessing, LastRequestProcessing, LastOrderProcessing retried)"
	srcTFGone    = "terraform-provider-alicloud alicloud/errors.go EcsNotFound"
	srcRunAPI    = "ECS API reference, RunInstances/CreateInstance error codes"
	srcStartAPI  = "ECS API reference, StartInstance error codes"
	srcErrAPI    = "ECS API reference, public error codes"
	srcIdemAPI   = "ECS API reference, How to ensure idempotence"
	srcIssue     = "issue 15: seen on a real account"
	srcBSSSite   = "bssopenapi-20171214 v6.1.1 client.go endpoint map; BSS API reference: for the international site, select Singapore"
	srcSnapAPI   = "ECS API reference, CreateSnapshot/DescribeSnapshots/DeleteSnapshot (the rules adapters/ecssim/snapshots.go enforces)"
)

// codeDryRunOK is the answer of a dry run that would have succeeded (the
// SDK's DryRun comments); it is no failure for CheckCreate.
const codeDryRunOK = "DryRunOperation"

// codeRules is the one table from Aliyun's error codes to domain errors.
// Capacity refusals (ErrNoStock) and a vSwitch in the wrong zone
// (ErrCloudMismatch) make a create try its next offer; ErrThrottled,
// ErrCloudUnavailable and ErrCloudBusy are retried with the same
// ClientToken. Every row has a test through the SDK against the simulator
// (TestErrorTable).
var codeRules = []codeRule{
	{"Throttling", domain.ErrThrottled, srcTFRetry},
	{"Throttling.", domain.ErrThrottled, srcTFRetry},
	{"Rejected.Throttling", domain.ErrThrottled, srcTFRetry},
	{"ServiceUnavailable", domain.ErrCloudUnavailable, srcTFRetry},
	{"ServiceUnavailable.", domain.ErrCloudUnavailable, srcTFRetry},
	{"LastTokenProcessing", domain.ErrCloudBusy, srcTFProcess},
	{"LastRequestProcessing", domain.ErrCloudBusy, srcTFProcess},
	{"LastOrderProcessing", domain.ErrCloudBusy, srcTFProcess},
	{"Idempotence.Processing", domain.ErrCloudBusy, srcIdemAPI},
	{"IncorrectVSwitchStatus", domain.ErrCloudBusy, srcTFCreate},
	{"IncorrectInstanceStatus", domain.ErrWrongState, srcTFDelete},
	{"IncorrectInstanceStatus.", domain.ErrWrongState, srcTFDelete},
	{"InvalidInstance.NotRunning", domain.ErrWrongState, srcWire},
	{"InvalidInstanceId.NotFound", domain.ErrCloudNotFound, srcTFGone},
	{"Forbidden.InstanceNotFound", domain.ErrCloudNotFound, srcTFGone},
	{"InvalidInvokeId.NotFound", domain.ErrCloudNotFound, srcWire},
	{"OperationDenied.NoStock", domain.ErrNoStock, srcRunAPI},
	{"Zone.NotOnSale", domain.ErrNoStock, srcRunAPI},
	{"InvalidResourceType.NotSupported", domain.ErrNoStock, srcRunAPI},
	{"InstanceType.Offline", domain.ErrNoStock, srcRunAPI},
	{"InvalidInstanceType.ZoneNotSupported", domain.ErrNoStock, srcRunAPI},
	{"OperationDenied", domain.ErrNoStock, srcRunAPI}, // "out of usage": the type is not sold here
	{"InvalidDiskCategory.NotSupported", domain.ErrNoStock, srcRunAPI},
	{"InvalidSystemDiskCategory.ValueNotSupported", domain.ErrNoStock, srcRunAPI},
	{"InvalidDataDiskCategory.ValueNotSupported", domain.ErrNoStock, srcRunAPI},
	{"LackResource", domain.ErrNoStock, srcStartAPI},
	{"InvalidAccessKeyId.", domain.ErrCloudAuth, srcWire},
	{"InvalidAccessKeyId", domain.ErrCloudAuth, srcWire},
	{"SignatureDoesNotMatch", domain.ErrCloudAuth, srcWire},
	{"IncompleteSignature", domain.ErrCloudAuth, srcWire},
	{"InvalidSecurityToken.", domain.ErrCloudAuth, srcErrAPI},
	{"Forbidden.RAM", domain.ErrCloudAuth, srcErrAPI},
	{"Forbidden.AccessKeyDisabled", domain.ErrCloudAuth, srcErrAPI},
	{"Forbidden.SubUser", domain.ErrCloudAuth, srcErrAPI},
	{"NoPermission", domain.ErrCloudAuth, srcErrAPI},
	{"InvalidAccountStatus.NotEnoughBalance", domain.ErrNoBalance, srcWire},
	{"InsufficientBalance", domain.ErrNoBalance, srcErrAPI},
	{"Account.Arrearage", domain.ErrNoBalance, srcRunAPI},
	{"QuotaExceed.", domain.ErrQuota, srcWire},
	{"QuotaExceeded", domain.ErrQuota, srcRunAPI},
	{"QuotaExceeded.", domain.ErrQuota, srcRunAPI},
	{"InvalidParameter.Mismatch", domain.ErrCloudMismatch, srcIssue},
	{"InvalidVSwitchId.NotFound", domain.ErrCloudConfig, srcRunAPI},
	{"InvalidSecurityGroupId.NotFound", domain.ErrCloudConfig, srcErrAPI},
	{"InvalidImageId.NotFound", domain.ErrCloudConfig, srcErrAPI},
	{"InvalidPassword.Malformed", domain.ErrCloudConfig, srcErrAPI},
	{"InvalidSpotPriceLimit.LowerThanPublicPrice", domain.ErrSpotPriceTooLow, srcRunAPI},
	// BSS: NotApplicable is how BSS refuses an account of the other site
	// (international accounts are served at business.ap-southeast-1);
	// NotAuthorized a RAM user without the bss actions.
	{"NotApplicable", domain.ErrBillingNotApplicable, srcBSSSite},
	{"NotAuthorized", domain.ErrBillingNotAuthorized, srcIssue},
	// Disks and snapshots (the world, issue 16).
	{"InvalidDiskId.NotFound", domain.ErrCloudNotFound, srcSnapAPI},
	{"InvalidSnapshotId.NotFound", domain.ErrCloudNotFound, srcSnapAPI},
	{"IncorrectDiskStatus", domain.ErrWrongState, srcSnapAPI},
	{"IncorrectDiskStatus.", domain.ErrWrongState, srcSnapAPI},
}

// CodeRule is one row of the error table, for tests and documentation.
type CodeRule struct {
	Pattern  string // exact code, or a prefix ending in "."
	Sentinel *domain.Error
	Source   string
}

// CodeRules returns the error table.
func CodeRules() []CodeRule {
	out := make([]CodeRule, 0, len(codeRules))
	for _, r := range codeRules {
		out = append(out, CodeRule{r.pattern, r.sentinel, r.source})
	}
	return out
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
	return errors.Is(err, domain.ErrThrottled) || errors.Is(err, domain.ErrCloudUnavailable) || errors.Is(err, domain.ErrCloudBusy)
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
