package bench

import (
	"os"
	"strings"
	"testing"
)

const statusText = `Name:	seatide
Umask:	0022
State:	S (sleeping)
VmPeak:	 1290004 kB
VmSize:	 1290004 kB
VmHWM:	  131072 kB
VmRSS:	   20480 kB
RssAnon:	    8192 kB
Threads:	9
`

func TestParseStatus(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Memory
		wantErr bool
	}{
		{"real layout", statusText, Memory{RSS: 20480 * 1024, HWM: 131072 * 1024, Anon: 8192 * 1024}, false},
		{"with the split", "VmHWM:\t4 kB\nVmRSS:\t3 kB\nRssAnon:\t1 kB\nRssFile:\t2 kB\n", Memory{RSS: 3072, HWM: 4096, Anon: 1024, File: 2048}, false},
		{"order does not matter", "VmRSS:\t1 kB\nVmHWM:\t2 kB\n", Memory{RSS: 1024, HWM: 2048}, false},
		{"a kernel thread has no VmRSS", "Name:\tkthreadd\nState:\tS\n", Memory{}, true},
		{"HWM missing", "VmRSS:\t1 kB\n", Memory{}, true},
		{"unknown unit", "VmRSS:\t1 MB\nVmHWM:\t1 kB\n", Memory{}, true},
		{"not a number", "VmRSS:\tlots kB\nVmHWM:\t1 kB\n", Memory{}, true},
		{"negative", "VmRSS:\t-1 kB\nVmHWM:\t1 kB\n", Memory{}, true},
		{"RssAnon is not VmRSS", "RssAnon:\t5 kB\nVmHWM:\t1 kB\n", Memory{}, true},
		{"a bad RssFile is an error too", "VmRSS:\t1 kB\nVmHWM:\t1 kB\nRssFile:\t1 pages\n", Memory{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStatus(strings.NewReader(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestReadMemoryOfThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc here")
	}
	m, err := ReadMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS <= 0 || m.HWM < m.RSS {
		t.Errorf("implausible memory %+v", m)
	}
}

func TestParseLoadAvg(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{"8.17 3.72 1.55 7/229 28930\n", 8.17, false},
		{"0.00 0.01 0.05 1/100 1", 0, false},
		{"", 0, true},
		{"x y z", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseLoadAvg(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseLoadAvg(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestMiB(t *testing.T) {
	if got := MiB(64 << 20); got != 64 {
		t.Errorf("MiB(64<<20) = %v", got)
	}
}
