package app

// CloseDatabase closes a's database while it serves, as a lost database
// would look to /readyz.
func CloseDatabase(a *App) error { return a.db.Close() }
