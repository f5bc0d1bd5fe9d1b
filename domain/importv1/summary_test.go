package importv1

import (
	"fmt"
	"strings"
	"testing"
)

func TestSummaryWriteTo(t *testing.T) {
	many := make([]Item, 12)
	for i := range many {
		many[i] = Item{fmt.Sprintf("#%d", i+1), ReasonAlreadyImported}
	}
	tests := []struct {
		name string
		sum  Summary
		want string
	}{
		{"first run", Summary{
			Users: Counts{Read: 4, Written: 2,
				Skipped: []Item{{`#5 "bad name"`, ReasonInvalidUsername}, {`#6 "Alex"`, ReasonUsernameTaken}},
				Notes:   []Item{{`#4 "vip"`, `group "vip" imported as std`}}},
			Instance:   Counts{Read: 1, Written: 1},
			History:    Counts{Read: 12, Written: 12},
			Invocation: Counts{Read: 3, Written: 1},
		}, `users:      read 4, written 2, skipped 2
  skipped, invalid username (seatide wants 3-20 of A-Z a-z 0-9 . _) (1): #5 "bad name"
  skipped, username taken by another account in the destination (1): #6 "Alex"
  note, group "vip" imported as std (1): #4 "vip"
instance:   read 1, written 1, skipped 0
history:    read 12, written 12, skipped 0
invocation: read 3, written 1, skipped 0
`},
		{"dry run, long lists cut", Summary{DryRun: true,
			Instance: Counts{Read: 1, Skipped: []Item{{`"OCCUPIED"`, ReasonOccupied}}},
			History:  Counts{Read: 12, Skipped: many},
		}, `import-v1: dry run, nothing was written
users:      read 0, would write 0, skipped 0
instance:   read 1, would write 0, skipped 1
  skipped, v1 was still creating an instance (OCCUPIED placeholder) (1): "OCCUPIED"
history:    read 12, would write 0, skipped 12
  skipped, already imported (12): #1, #2, #3, #4, #5, #6, #7, #8 and 4 more
invocation: read 0, would write 0, skipped 0
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			n, err := tt.sum.WriteTo(&b)
			if err != nil || int(n) != b.Len() {
				t.Fatalf("WriteTo = %d, %v; wrote %d", n, err, b.Len())
			}
			if b.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
			}
		})
	}
}
