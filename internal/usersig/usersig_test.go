package usersig

import (
	"errors"
	"testing"
	"time"
)

func TestMintAndVerify(t *testing.T) {
	t.Parallel()
	fixed := time.Now()
	s, err := NewSigner(1400000000, "k3y", func() time.Time { return fixed })
	if err != nil {
		t.Fatal(err)
	}
	sig, err := s.Mint("administrator", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sig.ExpiresAt, fixed.Add(time.Hour); !got.Equal(want) {
		t.Fatalf("ExpiresAt = %v, want %v", got, want)
	}
	now := time.Now()
	cases := []struct {
		name    string
		app     int64
		key     string
		user    string
		sig     string
		at      time.Time
		wantErr error
	}{
		{"valid", 1400000000, "k3y", "administrator", sig.Value, now, nil},
		{"wrong key", 1400000000, "other", "administrator", sig.Value, now, ErrInvalid},
		{"wrong app", 1400000001, "k3y", "administrator", sig.Value, now, ErrInvalid},
		{"wrong user", 1400000000, "k3y", "alice", sig.Value, now, ErrInvalid},
		{"expired", 1400000000, "k3y", "administrator", sig.Value, now.Add(2 * time.Hour), ErrExpired},
		{"expired and wrong key", 1400000000, "other", "administrator", sig.Value, now.Add(2 * time.Hour), ErrInvalid},
		{"garbage", 1400000000, "k3y", "administrator", "not-a-sig", now, ErrInvalid},
		{"empty", 1400000000, "k3y", "administrator", "", now, ErrInvalid},
	}
	for _, tc := range cases {
		err := Verify(tc.app, tc.key, tc.user, tc.sig, tc.at)
		if tc.wantErr == nil {
			if err != nil {
				t.Errorf("%s: unexpected error %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.wantErr)
		}
	}
}

func TestMintRejectsBadInput(t *testing.T) {
	t.Parallel()
	if _, err := NewSigner(0, "k", nil); err == nil {
		t.Error("zero SDKAppID accepted")
	}
	if _, err := NewSigner(1, "", nil); err == nil {
		t.Error("empty key accepted")
	}
	s, _ := NewSigner(1, "k", nil)
	for _, tc := range []struct {
		user string
		exp  time.Duration
	}{{"", time.Hour}, {"u", 0}, {"u", -time.Second}, {"a-very-long-user-id-over-32-bytes-long", time.Hour}} {
		if _, err := s.Mint(tc.user, tc.exp); err == nil {
			t.Errorf("Mint(%q, %v) succeeded", tc.user, tc.exp)
		}
	}
}

func FuzzVerify(f *testing.F) {
	s, _ := NewSigner(1400000000, "k3y", nil)
	good, _ := s.Mint("administrator", time.Hour)
	for _, seed := range []string{good.Value, "", "eJw", "eJyrVg==", "****", good.Value[:len(good.Value)/2]} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, sig string) {
		err := Verify(1400000000, "k3y", "administrator", sig, time.Now())
		if err != nil && !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrExpired) {
			t.Fatalf("unclassified error %v", err)
		}
	})
}
