package jwt

import "errors"

// errShape: a token whose parts are not strict unpadded base64url. Decoders
// that tolerate padding would accept a signature with a trailing '=' (or
// other spellings of one token), so a token would not be one exact string.
var errShape = errors.New("token parts are not unpadded base64url")

// strictShape checks that token is three non-empty parts of the base64url
// alphabet (RFC 7515 §2: no padding, no line breaks, no other characters).
func strictShape(token string) error {
	parts, n := 0, 0
	for i := 0; i < len(token); i++ {
		c := token[i]
		switch {
		case c == '.':
			if n == 0 {
				return errShape
			}
			parts, n = parts+1, 0
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
			n++
		default:
			return errShape
		}
	}
	if parts != 2 || n == 0 {
		return errShape
	}
	return nil
}
