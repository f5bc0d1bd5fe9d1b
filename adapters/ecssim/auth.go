package ecssim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

const signAlgorithm = "ACS3-HMAC-SHA256"

// nonceTTL is how long a signature nonce is remembered (Aliyun: 15 minutes).
const nonceTTL = 15 * time.Minute

func parseForm(body []byte) (url.Values, error) { return url.ParseQuery(string(body)) }

// authenticate checks an ACS3-HMAC-SHA256 (signature v3) request the way the
// gateway does: recompute the signature from the headers the client listed
// in SignedHeaders, the canonical query and the SHA-256 of the actual body.
func (s *Simulator) authenticate(r *http.Request, body []byte) error {
	auth := r.Header.Get("Authorization")
	algo, rest, _ := strings.Cut(auth, " ")
	if auth == "" || algo != signAlgorithm {
		return newErr(http.StatusBadRequest, "IncompleteSignature",
			"The request signature does not conform to Aliyun standards: expected Authorization %q.", signAlgorithm+" Credential=...,SignedHeaders=...,Signature=...")
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	ak, signed, sig := fields["Credential"], fields["SignedHeaders"], fields["Signature"]
	if ak == "" || signed == "" || sig == "" {
		return newErr(http.StatusBadRequest, "IncompleteSignature",
			"The request signature does not conform to Aliyun standards: Credential, SignedHeaders and Signature are required.")
	}
	if ak != s.opts.AccessKeyID {
		return newErr(http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
	}
	names := strings.Split(signed, ";")
	for _, must := range []string{"host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"} {
		if !contains(names, must) {
			return newErr(http.StatusBadRequest, "IncompleteSignature",
				"The request signature does not conform to Aliyun standards: header %q must be signed.", must)
		}
	}

	payload := sha256.Sum256(body)
	canonical := r.Method + "\n" + canonicalURI(r) + "\n" + canonicalQuery(r.URL.Query()) + "\n" +
		canonicalHeaders(r, names) + "\n" + signed + "\n" + hex.EncodeToString(payload[:])
	hashed := sha256.Sum256([]byte(canonical))
	stringToSign := signAlgorithm + "\n" + hex.EncodeToString(hashed[:])
	mac := hmac.New(sha256.New, []byte(s.opts.AccessKeySecret))
	mac.Write([]byte(stringToSign))
	want := hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(sig))) {
		return newErr(http.StatusForbidden, "SignatureDoesNotMatch",
			"Specified signature does not match our calculation. server string to sign is:%s", stringToSign)
	}

	if s.opts.MaxClockSkew > 0 {
		d, err := time.Parse("2006-01-02T15:04:05Z", r.Header.Get("x-acs-date"))
		if err != nil {
			return newErr(http.StatusBadRequest, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
		}
		// Compare with the wall clock: clients sign with real time even when
		// the simulator runs on a fake clock.
		if skew := time.Since(d); skew > s.opts.MaxClockSkew || skew < -s.opts.MaxClockSkew {
			return newErr(http.StatusBadRequest, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
		}
	}

	nonce := r.Header.Get("x-acs-signature-nonce")
	if nonce == "" {
		return errMissing("SignatureNonce")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if _, used := s.nonces[nonce]; used {
		return newErr(http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already.")
	}
	for n, t := range s.nonces {
		if now.Sub(t) > nonceTTL {
			delete(s.nonces, n)
		}
	}
	s.nonces[nonce] = now
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func canonicalURI(r *http.Request) string {
	p := r.URL.EscapedPath()
	if p == "" {
		p = "/"
	}
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(p)
}

// canonicalQuery sorts by key and percent-encodes values as
// openapiutil.getCanonicalQueryString does (keys are used verbatim).
func canonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		v := ""
		if vs := q[k]; len(vs) > 0 {
			v = vs[0]
		}
		b.WriteString(k)
		b.WriteByte('=')
		if v != "" {
			b.WriteString(url.QueryEscape(v))
		}
	}
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(b.String())
}

// canonicalHeaders renders "name:value\n" for each signed header; host is
// the Host the client sent.
func canonicalHeaders(r *http.Request, names []string) string {
	var b strings.Builder
	for _, n := range names {
		var vals []string
		if n == "host" {
			vals = []string{r.Host}
		} else {
			for _, v := range r.Header.Values(n) {
				vals = append(vals, strings.TrimSpace(v))
			}
			sort.Strings(vals)
		}
		b.WriteString(n + ":" + strings.Join(vals, ",") + "\n")
	}
	return b.String()
}
