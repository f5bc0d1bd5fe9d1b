package http

import (
	"errors"
	"net/http"

	"github.com/seatidemc/seatide/domain"
)

// This file holds what every v1 route shares: reading the parameters and
// finding the caller. Answers are written in v1errors.go (failures) and
// v1.go (writeOK).

// v1Params reads the parameters, or answers "Parse error." and reports false.
func (s *Server) v1Params(w http.ResponseWriter, r *http.Request) (params, bool) {
	p, err := readParams(r)
	if err != nil {
		s.fail(w, r, err, msgParseError)
		return p, false
	}
	return p, true
}

// actor returns the caller named by the token, or nil when none was sent.
func (s *Server) actor(r *http.Request, p params) (*domain.User, error) {
	tok := p.token()
	if tok == "" {
		return nil, nil
	}
	u, err := s.users.Authenticate(r.Context(), tok)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// requireUser reads a token from Bearer or the query and answers the v1
// refusal when it is missing or bad.
func (s *Server) requireUser(w http.ResponseWriter, r *http.Request) (*domain.User, params, bool) {
	p, _ := readParams(r)
	if p.token() == "" {
		s.fail(w, r, missingArgs("token"), msgRequestError)
		return nil, p, false
	}
	u, err := s.actor(r, p)
	if err != nil {
		s.fail(w, r, err, msgRequestError)
		return nil, p, false
	}
	return u, p, true
}

// refused turns "permission denied" for a caller who sent no token into
// the clearer "Not enough argument. Details: token".
func refused(actor *domain.User, err error) error {
	if actor == nil && errors.Is(err, domain.ErrPermissionDenied) {
		return missingArgs("token")
	}
	return err
}
