package domain

import "context"

// The front door (wake on join) sees the server through an Outlook and
// wakes it as a player's bound seatide user.

// Outlook is what a player at the front door needs to know about the game
// server: whether there is one and in what state, how far a wake is, and
// what playing costs.
type Outlook struct {
	// Status is the recorded instance's cloud status; "" when none is
	// recorded. Creating is true while `new` has no instance id yet.
	Status   InstanceStatus
	Creating bool
	IP       string
	// Step is the step of a `new` under way ("" when none is running),
	// StepSince when that operation started.
	Step      string
	StepSince int64 // Unix seconds; 0 when no operation runs
	// Online: the Minecraft server answered its (cached) status ping;
	// Server is that answer.
	Online bool
	Server ServerStatus
	// Hourly is the price of an hour of the server now; PriceKnown false
	// when the cloud could not quote it.
	Hourly     Money
	Currency   string
	PriceKnown bool
	// Budget is budget.monthly (0: none) and Spent this month's spend.
	Budget Money
	Spent  Money
}

// Asleep: no server, or a stopped one; a wake may start it.
func (o Outlook) Asleep() bool {
	return !o.Creating && (o.Status == "" || o.Status == StatusStopped)
}

// Awake: running and its Minecraft server answers.
func (o Outlook) Awake() bool { return o.Status == StatusRunning && o.Online }

// WakeOutcome is what a wake did.
type WakeOutcome string

const (
	WakeCreated  WakeOutcome = "created"   // `new` was pressed
	WakeStarted  WakeOutcome = "started"   // the stopped server was started
	WakeUnderWay WakeOutcome = "under_way" // a create or start is already under way: nothing pressed
	WakeAwake    WakeOutcome = "awake"     // it is running already: nothing pressed
)

// ErrServerStopping refuses a wake while the server is on its way down.
var ErrServerStopping = Errorf(CodePrecondition, "the server is stopping")

// OriginFrontdoor is the origin of actions the front door takes.
const OriginFrontdoor = "frontdoor"

type originKey struct{}

// WithOrigin returns ctx carrying where an action comes from when it is not
// the API (e.g. OriginFrontdoor), so its history row can say so.
func WithOrigin(ctx context.Context, origin string) context.Context {
	return context.WithValue(ctx, originKey{}, origin)
}

// OriginFrom returns the origin ctx carries, or "".
func OriginFrom(ctx context.Context) string {
	o, _ := ctx.Value(originKey{}).(string)
	return o
}
