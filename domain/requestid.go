package domain

import "context"

type requestIDKey struct{}

// WithRequestID returns ctx carrying id, the X-Request-Id of the API request
// being served, so that history rows and cloud call logs can name it.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom returns the request id ctx carries, or "" (e.g. for the
// monitors, which no request started).
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
