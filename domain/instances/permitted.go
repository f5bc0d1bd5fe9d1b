package instances

import (
	"context"

	"github.com/seatidemc/seatide/domain"
)

// Permitted tells, for each action a person can press, whether actor may
// press it now and why not: the permission and budget rules that Create,
// Start, Stop and Delete apply, asked without acting, so a page can explain
// a disabled button instead of failing after the press. The state rules
// (start only when Stopped...) are left to the caller, who shows the state.
func (s *Service) Permitted(ctx context.Context, actor *domain.User) map[string]error {
	out := map[string]error{"new": mayCreate(actor, s.cfg.CreateRequiresAdmin)}
	admin := error(nil)
	if actor == nil || !actor.IsAdmin() {
		admin = domain.ErrPermissionDenied
	}
	out["start"], out["stop"], out["delete"] = admin, admin, admin
	if len(s.cfg.Offers) > 0 {
		budget := s.budgetAllows(ctx, s.cfg.Offers[0])
		for _, a := range []string{"new", "start"} {
			if out[a] == nil {
				out[a] = budget
			}
		}
	}
	return out
}
