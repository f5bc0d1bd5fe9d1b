package domain

import (
	"testing"
	"time"
)

func TestEventTypesAreKnownAndCategorised(t *testing.T) {
	seen := map[EventType]bool{}
	for _, et := range EventTypes {
		if seen[et] || !et.Known() || et.Category() == string(et) {
			t.Errorf("%q: duplicate, unknown or without a category", et)
		}
		seen[et] = true
	}
	if EventType("instance.nope").Known() {
		t.Error("a made-up type is known")
	}
}

func TestMemberVisible(t *testing.T) {
	for _, tc := range []struct {
		t    EventType
		want bool
	}{
		{EventInstanceStatus, true}, {EventPlayerJoined, true}, {EventBackupReady, true},
		{EventWakeRequested, true}, {EventOperationFailed, false}, {EventDeployOutput, false},
		{EventBudgetThreshold, false}, {EventWatchdogAction, false},
	} {
		if got := MemberVisible(tc.t); got != tc.want {
			t.Errorf("MemberVisible(%s) = %v", tc.t, got)
		}
	}
}

func TestNewEventRoundTrip(t *testing.T) {
	zero := 0
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))
	e := NewEvent(EventPlayerLeft, at, "", "i-1", EventData{Player: "steve", Players: &zero})
	if e.Time.Location() != time.UTC || string(e.Payload) != `{"player":"steve","players":0}` {
		t.Fatalf("%v %s", e.Time, e.Payload)
	}
	if d := e.Data(); d.Player != "steve" || d.Players == nil || *d.Players != 0 {
		t.Fatalf("%+v", d)
	}
	if d := (Event{Payload: []byte("not json")}).Data(); d.Player != "" {
		t.Fatalf("%+v", d)
	}
}
