package ecssim

import (
	"fmt"
	"net/http"
)

// apiError is an Aliyun-style error: the HTTP status and the Code/Message
// that end up in *tea.SDKError on the client side.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

func newErr(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Codes and statuses as the real ECS endpoint returns them (see docs/ecs-wire.md).
func errMissing(param string) *apiError {
	return newErr(http.StatusBadRequest, "MissingParameter",
		"The input parameter %q that is mandatory for processing this request is not supplied.", param)
}

func errInvalid(param, value string) *apiError {
	return newErr(http.StatusBadRequest, "InvalidParameter",
		"The specified parameter %q is not valid: %q.", param, value)
}

func errInstanceNotFound(id string) *apiError {
	return newErr(http.StatusNotFound, "InvalidInstanceId.NotFound",
		"The specified InstanceId does not exist. (%s)", id)
}

// errIncorrectStatus names the current status so that callers (and the UI,
// which looks for "is Running but") can tell the operator what happened.
func errIncorrectStatus(id, status string) *apiError {
	return newErr(http.StatusForbidden, "IncorrectInstanceStatus",
		"The current status of the resource does not support this operation. (instance %s is %s)", id, status)
}

func errNoStock(zone, typ string) *apiError {
	return newErr(http.StatusForbidden, "OperationDenied.NoStock",
		"Sales of this resource are temporarily suspended in the specified region; please try again later. (%s in %s)", typ, zone)
}

func errThrottled() *apiError {
	return newErr(http.StatusBadRequest, "Throttling.User", "Request was denied due to user flow control.")
}

func errUnavailable() *apiError {
	return newErr(http.StatusServiceUnavailable, "ServiceUnavailable",
		"The request has failed due to a temporary failure of the server.")
}

func errIdempotentMismatch() *apiError {
	return newErr(http.StatusBadRequest, "IdempotentParameterMismatch",
		"The request uses the same client token as a previous, but non-identical request.")
}

// errLastTokenProcessing: a request with this ClientToken is still being
// processed. terraform-provider-alicloud retries it (with Throttling) on
// DeleteInstance and on its create/modify calls (LastTokenProcessing,
// LastRequestProcessing, LastOrderProcessing), so it is transient.
func errLastTokenProcessing() *apiError {
	return newErr(http.StatusBadRequest, "LastTokenProcessing", "The last token request is processing.")
}
