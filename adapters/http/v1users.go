package http

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/users"
)

// v1User is a user as v1 shows it: never the password.
type v1User struct {
	ID        int64   `json:"id"`
	CreatedAt string  `json:"created_at"`
	Username  string  `json:"username"`
	Email     string  `json:"email"`
	Group     string  `json:"group"`
	Nickname  *string `json:"nickname"`
}

func toV1User(u domain.User) v1User {
	return v1User{
		ID:        u.ID,
		CreatedAt: u.CreatedAt.UTC().Format("2006-01-02 15:04:05"),
		Username:  u.Username,
		Email:     u.Email,
		Group:     string(u.Group),
		Nickname:  u.Nickname,
	}
}

// POST /api/user/v1/auth
func (s *Server) userAuth(w http.ResponseWriter, r *http.Request) {
	p, ok := s.v1Params(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	switch typ := p.str("type"); typ {
	case "":
		s.fail(w, r, missingArgs("type"), msgDatabaseError)
	case "auth":
		if m := p.missing("username", "password"); m != nil {
			s.fail(w, r, missingArgs(m...), msgDatabaseError)
			return
		}
		tok, err := s.users.Login(ctx, p.str("username"), p.str("password"))
		if err != nil {
			s.fail(w, r, err, msgDatabaseError)
			return
		}
		writeOK(w, tok)
	case "check":
		username, tok := p.str("username"), p.token()
		if username == "" || tok == "" {
			s.fail(w, r, missingArgs("token", "username"), msgDatabaseError)
			return
		}
		if err := s.users.Check(ctx, username, tok); err != nil {
			s.fail(w, r, err, msgDatabaseError)
			return
		}
		writeOK(w, nil)
	case "checkAdmin":
		if p.token() == "" {
			s.fail(w, r, missingArgs("token"), msgDatabaseError)
			return
		}
		u, err := s.actor(r, p)
		if err != nil {
			s.fail(w, r, err, msgDatabaseError)
			return
		}
		writeOK(w, u.IsAdmin())
	default:
		s.fail(w, r, errInvalidAction, msgDatabaseError)
	}
}

// userActions are the v1 action types and the parameters each requires.
var userActions = map[string][]string{
	"create":       {"username", "password", "email"},
	"get":          {"username"},
	"delete":       {"usernames"},
	"alter":        {"username", "toAlter"},
	"changepasswd": {"username", "newPassword"},
}

// POST /api/user/v1/action
func (s *Server) userAction(w http.ResponseWriter, r *http.Request) {
	p, ok := s.v1Params(w, r)
	if !ok {
		return
	}
	typ := p.str("type")
	required, known := userActions[typ]
	switch {
	case typ == "":
		s.fail(w, r, missingArgs("type"), msgDatabaseError)
		return
	case !known:
		s.fail(w, r, errInvalidAction, msgDatabaseError)
		return
	}
	if typ != "create" && p.token() == "" {
		s.fail(w, r, missingArgs("token"), msgDatabaseError)
		return
	}
	actor, err := s.actor(r, p)
	if err != nil && typ != "create" {
		s.fail(w, r, err, msgDatabaseError)
		return
	}
	// v1 answered "Permission denied." before it read the arguments: ask
	// the service's rule now rather than after the arguments are checked.
	if typ != "create" {
		if err := s.users.MayManage(actor); err != nil {
			s.fail(w, r, err, msgDatabaseError)
			return
		}
	}
	if m := p.missing(required...); m != nil {
		s.fail(w, r, missingArgs(m...), msgDatabaseError)
		return
	}
	data, err := s.runUserAction(r, p, typ, actor)
	if err != nil {
		s.fail(w, r, refused(actor, err), msgDatabaseError)
		return
	}
	writeOK(w, data)
}

func (s *Server) runUserAction(r *http.Request, p params, typ string, actor *domain.User) (any, error) {
	ctx := r.Context()
	switch typ {
	case "create":
		_, err := s.users.Register(ctx, actor, users.NewUser{
			Username: p.str("username"), Password: p.str("password"), Email: p.str("email"),
		})
		return nil, err
	case "get":
		u, err := s.users.Get(ctx, actor, p.str("username"))
		if err != nil {
			return nil, err
		}
		return toV1User(u), nil
	case "delete":
		var names []string
		if _, err := p.decode("usernames", &names); err != nil || len(names) == 0 {
			return nil, domain.Invalid("usernames")
		}
		res, err := s.users.Delete(ctx, actor, names)
		if err != nil || len(names) == 1 {
			return nil, err
		}
		return struct {
			Deleted int  `json:"deleted"`
			Error   bool `json:"error"`
		}{res.Deleted, len(res.Missing) > 0}, nil
	case "alter":
		c, err := parseChanges(p)
		if err != nil {
			return nil, err
		}
		_, err = s.users.Alter(ctx, actor, p.str("username"), c)
		return nil, err
	case "changepasswd":
		return nil, s.users.ChangePassword(ctx, actor, p.str("username"), p.str("newPassword"))
	}
	return nil, domain.Invalid("type")
}

// parseChanges reads toAlter, allowing exactly the four keys the admin UI
// sends; the original wrote any key straight into SQL.
func parseChanges(p params) (users.Changes, error) {
	var raw map[string]json.RawMessage
	if _, err := p.decode("toAlter", &raw); err != nil {
		return users.Changes{}, domain.Invalid("toAlter")
	}
	var c users.Changes
	for key, v := range raw {
		var s *string
		if err := json.Unmarshal(v, &s); err != nil {
			return c, domain.Invalid(key)
		}
		switch key {
		case "username":
			c.Username = s
		case "email":
			c.Email = s
		case "group":
			if s != nil {
				g := domain.Group(*s)
				c.Group = &g
			}
		case "nickname":
			// The UI sends null or "" for "no nickname".
			if s == nil || strings.TrimSpace(*s) == "" {
				c.ClearNickname = true
			} else {
				c.Nickname = s
			}
		default:
			return c, domain.Invalid(key)
		}
		if s == nil && key != "nickname" {
			return c, domain.Invalid(key)
		}
	}
	return c, nil
}

// GET /api/user/v1/get/all?page=P&pagin=N
func (s *Server) userGetAll(w http.ResponseWriter, r *http.Request) {
	p, _ := readParams(r)
	if m := p.missing("page", "pagin"); m != nil {
		s.fail(w, r, missingArgs("page", "pagin"), msgDatabaseError)
		return
	}
	page, err1 := strconv.Atoi(p.str("page"))
	size, err2 := strconv.Atoi(p.str("pagin"))
	switch {
	case err1 != nil:
		s.fail(w, r, domain.Invalid("page"), msgDatabaseError)
		return
	case err2 != nil:
		s.fail(w, r, domain.Invalid("pagin"), msgDatabaseError)
		return
	}
	actor, err := s.actor(r, p)
	if err != nil {
		s.fail(w, r, err, msgDatabaseError)
		return
	}
	list, err := s.users.List(r.Context(), actor, page, size)
	if err != nil {
		s.fail(w, r, refused(actor, err), msgDatabaseError)
		return
	}
	out := make([]v1User, 0, len(list))
	for _, u := range list {
		out = append(out, toV1User(u))
	}
	writeOK(w, out)
}

// GET /api/user/v1/get/count
func (s *Server) userGetCount(w http.ResponseWriter, r *http.Request) {
	n, err := s.users.Count(r.Context())
	if err != nil {
		s.fail(w, r, err, msgDatabaseError)
		return
	}
	writeOK(w, n)
}
