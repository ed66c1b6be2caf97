// Package usersig mints and verifies TUICallKit / IM UserSigs (TLS sig v2).
//
// It is a thin layer over github.com/tencentyun/tls-sig-api-v2-golang: the
// signature itself is always computed by that library, never by hand. This
// package adds an injectable clock for verification and expiry bookkeeping, and
// maps the library's errors onto two classes that callers act on differently:
// ErrInvalid (wrong key, wrong app, wrong user, garbage) and ErrExpired.
package usersig

import (
	"errors"
	"fmt"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

var (
	// ErrInvalid means the UserSig does not verify: it was signed with another
	// key, for another SDKAppID or user, or is not a UserSig at all.
	ErrInvalid = errors.New("usersig: invalid")
	// ErrExpired means the UserSig verified structurally but its lifetime is over.
	ErrExpired = errors.New("usersig: expired")
)

// Clock returns the current time. Tests inject a fixed or moving clock.
type Clock func() time.Time

// MaxUserIDLength is the longest user ID the vendor documents (32 bytes).
const MaxUserIDLength = 32

// Signer mints UserSigs for one application.
type Signer struct {
	sdkAppID int64
	key      string
	now      Clock
}

// NewSigner returns a Signer for sdkAppID signed with key. A nil clock means time.Now.
func NewSigner(sdkAppID int64, key string, clock Clock) (*Signer, error) {
	if sdkAppID <= 0 {
		return nil, fmt.Errorf("usersig: SDKAppID must be positive, got %d", sdkAppID)
	}
	if key == "" {
		return nil, errors.New("usersig: secret key is empty")
	}
	if clock == nil {
		clock = time.Now
	}
	return &Signer{sdkAppID: sdkAppID, key: key, now: clock}, nil
}

// Sig is a minted UserSig and the instant it stops being valid.
type Sig struct {
	Value     string
	ExpiresAt time.Time
}

// Mint signs a UserSig for userID valid for expire.
//
// The vendor library stamps the signature with the wall clock (it has no clock
// parameter), so ExpiresAt is computed from the injected clock sampled just
// before signing: it can only err on the early side, which is the safe side for
// a cache that re-mints before expiry.
func (s *Signer) Mint(userID string, expire time.Duration) (Sig, error) {
	if userID == "" {
		return Sig{}, errors.New("usersig: user ID is empty")
	}
	if len(userID) > MaxUserIDLength {
		return Sig{}, fmt.Errorf("usersig: user ID is %d bytes, at most %d are allowed", len(userID), MaxUserIDLength)
	}
	secs := int64(expire / time.Second)
	if secs <= 0 {
		return Sig{}, fmt.Errorf("usersig: expiry must be at least one second, got %s", expire)
	}
	if secs > int64(^uint32(0)>>1) {
		return Sig{}, fmt.Errorf("usersig: expiry %s is too long", expire)
	}
	start := s.now()
	v, err := tencentyun.GenUserSig(int(s.sdkAppID), s.key, userID, int(secs))
	if err != nil {
		// The library's errors never include the key; keep it that way.
		return Sig{}, fmt.Errorf("usersig: signing failed: %w", err)
	}
	return Sig{Value: v, ExpiresAt: start.Add(time.Duration(secs) * time.Second)}, nil
}

// Verify checks that sig is a valid UserSig for (sdkAppID, userID) signed with
// key at the instant now. It returns nil, ErrExpired or ErrInvalid (wrapped
// with the library's reason, which never contains the key or the signature).
func Verify(sdkAppID int64, key, userID, sig string, now time.Time) (err error) {
	if sdkAppID <= 0 || sig == "" {
		return fmt.Errorf("%w: empty signature or SDKAppID", ErrInvalid)
	}
	// The library decodes untrusted input; a decoder bug there must not take
	// down the caller (the mock verifies whatever a client sends).
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: malformed signature", ErrInvalid)
		}
	}()
	e := tencentyun.VerifyUserSig(uint64(sdkAppID), key, userID, sig, now)
	switch {
	case e == nil:
		return nil
	case errors.Is(e, tencentyun.ErrExpired):
		// The library checks expiry before the HMAC, so a forged-but-old
		// signature would read as expired. Re-check the HMAC at the signature's
		// own issue time so only genuinely signed, genuinely old sigs are "expired".
		if tencentyun.VerifyUserSig(uint64(sdkAppID), key, userID, sig, time.Unix(0, 0)) != nil {
			return fmt.Errorf("%w: signature does not match", ErrInvalid)
		}
		return ErrExpired
	case errors.Is(e, tencentyun.ErrSdkAppIDNotMatch):
		return fmt.Errorf("%w: signed for another SDKAppID", ErrInvalid)
	case errors.Is(e, tencentyun.ErrIdentifierNotMatch):
		return fmt.Errorf("%w: signed for another user", ErrInvalid)
	case errors.Is(e, tencentyun.ErrSigNotMatch):
		return fmt.Errorf("%w: signature does not match", ErrInvalid)
	default:
		return fmt.Errorf("%w: malformed signature", ErrInvalid)
	}
}
