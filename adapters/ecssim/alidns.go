package ecssim

import (
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// AlidnsVersion is the x-acs-version of Alibaba Cloud DNS (Alidns).
const AlidnsVersion = "2015-01-09"

// The simulated Alidns keeps the records of the domains in
// Options.DNSDomains, the domains "in the account". Only what the front
// door needs is served: AddDomainRecord, UpdateDomainRecord and
// DescribeDomainRecords, signed and checked like every other call.

// alidnsProduct is the Alidns action table.
func alidnsProduct() product {
	return product{
		version: AlidnsVersion,
		name:    "Alidns",
		hostID:  "alidns.aliyuncs.com",
		actions: map[string]actionFunc{
			"AddDomainRecord":       actAddDomainRecord,
			"UpdateDomainRecord":    actUpdateDomainRecord,
			"DescribeDomainRecords": actDescribeDomainRecords,
		},
	}
}

// DNSRecord is one record as the simulator keeps it and GET /_sim/dns
// shows it.
type DNSRecord struct {
	RecordId   string `json:"RecordId"`
	DomainName string `json:"DomainName"`
	RR         string `json:"RR"`
	Type       string `json:"Type"`
	Value      string `json:"Value"`
	TTL        int    `json:"TTL"`
	// Updates counts the writes after the first, so a test can tell an
	// unchanged record from one rewritten with the same value.
	Updates int `json:"Updates"`
}

// dnsMinTTL is the free Alidns edition's lowest TTL ("TTL definition",
// Aliyun doc 29806, linked from the SDK's AddDomainRecordRequest.TTL);
// paid editions go lower. The simulator is a free-edition account.
const dnsMinTTL = 600

// dnsTypes are the record types the simulator accepts (Aliyun's list is
// longer: "DNS record types", doc 29805).
var dnsTypes = []string{"A", "AAAA", "CNAME", "TXT", "MX", "SRV"}

// DNSRecords lists every record, in creation order.
func (s *Simulator) DNSRecords() []DNSRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.dnsRecords)
}

// dnsRecordArgs reads and checks RR, Type, Value and TTL as Aliyun does.
func dnsRecordArgs(c *call) (DNSRecord, error) {
	var r DNSRecord
	var err error
	// RR, Type and Value are required (the SDK: "This parameter is
	// required"); RR "cannot be left empty": @ names the domain itself.
	if r.RR, err = c.required("RR"); err != nil {
		return r, err
	}
	if r.Type, err = c.required("Type"); err != nil {
		return r, err
	}
	if r.Value, err = c.required("Value"); err != nil {
		return r, err
	}
	if !slices.Contains(dnsTypes, r.Type) {
		return r, newErr(http.StatusBadRequest, "InvalidType", "The specified record type %q is not supported.", r.Type)
	}
	switch r.Type {
	case "A":
		if a, err := netip.ParseAddr(r.Value); err != nil || !a.Is4() {
			// Aliyun's code for a malformed record value.
			return r, newErr(http.StatusBadRequest, "SubDomainInvalid.Value", "The DNS record value %q is invalid.", r.Value)
		}
	case "SRV":
		// priority weight port target
		f := strings.Fields(r.Value)
		if len(f) != 4 {
			return r, newErr(http.StatusBadRequest, "SubDomainInvalid.Value", "The DNS record value %q is invalid.", r.Value)
		}
		for _, n := range f[:3] {
			if v, err := strconv.Atoi(n); err != nil || v < 0 || v > 65535 {
				return r, newErr(http.StatusBadRequest, "SubDomainInvalid.Value", "The DNS record value %q is invalid.", r.Value)
			}
		}
	}
	// TTL defaults to 600 (the SDK's comment on TTL). The code of a TTL
	// below the edition's minimum is the simulator's own choice: Aliyun's
	// is not in the SDK's comments.
	if r.TTL, err = c.integer("TTL", dnsMinTTL); err != nil {
		return r, err
	}
	if r.TTL < dnsMinTTL || r.TTL > 86400 {
		return r, newErr(http.StatusBadRequest, "InvalidTTL",
			"The TTL %d is outside what this edition allows (%d to 86400 seconds).", r.TTL, dnsMinTTL)
	}
	return r, nil
}

// sameRecord: Aliyun refuses a second record with the same RR, type and
// value (DomainRecordDuplicate), and an update that changes nothing with the
// same code (seen by DNS clients in the wild, which treat it as success).
func (s *Simulator) sameRecord(r DNSRecord, exceptID string) bool {
	for _, o := range s.dnsRecords {
		if o.RecordId != exceptID && o.DomainName == r.DomainName && strings.EqualFold(o.RR, r.RR) && o.Type == r.Type && o.Value == r.Value {
			return true
		}
	}
	return false
}

func errDuplicateRecord() *apiError {
	return newErr(http.StatusBadRequest, "DomainRecordDuplicate", "The DNS record already exists.")
}

func actAddDomainRecord(s *Simulator, c *call) (map[string]any, error) {
	domain, err := c.required("DomainName")
	if err != nil {
		return nil, err
	}
	if !slices.Contains(s.opts.DNSDomains, strings.ToLower(domain)) {
		return nil, newErr(http.StatusBadRequest, "InvalidDomainName.NoExist", "The specified domain name does not exist.")
	}
	r, err := dnsRecordArgs(c)
	if err != nil {
		return nil, err
	}
	r.DomainName = strings.ToLower(domain)
	if s.sameRecord(r, "") {
		return nil, errDuplicateRecord()
	}
	s.seq++
	r.RecordId = strconv.FormatUint(s.seq+1_000_000_000, 10)
	s.dnsRecords = append(s.dnsRecords, r)
	return map[string]any{"RecordId": r.RecordId}, nil
}

func actUpdateDomainRecord(s *Simulator, c *call) (map[string]any, error) {
	id, err := c.required("RecordId")
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(s.dnsRecords, func(r DNSRecord) bool { return r.RecordId == id })
	if i < 0 {
		return nil, newErr(http.StatusBadRequest, "DomainRecordNotBelongToUser", "The DNS record does not exist or does not belong to you.")
	}
	r, err := dnsRecordArgs(c)
	if err != nil {
		return nil, err
	}
	old := s.dnsRecords[i]
	r.RecordId, r.DomainName, r.Updates = old.RecordId, old.DomainName, old.Updates+1
	if (old.RR == r.RR && old.Type == r.Type && old.Value == r.Value && old.TTL == r.TTL) || s.sameRecord(r, id) {
		return nil, errDuplicateRecord()
	}
	s.dnsRecords[i] = r
	return map[string]any{"RecordId": r.RecordId}, nil
}

func actDescribeDomainRecords(s *Simulator, c *call) (map[string]any, error) {
	domain, err := c.required("DomainName")
	if err != nil {
		return nil, err
	}
	if !slices.Contains(s.opts.DNSDomains, strings.ToLower(domain)) {
		return nil, newErr(http.StatusBadRequest, "InvalidDomainName.NoExist", "The specified domain name does not exist.")
	}
	// RRKeyWord matches fuzzily and ignores case; Type exactly (the SDK's
	// comments on DescribeDomainRecordsRequest).
	rrKey, typ := strings.ToLower(c.str("RRKeyWord")), c.str("Type")
	size, err := c.integer("PageSize", 20)
	if err != nil || size < 1 || size > 500 {
		return nil, errInvalid("PageSize", c.str("PageSize"))
	}
	page, err := c.integer("PageNumber", 1)
	if err != nil || page < 1 {
		return nil, errInvalid("PageNumber", c.str("PageNumber"))
	}
	var match []map[string]any
	for _, r := range s.dnsRecords {
		if r.DomainName != strings.ToLower(domain) || (typ != "" && r.Type != typ) ||
			(rrKey != "" && !strings.Contains(strings.ToLower(r.RR), rrKey)) {
			continue
		}
		match = append(match, map[string]any{"RecordId": r.RecordId, "DomainName": r.DomainName, "RR": r.RR,
			"Type": r.Type, "Value": r.Value, "TTL": r.TTL, "Line": "default", "Status": "ENABLE", "Locked": false, "Weight": 1})
	}
	total := len(match)
	lo, hi := min((page-1)*size, total), min(page*size, total)
	return map[string]any{"TotalCount": total, "PageNumber": page, "PageSize": size,
		"DomainRecords": map[string]any{"Record": nonNil(match[lo:hi])}}, nil
}

func nonNil(r []map[string]any) []map[string]any {
	if r == nil {
		return []map[string]any{}
	}
	return r
}
