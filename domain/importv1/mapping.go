package importv1

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"

	"github.com/seatidemc/seatide/domain"
)

// Why a row was not written. The texts end up in the printed summary.
const (
	ReasonInvalidUsername = "invalid username (seatide wants 3-20 of A-Z a-z 0-9 . _)"
	ReasonInvalidEmail    = "invalid email address"
	ReasonInvalidNickname = "invalid nickname"
	ReasonUnknownHash     = "password is not a Werkzeug hash, so no password could ever match it"
	ReasonAlreadyImported = "already imported"
	ReasonUsernameTaken   = "username taken by another account in the destination"
	ReasonEmailTaken      = "email used by another account in the destination"
	ReasonNoInstance      = "v1 records no instance"
	ReasonOccupied        = "v1 was still creating an instance (OCCUPIED placeholder)"
	ReasonOtherInstance   = "the destination already records another instance"
	ReasonOtherInvocation = "the destination already records another invocation"
	ReasonNoInvocation    = "v1 records no usable invocation id"
)

// v1 wrote Python's str(None) where a value was missing; OCCUPIED held the
// slot while an instance was being created.
const (
	pythonNone = "None"
	occupied   = "OCCUPIED"
)

// MapUser turns a user.data row into an account, or says why it cannot be
// imported (skip != ""). notes say what was changed on the way.
func MapUser(r UserRow) (u domain.User, notes []string, skip string) {
	if domain.ValidateUsername(r.Username) != nil {
		return domain.User{}, nil, ReasonInvalidUsername
	}
	if domain.ValidateEmail(r.Email) != nil {
		return domain.User{}, nil, ReasonInvalidEmail
	}
	if !isWerkzeugHash(r.Password) {
		return domain.User{}, nil, ReasonUnknownHash
	}
	u = domain.User{
		Username:     r.Username,
		Email:        r.Email,
		PasswordHash: r.Password,
		CreatedAt:    r.CreatedAt,
	}
	switch r.Group {
	case string(domain.GroupAdmin):
		u.Group = domain.GroupAdmin
	case string(domain.GroupStd):
		u.Group = domain.GroupStd
	default:
		// v1 granted admin rights on "admin" only, so anything else acted as std.
		u.Group = domain.GroupStd
		notes = append(notes, fmt.Sprintf("group %q imported as std", r.Group))
	}
	if r.Nickname != nil {
		switch {
		case *r.Nickname == "":
			// v1's alter wrote "" for a cleared nickname: none.
		case strings.TrimSpace(*r.Nickname) == "":
			notes = append(notes, "blank nickname dropped")
		default:
			nick := *r.Nickname
			if domain.ValidateNickname(&nick) != nil {
				return domain.User{}, nil, ReasonInvalidNickname
			}
			u.Nickname = &nick
		}
	}
	return u, notes, ""
}

// isWerkzeugHash checks the shape of what Werkzeug's generate_password_hash
// writes, "pbkdf2:sha256:260000$salt$hex" or "scrypt:32768:8:1$salt$hex";
// the password adapter checks the parameters at login.
func isWerkzeugHash(s string) bool {
	method, rest, ok := strings.Cut(s, "$")
	if !ok || !(strings.HasPrefix(method, "pbkdf2:") || strings.HasPrefix(method, "scrypt:")) {
		return false
	}
	salt, key, ok := strings.Cut(rest, "$")
	if !ok || salt == "" || key == "" {
		return false
	}
	_, err := hex.DecodeString(key)
	return err == nil
}

// MapHistory turns an ecs.history row into a history entry. v1 wrote a row
// only after a successful call, so every result is "ok".
func MapHistory(r HistoryRow) domain.HistoryEntry {
	instance := strings.TrimSpace(r.Instance)
	if instance == pythonNone {
		instance = ""
	}
	return domain.HistoryEntry{
		Actor:      r.CreatedBy,
		Action:     r.Action,
		InstanceID: instance,
		Result:     "ok",
		Source:     HistorySource(r.ID),
		StartedAt:  r.CreatedAt,
		FinishedAt: r.CreatedAt,
	}
}

// HistorySource names a v1 history row in domain.HistoryEntry.Source.
func HistorySource(id int64) string { return fmt.Sprintf("v1:history:%d", id) }

// MapInstance returns the instance ecs.status records, with its creator
// taken from the newest create row of history, or says why there is none
// to import (skip != "").
func MapInstance(st *StatusRow, history []HistoryRow) (inst domain.Instance, notes []string, skip string) {
	if st == nil {
		return domain.Instance{}, nil, ReasonNoInstance
	}
	id := strings.TrimSpace(st.Instance)
	switch id {
	case "", pythonNone:
		return domain.Instance{}, nil, ReasonNoInstance
	case occupied:
		return domain.Instance{}, nil, ReasonOccupied
	}
	inst.ID = id
	if ip := strings.TrimSpace(st.IP); ip != "" && ip != pythonNone {
		addr, err := netip.ParseAddr(ip)
		switch {
		case err != nil:
			notes = append(notes, fmt.Sprintf("ip %q is not an address: left empty", ip))
		case !addr.IsUnspecified():
			inst.PublicIP = addr.String()
		}
	}
	for _, h := range history {
		if h.Action == domain.ActionCreate && strings.TrimSpace(h.Instance) == id {
			inst.CreatedBy = h.CreatedBy // rows are in id order: the last one wins
		}
	}
	return inst, notes, ""
}

// ImportOperationID names the operation recorded with an imported instance.
func ImportOperationID(instanceID string) string { return "v1-import-" + instanceID }

// LastInvocation returns the newest cmd_history run with a usable
// invocation id, and the instance it most likely ran on: cmd_history has no
// instance column, and a deploy follows the creation of its instance, so it
// is the instance of the newest create at or before the run (else current,
// v1's recorded instance). ok is false when there is none.
func LastInvocation(cmds []CommandRow, history []HistoryRow, current string) (instanceID, invokeID string, ok bool) {
	for i := len(cmds) - 1; i >= 0; i-- {
		c := cmds[i]
		id := strings.TrimSpace(c.InvocationID)
		if id == "" || id == pythonNone {
			continue
		}
		instanceID = current
		for _, h := range history {
			inst := strings.TrimSpace(h.Instance)
			if h.Action == domain.ActionCreate && !h.CreatedAt.After(c.CreatedAt) && inst != "" && inst != pythonNone {
				instanceID = inst
			}
		}
		return instanceID, id, true
	}
	return "", "", false
}
