package ecssim

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// call is one decoded, authenticated RPC request.
type call struct {
	action    string
	version   string
	q         url.Values
	now       time.Time
	requestID string
}

func (c *call) str(k string) string { return c.q.Get(k) }

func (c *call) required(k string) (string, error) {
	v := c.q.Get(k)
	if v == "" {
		return "", errMissing(k)
	}
	return v, nil
}

// integer parses an optional integer parameter; def when absent.
func (c *call) integer(k string, def int) (int, error) {
	v := c.q.Get(k)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errInvalid(k, v)
	}
	return n, nil
}

// boolean parses an optional boolean parameter (the SDK sends "true"/"false").
func (c *call) boolean(k string) (bool, error) {
	v := c.q.Get(k)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errInvalid(k, v)
	}
	return b, nil
}

// list returns the values of a repeated parameter prefix.1, prefix.2, ... in
// index order, as openapiutil.Query flattens a []*string.
func (c *call) list(prefix string) []string {
	type kv struct {
		i int
		v string
	}
	var items []kv
	for k, vs := range c.q {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok || len(vs) == 0 {
			continue
		}
		i, err := strconv.Atoi(rest)
		if err != nil {
			continue
		}
		items = append(items, kv{i, vs[0]})
	}
	sort.Slice(items, func(a, b int) bool { return items[a].i < items[b].i })
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.v)
	}
	return out
}

// jsonList parses a parameter the API sends as a JSON array (InstanceIds).
func (c *call) jsonList(k string) ([]string, bool, error) {
	v := c.q.Get(k)
	if v == "" {
		return nil, false, nil
	}
	var out []string
	if err := json.Unmarshal([]byte(v), &out); err != nil {
		return nil, true, newErr(400, "InvalidParameter", "The specified parameter %q is not a JSON string array.", k)
	}
	return out, true, nil
}

// Tag is one resource tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// tags reads prefix.N.Key / prefix.N.Value pairs in index order.
func (c *call) tags(prefix string) []Tag {
	idx := map[int]*Tag{}
	for k, vs := range c.q {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok || len(vs) == 0 {
			continue
		}
		num, field, ok := strings.Cut(rest, ".")
		if !ok {
			continue
		}
		i, err := strconv.Atoi(num)
		if err != nil {
			continue
		}
		t := idx[i]
		if t == nil {
			t = &Tag{}
			idx[i] = t
		}
		switch field {
		case "Key":
			t.Key = vs[0]
		case "Value":
			t.Value = vs[0]
		}
	}
	keys := make([]int, 0, len(idx))
	for i := range idx {
		keys = append(keys, i)
	}
	sort.Ints(keys)
	out := make([]Tag, 0, len(keys))
	for _, i := range keys {
		if idx[i].Key != "" {
			out = append(out, *idx[i])
		}
	}
	return out
}

// fingerprint is the request's parameters minus volatile ones, to detect a
// ClientToken reused with different parameters.
func (c *call) fingerprint() string {
	q := url.Values{}
	for k, v := range c.q {
		q[k] = v
	}
	return c.action + "?" + q.Encode()
}

// page implements PageNumber/PageSize and MaxResults/NextToken paging over n
// items: it returns the [lo,hi) window and the response paging fields.
func (c *call) page(n, defSize, maxSize int) (lo, hi int, fields map[string]any, err error) {
	fields = map[string]any{}
	if c.q.Has("MaxResults") || c.q.Has("NextToken") {
		size, err := c.integer("MaxResults", defSize)
		if err != nil {
			return 0, 0, nil, err
		}
		size = min(max(size, 1), maxSize)
		if tok := c.str("NextToken"); tok != "" {
			lo, err = strconv.Atoi(tok)
			if err != nil || lo < 0 {
				return 0, 0, nil, errInvalid("NextToken", tok)
			}
		}
		lo = min(lo, n)
		hi = min(lo+size, n)
		if hi < n {
			fields["NextToken"] = strconv.Itoa(hi)
		} else {
			fields["NextToken"] = ""
		}
		fields["TotalCount"] = n
		return lo, hi, fields, nil
	}
	num, err := c.integer("PageNumber", 1)
	if err != nil {
		return 0, 0, nil, err
	}
	size, err := c.integer("PageSize", defSize)
	if err != nil {
		return 0, 0, nil, err
	}
	if num < 1 {
		return 0, 0, nil, errInvalid("PageNumber", c.str("PageNumber"))
	}
	size = min(max(size, 1), maxSize)
	lo = min((num-1)*size, n)
	hi = min(lo+size, n)
	fields["PageNumber"] = num
	fields["PageSize"] = size
	fields["TotalCount"] = n
	return lo, hi, fields, nil
}
