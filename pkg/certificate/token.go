package certificate

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
)

// The verification code printed on a certificate: a 34-byte payload and its 64-byte Ed25519
// signature, base64url without padding (131 characters). Big-endian throughout:
//
//	offset  size  field
//	0       1     version (1)
//	1       1     key id
//	2       8     certificate id
//	10      8     organization id
//	18      4     issue date as the number YYYYMMDD
//	22      4     total minutes of service certified
//	26      8     digest: the first 8 bytes of SHA-256("timebank certificate\x00" number "\x00" masked name)
//	34      64    signature of bytes 0–33
const (
	tokenVersion = 1
	payloadSize  = 34
	tokenSize    = payloadSize + ed25519.SignatureSize
)

// b64 is base64url without padding, refusing stray bits in the last character so that every
// character of a code matters.
var b64 = base64.RawURLEncoding.Strict()

// Claims are what a verification code says about its certificate.
type Claims struct {
	Version       int    `json:"version"`
	KeyID         int    `json:"key_id"`
	CertificateID int64  `json:"certificate_id"`
	OrgID         int64  `json:"org_id"`
	IssueDate     string `json:"issue_date"` // YYYY-MM-DD
	TotalMinutes  int64  `json:"total_minutes"`
	Digest        []byte `json:"digest"` // see Digest
}

// Digest returns the 8-byte digest of a certificate's number and masked name that its code
// carries, so that a code cannot be moved to another certificate's paper.
func Digest(number, maskedName string) []byte {
	h := sha256.Sum256([]byte("timebank certificate\x00" + number + "\x00" + maskedName))
	return h[:8]
}

// sign encodes and signs the claims with the signer's current key.
func (s *Signer) sign(c Claims) (string, error) {
	date, err := strconv.Atoi(c.IssueDate[0:4] + c.IssueDate[5:7] + c.IssueDate[8:10])
	if err != nil || len(c.Digest) != 8 || c.TotalMinutes < 0 || c.TotalMinutes > 1<<32-1 {
		return "", fmt.Errorf("certificate: cannot encode claims %+v", c)
	}
	b := make([]byte, payloadSize, tokenSize)
	b[0] = tokenVersion
	b[1] = s.current
	binary.BigEndian.PutUint64(b[2:], uint64(c.CertificateID))
	binary.BigEndian.PutUint64(b[10:], uint64(c.OrgID))
	binary.BigEndian.PutUint32(b[18:], uint32(date))
	binary.BigEndian.PutUint32(b[22:], uint32(c.TotalMinutes))
	copy(b[26:], c.Digest)
	b = append(b, ed25519.Sign(s.keys[s.current], b)...)
	return b64.EncodeToString(b), nil
}

// Verify checks a verification code offline: its layout, its key id and its signature. It says
// nothing of whether the certificate was revoked since; Check asks the register.
// Errors: ErrBadToken.
func (s *Signer) Verify(token string) (Claims, error) {
	b, err := b64.DecodeString(token)
	if err != nil || len(b) != tokenSize || b[0] != tokenVersion {
		return Claims{}, ErrBadToken
	}
	key, ok := s.keys[b[1]]
	if !ok || !ed25519.Verify(key.Public().(ed25519.PublicKey), b[:payloadSize], b[payloadSize:]) {
		return Claims{}, ErrBadToken
	}
	date := binary.BigEndian.Uint32(b[18:])
	return Claims{
		Version:       int(b[0]),
		KeyID:         int(b[1]),
		CertificateID: int64(binary.BigEndian.Uint64(b[2:])),
		OrgID:         int64(binary.BigEndian.Uint64(b[10:])),
		IssueDate:     fmt.Sprintf("%04d-%02d-%02d", date/10000, date/100%100, date%100),
		TotalMinutes:  int64(binary.BigEndian.Uint32(b[22:])),
		Digest:        append([]byte(nil), b[26:34]...),
	}, nil
}
