package scenario

import (
	"context"
	"testing"
)

// The scenarios' plumbing, checked for what it returns (never for how long it
// takes), against a mock without rate limits so the test is quick.

func TestReadCallRecords(t *testing.T) {
	m := startTestMock(t, 250, false)
	p := configured(t, m.backend)
	start, end := m.window()
	_, n, err := p.ReadCallRecords(context.Background(), start, end)
	if err != nil {
		t.Fatal(err)
	}
	if n != 250 {
		t.Fatalf("read %d records, want 250", n)
	}
}

func TestReadCallRecordsParallel(t *testing.T) {
	m := startTestMock(t, 20, false)
	p := configured(t, m.backend)
	if err := p.ReadCallRecordsParallel(context.Background(), m.callIDs(t, 12), 5); err != nil {
		t.Fatal(err)
	}
	err := p.ReadCallRecordsParallel(context.Background(), []string{"no-such-call"}, 5)
	if err == nil {
		t.Fatal("reading an unknown call succeeded")
	}
}

func TestConfigureRejectsWrongKey(t *testing.T) {
	m := startTestMock(t, 1, false)
	be := m.backend
	be.Key = "not-the-mock-key"
	p := configured(t, be)
	if err := p.ReadCallRecordsParallel(context.Background(), m.callIDs(t, 1), 1); err == nil {
		t.Fatal("a read signed with the wrong key succeeded")
	}
}
