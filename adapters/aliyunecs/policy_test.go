package aliyunecs_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestREADMEPolicyIsExact: the README's least-privilege RAM policy lists
// exactly the API actions this adapter calls: one missing breaks a real
// account, one extra grants what seatide never needs.
func TestREADMEPolicyIsExact(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	// do(ctx, c, "Action", ...), call(ctx, &c.vpc, "Action", ...) and the
	// BSS methods' `const action = "Action"`.
	callRE := regexp.MustCompile(`(?:do|call)\(ctx, &?c(?:\.[a-z]+)?, "([A-Za-z]+)"|const action = "([A-Za-z]+)"`)
	product := map[string]string{"DescribeVSwitches": "vpc"}
	var called []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range callRE.FindAllStringSubmatch(string(src), -1) {
			action := m[1] + m[2]
			prefix := "ecs"
			if m[2] != "" {
				prefix = "bssapi"
			}
			if p, ok := product[action]; ok {
				prefix = p
			}
			called = append(called, prefix+":"+action)
		}
	}
	slices.Sort(called)
	called = slices.Compact(called)
	if !slices.Contains(called, "ecs:RunInstances") || !slices.Contains(called, "bssapi:DescribeInstanceBill") {
		t.Fatalf("the scan of the adapter found %v: it no longer matches how calls are written", called)
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	start := strings.Index(section, "## Running on a real Aliyun account")
	if start < 0 {
		t.Fatal("no policy section in the README")
	}
	section = section[start:]
	section = section[:strings.Index(section, "```\n\n")]
	var listed []string
	for _, m := range regexp.MustCompile(`"((?:ecs|vpc|bssapi):[A-Za-z]+)"`).FindAllStringSubmatch(section, -1) {
		listed = append(listed, m[1])
	}
	slices.Sort(listed)
	if !slices.Equal(called, listed) {
		t.Errorf("the README's policy lists\n  %v\nthe adapter calls\n  %v", listed, called)
	}
}
