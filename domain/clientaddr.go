package domain

import "context"

type clientAddrKey struct{}

// WithClientAddr returns ctx carrying the address of the client behind a
// request, as the HTTP adapter established it (the socket peer, or a
// trusted proxy's header): login and sign-up limits count per address.
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// ClientAddrFrom returns the client address ctx carries, or "".
func ClientAddrFrom(ctx context.Context) string {
	a, _ := ctx.Value(clientAddrKey{}).(string)
	return a
}
