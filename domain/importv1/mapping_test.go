package importv1

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// Real Werkzeug 2.2.2 hashes, as v1 stored them (testdata/password).
const (
	hashSHA256 = "pbkdf2:sha256:260000$m3dCWUBWUNem7DnB$c4c80c2b3246f13f53ad903285786ee5aeb995023a3427154156d4436c01a75f"
	hashSHA1   = "pbkdf2:sha1:50000$rkTjzaTDmmxWapmD$7205bbbc35a5cfb7e409d6d70b1b4a300d1f3f40"
)

func ptr(s string) *string { return &s }

func TestMapUser(t *testing.T) {
	created := time.Date(2021, 8, 1, 10, 0, 0, 0, time.UTC)
	base := UserRow{ID: 7, CreatedAt: created, Username: "alex", Password: hashSHA256, Email: "alex@example.com", Group: "std"}
	with := func(change func(r *UserRow)) UserRow {
		r := base
		change(&r)
		return r
	}
	want := domain.User{Username: "alex", Email: "alex@example.com", Group: domain.GroupStd, PasswordHash: hashSHA256, CreatedAt: created}
	wantWith := func(change func(u *domain.User)) domain.User {
		u := want
		change(&u)
		return u
	}
	tests := []struct {
		name      string
		row       UserRow
		want      domain.User
		wantNotes []string
		wantSkip  string
	}{
		{"std, no nickname", base, want, nil, ""},
		{"admin", with(func(r *UserRow) { r.Group = "admin" }), wantWith(func(u *domain.User) { u.Group = domain.GroupAdmin }), nil, ""},
		{"unknown group acts as std", with(func(r *UserRow) { r.Group = "vip" }), want, []string{`group "vip" imported as std`}, ""},
		{"Admin is not admin", with(func(r *UserRow) { r.Group = "Admin" }), want, []string{`group "Admin" imported as std`}, ""},
		{"nickname", with(func(r *UserRow) { r.Nickname = ptr("小梅") }), wantWith(func(u *domain.User) { u.Nickname = ptr("小梅") }), nil, ""},
		{"empty nickname is none", with(func(r *UserRow) { r.Nickname = ptr("") }), want, nil, ""},
		{"blank nickname is dropped", with(func(r *UserRow) { r.Nickname = ptr("  ") }), want, []string{"blank nickname dropped"}, ""},
		{"sha1 hash kept", with(func(r *UserRow) { r.Password = hashSHA1 }), wantWith(func(u *domain.User) { u.PasswordHash = hashSHA1 }), nil, ""},
		{"scrypt hash kept", with(func(r *UserRow) { r.Password = "scrypt:32768:8:1$salt$abcdef" }), wantWith(func(u *domain.User) { u.PasswordHash = "scrypt:32768:8:1$salt$abcdef" }), nil, ""},
		{"username with a space", with(func(r *UserRow) { r.Username = "bad name" }), domain.User{}, nil, ReasonInvalidUsername},
		{"username too short", with(func(r *UserRow) { r.Username = "ab" }), domain.User{}, nil, ReasonInvalidUsername},
		{"email without a dot", with(func(r *UserRow) { r.Email = "nobody@localhost" }), domain.User{}, nil, ReasonInvalidEmail},
		{"email with a name", with(func(r *UserRow) { r.Email = "Alex <alex@example.com>" }), domain.User{}, nil, ReasonInvalidEmail},
		{"empty email", with(func(r *UserRow) { r.Email = "" }), domain.User{}, nil, ReasonInvalidEmail},
		{"plain text password", with(func(r *UserRow) { r.Password = "hunter22" }), domain.User{}, nil, ReasonUnknownHash},
		{"md5 hash", with(func(r *UserRow) { r.Password = "md5$salt$0123abcd" }), domain.User{}, nil, ReasonUnknownHash},
		{"hash without key", with(func(r *UserRow) { r.Password = "pbkdf2:sha256:1000$salt$" }), domain.User{}, nil, ReasonUnknownHash},
		{"hash with a non-hex key", with(func(r *UserRow) { r.Password = "pbkdf2:sha256:1000$salt$xyz" }), domain.User{}, nil, ReasonUnknownHash},
		{"nickname too long", with(func(r *UserRow) { r.Nickname = ptr(strings.Repeat("n", 21)) }), domain.User{}, nil, ReasonInvalidNickname},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, notes, skip := MapUser(tt.row)
			if skip != tt.wantSkip {
				t.Fatalf("skip = %q, want %q", skip, tt.wantSkip)
			}
			if !reflect.DeepEqual(u, tt.want) {
				t.Errorf("user = %+v\nwant   %+v", u, tt.want)
			}
			if !reflect.DeepEqual(notes, tt.wantNotes) {
				t.Errorf("notes = %q, want %q", notes, tt.wantNotes)
			}
		})
	}
}

func TestMapHistory(t *testing.T) {
	at := time.Date(2021, 8, 14, 12, 5, 9, 0, time.UTC)
	tests := []struct {
		name string
		row  HistoryRow
		want domain.HistoryEntry
	}{
		{"create", HistoryRow{ID: 3, CreatedAt: at, CreatedBy: "captain", Instance: "i-abc", Action: "create"},
			domain.HistoryEntry{Actor: "captain", Action: "create", InstanceID: "i-abc", Result: "ok", Source: "v1:history:3", StartedAt: at, FinishedAt: at}},
		{"monitor", HistoryRow{ID: 12, CreatedAt: at, CreatedBy: "_monitor", Instance: "i-abc", Action: "udelete"},
			domain.HistoryEntry{Actor: "_monitor", Action: "udelete", InstanceID: "i-abc", Result: "ok", Source: "v1:history:12", StartedAt: at, FinishedAt: at}},
		{"python None is no instance", HistoryRow{ID: 4, CreatedAt: at, CreatedBy: "captain", Instance: "None", Action: "start"},
			domain.HistoryEntry{Actor: "captain", Action: "start", Result: "ok", Source: "v1:history:4", StartedAt: at, FinishedAt: at}},
		{"an IP as creator, from v1's first months", HistoryRow{ID: 1, CreatedAt: at, CreatedBy: "10.0.0.8", Instance: "i-old", Action: "init"},
			domain.HistoryEntry{Actor: "10.0.0.8", Action: "init", InstanceID: "i-old", Result: "ok", Source: "v1:history:1", StartedAt: at, FinishedAt: at}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MapHistory(tt.row); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestMapInstance(t *testing.T) {
	history := []HistoryRow{
		{ID: 1, CreatedBy: "alex", Instance: "i-old", Action: "create"},
		{ID: 2, CreatedBy: "alex", Instance: "i-new", Action: "create"},
		{ID: 3, CreatedBy: "captain", Instance: "i-new", Action: "delete"},
		{ID: 4, CreatedBy: "captain", Instance: "i-new", Action: "create"}, // the same id again: the newest wins
		{ID: 5, CreatedBy: "_monitor", Instance: "i-new", Action: "start"},
	}
	tests := []struct {
		name      string
		status    *StatusRow
		want      domain.Instance
		wantNotes []string
		wantSkip  string
	}{
		{"no row", nil, domain.Instance{}, nil, ReasonNoInstance},
		{"empty", &StatusRow{}, domain.Instance{}, nil, ReasonNoInstance},
		{"python None", &StatusRow{Instance: "None", IP: "None"}, domain.Instance{}, nil, ReasonNoInstance},
		{"being created", &StatusRow{Instance: "OCCUPIED"}, domain.Instance{}, nil, ReasonOccupied},
		{"with ip", &StatusRow{Instance: "i-new", IP: "47.100.1.2"}, domain.Instance{ID: "i-new", PublicIP: "47.100.1.2", CreatedBy: "captain"}, nil, ""},
		{"without ip", &StatusRow{Instance: "i-old"}, domain.Instance{ID: "i-old", CreatedBy: "alex"}, nil, ""},
		{"unknown creator", &StatusRow{Instance: "i-else", IP: " 47.100.1.2 "}, domain.Instance{ID: "i-else", PublicIP: "47.100.1.2"}, nil, ""},
		{"unspecified ip", &StatusRow{Instance: "i-old", IP: "0.0.0.0"}, domain.Instance{ID: "i-old", CreatedBy: "alex"}, nil, ""},
		{"garbage ip", &StatusRow{Instance: "i-old", IP: "pending"}, domain.Instance{ID: "i-old", CreatedBy: "alex"}, []string{`ip "pending" is not an address: left empty`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst, notes, skip := MapInstance(tt.status, history)
			if skip != tt.wantSkip {
				t.Fatalf("skip = %q, want %q", skip, tt.wantSkip)
			}
			if !reflect.DeepEqual(inst, tt.want) {
				t.Errorf("instance = %+v\nwant       %+v", inst, tt.want)
			}
			if !reflect.DeepEqual(notes, tt.wantNotes) {
				t.Errorf("notes = %q, want %q", notes, tt.wantNotes)
			}
		})
	}
}

func TestLastInvocation(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2021, 8, 14, h, 0, 0, 0, time.UTC) }
	history := []HistoryRow{
		{ID: 1, CreatedAt: at(1), Instance: "i-one", Action: "create"},
		{ID: 2, CreatedAt: at(2), Instance: "i-one", Action: "init"},
		{ID: 3, CreatedAt: at(5), Instance: "i-two", Action: "create"},
	}
	tests := []struct {
		name               string
		cmds               []CommandRow
		current            string
		wantInst, wantInvk string
		wantOK             bool
	}{
		{"none", nil, "i-two", "", "", false},
		{"after the first create", []CommandRow{{ID: 1, CreatedAt: at(2), InvocationID: "t-1"}}, "i-two", "i-one", "t-1", true},
		{"the newest row wins", []CommandRow{{ID: 1, CreatedAt: at(2), InvocationID: "t-1"}, {ID: 2, CreatedAt: at(6), InvocationID: "t-2"}}, "", "i-two", "t-2", true},
		{"same second as the create", []CommandRow{{ID: 1, CreatedAt: at(5), InvocationID: "t-5"}}, "", "i-two", "t-5", true},
		{"before any create: v1's current", []CommandRow{{ID: 1, CreatedAt: at(0), InvocationID: "t-0"}}, "i-two", "i-two", "t-0", true},
		{"python None skipped", []CommandRow{{ID: 1, CreatedAt: at(2), InvocationID: "t-1"}, {ID: 2, CreatedAt: at(6), InvocationID: "None"}}, "", "i-one", "t-1", true},
		{"only unusable ids", []CommandRow{{ID: 1, InvocationID: ""}, {ID: 2, InvocationID: "None"}}, "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst, invk, ok := LastInvocation(tt.cmds, history, tt.current)
			if inst != tt.wantInst || invk != tt.wantInvk || ok != tt.wantOK {
				t.Errorf("got (%q, %q, %v), want (%q, %q, %v)", inst, invk, ok, tt.wantInst, tt.wantInvk, tt.wantOK)
			}
		})
	}
}
