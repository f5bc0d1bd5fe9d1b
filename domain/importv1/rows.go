package importv1

import "time"

// UserRow is one row of user.data.
type UserRow struct {
	ID        int64
	CreatedAt time.Time
	Username  string
	Password  string // the Werkzeug hash
	Email     string
	Group     string
	Nickname  *string // NULL: nil
}

// StatusRow is the row id=1 of ecs.status: the current instance and its IP.
type StatusRow struct {
	Instance string // NULL: ""
	IP       string // NULL: ""
}

// HistoryRow is one row of ecs.history.
type HistoryRow struct {
	ID        int64
	CreatedAt time.Time
	CreatedBy string
	Instance  string // NULL: ""
	Action    string
}

// CommandRow is one row of ecs.cmd_history: a Cloud Assistant run.
type CommandRow struct {
	ID           int64
	CreatedAt    time.Time
	CreatedBy    string
	CommandID    string
	InvocationID string
}

// Snapshot is everything read from the source, rows in id order, times
// already moved from the source's zone to UTC.
type Snapshot struct {
	Users    []UserRow
	Status   *StatusRow // nil: ecs.status has no row id=1
	History  []HistoryRow
	Commands []CommandRow
}
