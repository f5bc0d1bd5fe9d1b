package domain

import (
	"encoding/json"
	"strings"
	"time"
)

// EventType names what happened, as "<category>.<what>". The category
// (the part before the dot) decides who may see it: see MemberVisible.
// The names are part of the public API (SSE `event:` lines, webhook
// filters, the `events` table): never rename one, only add.
type EventType string

// Every event type. Payload fields each one fills are listed beside it
// (EventData's JSON names).
const (
	// A multi-step operation (new, and later others): operation, action;
	// a step names step; a failure gives code and a readable reason.
	EventOperationStarted   EventType = "operation.started"
	EventOperationStep      EventType = "operation.step"
	EventOperationSucceeded EventType = "operation.succeeded"
	EventOperationFailed    EventType = "operation.failed"

	// The recorded instance: status and previous; ip (and zone, type,
	// price, currency when known, so a message can say where and how much).
	EventInstanceStatus EventType = "instance.status_changed"
	EventInstanceIP     EventType = "instance.ip_changed"

	// Deploy script output in chunks: operation, seq (from 1), output.
	EventDeployOutput EventType = "deploy.output"

	// From the status ping's sample (it may list fewer than are online):
	// player, players (the online count).
	EventPlayerJoined EventType = "player.joined"
	EventPlayerLeft   EventType = "player.left"

	// Background actions on the instance: action (a history action such as
	// sstop, sdelete, istop, bstop) and a readable reason.
	EventWatchdogAction EventType = "watchdog.acted"
	EventIdleAction     EventType = "idle.acted"
	EventBudgetAction   EventType = "budget.acted"

	// This month's spend crossed percent (50, 80, 100) of budget.monthly:
	// percent, spent, budget, currency. Once per threshold and month.
	EventBudgetThreshold EventType = "budget.threshold"

	// World backups: backup (its name), size (bytes, when ready), reason
	// (when failed).
	EventBackupStarted EventType = "backup.started"
	EventBackupReady   EventType = "backup.ready"
	EventBackupFailed  EventType = "backup.failed"

	// The cloud announced it will reclaim a spot instance: at (when), reason.
	EventReclaimNotice EventType = "instance.reclaim_notice"

	// Someone asked for the server to be woken (e.g. by joining it while it
	// was off): player or actor, reason.
	EventWakeRequested EventType = "instance.wake_requested"
)

// EventTypes lists every type, in a stable order (for filters, docs and
// validation of configured webhook filters).
var EventTypes = []EventType{
	EventOperationStarted, EventOperationStep, EventOperationSucceeded, EventOperationFailed,
	EventInstanceStatus, EventInstanceIP, EventDeployOutput,
	EventPlayerJoined, EventPlayerLeft,
	EventWatchdogAction, EventIdleAction, EventBudgetAction, EventBudgetThreshold,
	EventBackupStarted, EventBackupReady, EventBackupFailed,
	EventReclaimNotice, EventWakeRequested,
}

// Known reports whether t is one of EventTypes.
func (t EventType) Known() bool {
	for _, k := range EventTypes {
		if k == t {
			return true
		}
	}
	return false
}

// Category is the part of t before the first dot ("instance", "player", ...).
func (t EventType) Category() string {
	c, _, _ := strings.Cut(string(t), ".")
	return c
}

// MemberVisible reports whether a signed-in member who is not an admin may
// see events of type t: what happens to the server, its players and its
// backups. Operations (with their failure reasons), deploy output,
// watchdog and money events are for admins.
func MemberVisible(t EventType) bool {
	switch t.Category() {
	case "instance", "player", "backup":
		return true
	}
	return false
}

// Event is one thing that happened, as stored and delivered. ID is given
// by the event store (0 until stored) and grows with every event, across
// replicas, so a reader resumes after the last ID it saw.
type Event struct {
	ID       int64
	Type     EventType
	Time     time.Time // UTC
	Actor    string    // who caused it: a username, MonitorActor, or ""
	Instance string    // the cloud instance id, or ""
	Payload  json.RawMessage
}

// EventData is the payload of every event type: one struct, each type
// filling the fields listed at its constant and leaving the rest empty (they
// are left out of the JSON). Amounts are decimal text, never floats.
type EventData struct {
	Operation    string         `json:"operation,omitempty"` // operation id
	Action       string         `json:"action,omitempty"`    // new, start, stop, delete, sstop, istop, bstop, ...
	Step         string         `json:"step,omitempty"`
	Status       InstanceStatus `json:"status,omitempty"`
	Previous     InstanceStatus `json:"previous,omitempty"`
	IP           string         `json:"ip,omitempty"`
	Zone         string         `json:"zone,omitempty"`
	InstanceType string         `json:"instance_type,omitempty"`
	Price        string         `json:"price,omitempty"` // per hour
	Currency     string         `json:"currency,omitempty"`
	Code         string         `json:"code,omitempty"`   // a domain error code, on failures
	Reason       string         `json:"reason,omitempty"` // readable, safe to show
	Seq          int            `json:"seq,omitempty"`    // deploy output chunk number, from 1
	Output       string         `json:"output,omitempty"`
	Player       string         `json:"player,omitempty"`
	Players      *int           `json:"players,omitempty"` // online count; a pointer so 0 shows
	Percent      int            `json:"percent,omitempty"`
	Spent        string         `json:"spent,omitempty"`
	Budget       string         `json:"budget,omitempty"`
	Backup       string         `json:"backup,omitempty"`
	Size         int64          `json:"size,omitempty"`
	At           *time.Time     `json:"at,omitempty"`
}

// NewEvent makes an event of type t at time at with data as its payload.
// The ID is left for the store.
func NewEvent(t EventType, at time.Time, actor, instance string, data EventData) Event {
	p, err := json.Marshal(data)
	if err != nil { // EventData holds only plain values: cannot happen
		p = []byte("{}")
	}
	return Event{Type: t, Time: at.UTC(), Actor: actor, Instance: instance, Payload: p}
}

// Data decodes the payload; an empty or foreign payload gives what it can.
func (e Event) Data() EventData {
	var d EventData
	if len(e.Payload) > 0 {
		_ = json.Unmarshal(e.Payload, &d)
	}
	return d
}
