package instances

import (
	"context"
	"testing"

	"github.com/seatidemc/seatide/domain"
)

func TestPermitted(t *testing.T) {
	member := &domain.User{Username: "steve", Group: domain.GroupStd}
	admin := &domain.User{Username: "admin", Group: domain.GroupAdmin}
	tests := []struct {
		name        string
		actor       *domain.User
		adminCreate bool
		want        map[string]bool
	}{
		{"anonymous", nil, false, map[string]bool{"new": false, "start": false, "stop": false, "delete": false}},
		{"member", member, false, map[string]bool{"new": true, "start": false, "stop": false, "delete": false}},
		{"member, create needs admin", member, true, map[string]bool{"new": false, "start": false, "stop": false, "delete": false}},
		{"admin", admin, true, map[string]bool{"new": true, "start": true, "stop": true, "delete": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Service{cfg: Config{CreateRequiresAdmin: tt.adminCreate}}
			got := s.Permitted(context.Background(), tt.actor)
			for action, want := range tt.want {
				if (got[action] == nil) != want {
					t.Errorf("%s: %v, want allowed %v", action, got[action], want)
				}
			}
		})
	}
}
