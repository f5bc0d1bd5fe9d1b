// Package frontdoor owns the rules of wake on join: what a player pinging
// the front door is told, whose login start may wake the server and when,
// where an awake server's players are sent, and where the DNS record
// points. The Minecraft protocol itself is an adapter (adapters/frontdoor);
// this package sees the server only through ports.
package frontdoor

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Config is the operator's choice of front door.
type Config struct {
	Language string // English or Chinese
	Title    string // the name the MOTD starts with (default "seatide")
	// WakeLimit bounds wakes per rolling hour, all players together: a
	// spoofed name can cost at most this many starts an hour.
	WakeLimit int
	// MinecraftPort is where the awake server's game listens.
	MinecraftPort int
	// OutlookTTL is how long one look at the server answers status pings
	// and logins (a flood of pings makes one look per TTL).
	OutlookTTL time.Duration
	// DefaultBoot is the expected time to start before any boot was
	// measured.
	DefaultBoot time.Duration
	// Asleep is where the DNS record points while the server is not awake
	// (the front door itself); DNS mode only.
	Asleep ports.DNSTarget
}

// Deps are the ports the service works through.
type Deps struct {
	Lifecycle ports.Lifecycle
	Names     ports.MinecraftNameStore
	History   ports.HistoryStore // the boots measured before this process started
	DNS       ports.DNSRecords   // nil: no DNS record to keep (proxy mode)
	Events    ports.EventSink    // hears instance.wake_requested; nil: none
	Clock     ports.Clock
	Log       *slog.Logger // nil: discard
}

// Service is the front door's rules.
type Service struct {
	d   Deps
	cfg Config
	log *slog.Logger

	looks *outlookCache

	wakeMu sync.Mutex  // one wake decision at a time
	wakes  []time.Time // wakes pressed within the last hour

	bootMu   sync.Mutex
	boots    []time.Duration // measured boots, newest last (at most maxBoots)
	bootRead bool            // history was read for boots
	wokeAt   time.Time       // when this process last woke the server; zero once measured

	dnsMu     sync.Mutex
	dnsTarget ports.DNSTarget // what the record was last set to; zero: unknown
}

// maxBoots is how many measured boots the estimate is the median of.
const maxBoots = 5

// New returns the front door's service.
func New(d Deps, cfg Config) *Service {
	if cfg.Language != Chinese {
		cfg.Language = English
	}
	if cfg.Title == "" {
		cfg.Title = "seatide"
	}
	if cfg.MinecraftPort <= 0 {
		cfg.MinecraftPort = 25565
	}
	if cfg.OutlookTTL <= 0 {
		cfg.OutlookTTL = 5 * time.Second
	}
	if cfg.DefaultBoot <= 0 {
		cfg.DefaultBoot = 2 * time.Minute
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Events == nil {
		d.Events = ports.NopEventSink{}
	}
	s := &Service{d: d, cfg: cfg, log: d.Log}
	s.looks = &outlookCache{ttl: cfg.OutlookTTL, now: d.Clock.Now, look: s.lookNow}
	return s
}

// lookNow asks the lifecycle, and measures a boot this process started
// once the server answers.
func (s *Service) lookNow(ctx context.Context) (domain.Outlook, error) {
	o, err := s.d.Lifecycle.Outlook(ctx)
	if err == nil && o.Awake() {
		s.bootMu.Lock()
		if !s.wokeAt.IsZero() {
			s.addBoot(s.d.Clock.Now().Sub(s.wokeAt))
			s.wokeAt = time.Time{}
		}
		s.bootMu.Unlock()
	}
	return o, err
}

// Status is what a status ping is answered.
type Status struct {
	// Awake: Server is the real server's answer, passed on.
	Awake  bool
	Server domain.ServerStatus
	// Otherwise the front door's own answer: two MOTD lines, 0 players.
	MOTD       string
	MaxPlayers int
}

// Status answers a status ping from the cached outlook.
func (s *Service) Status(ctx context.Context) Status {
	o, err := s.looks.get(ctx)
	lang, title := s.cfg.Language, s.cfg.Title
	if err != nil {
		s.log.Warn("frontdoor: looking at the server", "err", err)
		return Status{MOTD: motdUnknown.in(lang, title)}
	}
	if o.Awake() {
		return Status{Awake: true, Server: o.Server}
	}
	boot := s.expectedBoot(ctx)
	switch {
	case o.Creating || o.Status == domain.StatusPending || o.Status == domain.StatusStarting:
		since := s.wakeSince(o)
		line := motdWaking.in(lang, title, about(lang, since), about(lang, boot))
		if o.Step != "" {
			line += "\n" + motdStep.in(lang, o.Step)
		}
		return Status{MOTD: line}
	case o.Status == domain.StatusRunning:
		return Status{MOTD: motdLoading.in(lang, title)}
	case o.Status == domain.StatusStopping:
		return Status{MOTD: motdStopping.in(lang, title)}
	}
	return Status{MOTD: motdAsleep.in(lang, title, about(lang, boot)) + "\n" + s.costLine(o)}
}

// costLine is the asleep MOTD's second line: the price of an hour and
// what is left of the budget.
func (s *Service) costLine(o domain.Outlook) string {
	lang := s.cfg.Language
	switch {
	case o.Budget > 0 && o.PriceKnown && o.Spent+o.Hourly > o.Budget:
		return motdSpent.in(lang)
	case !o.PriceKnown:
		return ""
	case o.Budget > 0:
		return motdCost.in(lang, money(o.Hourly, o.Currency), money(o.Budget-o.Spent, o.Currency))
	}
	return motdCostFree.in(lang, money(o.Hourly, o.Currency))
}

// wakeSince is how long the wake under way has taken so far.
func (s *Service) wakeSince(o domain.Outlook) time.Duration {
	now := s.d.Clock.Now()
	s.bootMu.Lock()
	woke := s.wokeAt
	s.bootMu.Unlock()
	switch {
	case !woke.IsZero():
		return now.Sub(woke)
	case o.StepSince > 0:
		return now.Sub(time.Unix(o.StepSince, 0))
	}
	return 0
}

// Decision is what becomes of a login start: relayed to the awake server,
// or disconnected with a message for the player.
type Decision struct {
	RelayTo string // host:port of the game; "" to disconnect
	Message string // the disconnect's reason, plain text
}

// Join decides a login start by name: an awake server takes it; otherwise
// a bound name may wake the server, within the budget and the wake limit.
func (s *Service) Join(ctx context.Context, name string) Decision {
	lang := s.cfg.Language
	if domain.ValidateMinecraftName(name) != nil {
		return Decision{Message: kickBadName.in(lang)}
	}
	o, err := s.looks.get(ctx)
	if err != nil {
		return Decision{Message: kickDown.in(lang)}
	}
	if d, done := s.notAsleep(ctx, o); done {
		return d
	}
	user, err := s.d.Names.UserByMinecraftName(ctx, name)
	if errors.Is(err, domain.ErrNoMinecraftName) {
		return Decision{Message: kickUnbound.in(lang, name)}
	}
	if err != nil {
		s.log.Warn("frontdoor: looking up a Minecraft name", "err", err)
		return Decision{Message: kickDown.in(lang)}
	}
	if o.Budget > 0 && o.PriceKnown && o.Spent+o.Hourly > o.Budget {
		return Decision{Message: kickBudget.in(lang)} // no wake, no history row per attempt
	}
	return s.wake(ctx, &user, name)
}

// notAsleep decides a login while the server is awake or on its way.
func (s *Service) notAsleep(ctx context.Context, o domain.Outlook) (Decision, bool) {
	lang := s.cfg.Language
	switch {
	case o.Awake():
		return Decision{RelayTo: net.JoinHostPort(o.IP, strconv.Itoa(s.cfg.MinecraftPort))}, true
	case o.Status == domain.StatusStopping:
		return Decision{Message: kickStopping.in(lang)}, true
	case o.Status == domain.StatusRunning:
		return Decision{Message: kickLoading.in(lang, about(lang, time.Minute))}, true
	case !o.Asleep():
		return Decision{Message: kickUnderWay.in(lang, about(lang, s.left(ctx, o)))}, true
	}
	return Decision{}, false
}

// left is the expected rest of the wake under way (a minute at least: it
// is late, not done).
func (s *Service) left(ctx context.Context, o domain.Outlook) time.Duration {
	return max(s.expectedBoot(ctx)-s.wakeSince(o), time.Minute)
}

// wake presses new or start as user, one wake at a time, within the limit.
func (s *Service) wake(ctx context.Context, user *domain.User, player string) Decision {
	lang := s.cfg.Language
	s.wakeMu.Lock()
	defer s.wakeMu.Unlock()
	// Another login may have woken it while this one waited.
	o, err := s.looks.get(ctx)
	if err != nil {
		return Decision{Message: kickDown.in(lang)}
	}
	if d, done := s.notAsleep(ctx, o); done {
		return d
	}
	now := s.d.Clock.Now()
	s.wakes = slices.DeleteFunc(s.wakes, func(t time.Time) bool { return now.Sub(t) >= time.Hour })
	if len(s.wakes) >= s.cfg.WakeLimit {
		return Decision{Message: kickLimit.in(lang, about(lang, s.wakes[0].Add(time.Hour).Sub(now)))}
	}
	outcome, err := s.d.Lifecycle.Wake(domain.WithOrigin(ctx, domain.OriginFrontdoor), user)
	s.looks.forget()
	var budget *domain.BudgetError
	switch {
	case errors.As(err, &budget):
		return Decision{Message: kickBudget.in(lang)}
	case errors.Is(err, domain.ErrPermissionDenied):
		return Decision{Message: kickDenied.in(lang)}
	case errors.Is(err, domain.ErrServerStopping):
		return Decision{Message: kickStopping.in(lang)}
	case err != nil:
		s.log.Warn("frontdoor: wake failed", "user", user.Username, "err", err)
		return Decision{Message: kickFailed.in(lang, string(domain.ErrorCode(err)))}
	}
	boot := s.expectedBoot(ctx)
	switch outcome {
	case domain.WakeCreated, domain.WakeStarted:
		s.wakes = append(s.wakes, now)
		s.bootMu.Lock()
		s.wokeAt = now
		s.bootMu.Unlock()
		action := "new"
		if outcome == domain.WakeStarted {
			action = domain.ActionStart
		}
		s.d.Events.Emit(ctx, domain.NewEvent(domain.EventWakeRequested, now, user.Username, "",
			domain.EventData{Action: action, Player: player}))
		return Decision{Message: kickWaking.in(lang, about(lang, boot))}
	case domain.WakeAwake:
		return Decision{Message: kickLoading.in(lang, about(lang, time.Minute))}
	}
	return Decision{Message: kickUnderWay.in(lang, about(lang, boot))}
}
