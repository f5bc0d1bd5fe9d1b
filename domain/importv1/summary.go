package importv1

import (
	"fmt"
	"io"
	"strings"
)

// Summary says what an import read, wrote and skipped, per kind of data.
type Summary struct {
	DryRun     bool // nothing was written; Written counts what would have been
	Users      Counts
	Instance   Counts
	History    Counts
	Invocation Counts
}

// Counts is one kind's tally: source rows read, records written (or, in a
// dry run, that would be), and records not written with the reason. For
// users and history each row read is one record; the instance comes from
// one status row, and the invocation from the newest of the cmd_history
// rows read (seatide keeps only the last deploy).
type Counts struct {
	Read    int
	Written int
	Skipped []Item // not written, and why
	Notes   []Item // written with a change, and which
}

// Item names a source row (Ref) and a reason or note about it.
type Item struct {
	Ref    string
	Reason string
}

func (c *Counts) skip(ref, reason string) { c.Skipped = append(c.Skipped, Item{ref, reason}) }
func (c *Counts) note(ref, note string)   { c.Notes = append(c.Notes, Item{ref, note}) }

// maxRefs bounds the rows named per reason, so a second run over a large
// history prints a count rather than thousands of ids.
const maxRefs = 8

// WriteTo prints the summary for a person: one line per kind, then the
// skips and notes grouped by reason.
func (s Summary) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	written := "written"
	if s.DryRun {
		b.WriteString("import-v1: dry run, nothing was written\n")
		written = "would write"
	}
	for _, k := range []struct {
		name string
		c    Counts
	}{{"users", s.Users}, {"instance", s.Instance}, {"history", s.History}, {"invocation", s.Invocation}} {
		fmt.Fprintf(&b, "%-11s read %d, %s %d, skipped %d\n", k.name+":", k.c.Read, written, k.c.Written, len(k.c.Skipped))
		writeGroups(&b, "skipped", k.c.Skipped)
		writeGroups(&b, "note", k.c.Notes)
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// writeGroups prints items grouped by reason, in order of first appearance.
func writeGroups(b *strings.Builder, label string, items []Item) {
	var order []string
	groups := map[string][]string{}
	for _, it := range items {
		if _, seen := groups[it.Reason]; !seen {
			order = append(order, it.Reason)
		}
		groups[it.Reason] = append(groups[it.Reason], it.Ref)
	}
	for _, reason := range order {
		refs := groups[reason]
		shown := refs[:min(len(refs), maxRefs)]
		more := ""
		if len(refs) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(refs)-len(shown))
		}
		fmt.Fprintf(b, "  %s, %s (%d): %s%s\n", label, reason, len(refs), strings.Join(shown, ", "), more)
	}
}
