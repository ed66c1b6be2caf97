package mockserver

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"
)

// TelCdr is one Cloud Contact Center telephone call record (callkit-api.md §8)
// in the mock's own form. Its JSON form is the API's TelCdrInfo field names;
// the wire answer adds Time (= StartTimestamp).
type TelCdr struct {
	SessionID            string              `json:"SessionId"`
	Caller               string              `json:"Caller"`
	Callee               string              `json:"Callee"`
	Direction            int                 `json:"Direction"` // 0 inbound, 1 outbound
	StartTimestamp       int64               `json:"StartTimestamp"`
	QueuedTimestamp      int64               `json:"QueuedTimestamp"`
	RingTimestamp        int64               `json:"RingTimestamp"`
	AcceptTimestamp      int64               `json:"AcceptTimestamp"`
	EndedTimestamp       int64               `json:"EndedTimestamp"`
	Duration             int64               `json:"Duration"`
	EndStatus            int                 `json:"EndStatus"`
	EndStatusString      string              `json:"EndStatusString"`
	HungUpSide           string              `json:"HungUpSide"`
	SkillGroup           string              `json:"SkillGroup"`
	SkillGroupID         int64               `json:"SkillGroupId"`
	QueuedSkillGroupID   int64               `json:"QueuedSkillGroupId"`
	QueuedSkillGroupName string              `json:"QueuedSkillGroupName"`
	SeatUser             *TelCdrSeatUser     `json:"SeatUser"`
	ServeParticipants    []TelCdrParticipant `json:"ServeParticipants"`
	IVRDuration          int64               `json:"IVRDuration"`
	IVRKeyPressed        []string            `json:"IVRKeyPressed"`
	RecordURL            string              `json:"RecordURL"`
	CustomRecordURL      string              `json:"CustomRecordURL"`
	VoicemailRecordURL   []string            `json:"VoicemailRecordURL"`
	RecordID             string              `json:"RecordId"`
	AsrURL               string              `json:"AsrUrl"`
	CallerLocation       string              `json:"CallerLocation"`
	Remark               string              `json:"Remark"`
	UUI                  string              `json:"Uui"`
}

// TelCdrSeatUser is the agent who served a call.
type TelCdrSeatUser struct {
	UserID             string   `json:"UserId"`
	Name               string   `json:"Name"`
	Nick               string   `json:"Nick"`
	Phone              string   `json:"Phone"`
	Mail               string   `json:"Mail"`
	StaffNumber        string   `json:"StaffNumber"`
	SkillGroupNameList []string `json:"SkillGroupNameList"`
}

// TelCdrParticipant is one agent leg of a call.
type TelCdrParticipant struct {
	Mail            string `json:"Mail"`
	Phone           string `json:"Phone"`
	Type            string `json:"Type"`
	Sequence        int    `json:"Sequence"`
	StartTimestamp  int64  `json:"StartTimestamp"`
	RingTimestamp   int64  `json:"RingTimestamp"`
	AcceptTimestamp int64  `json:"AcceptTimestamp"`
	EndedTimestamp  int64  `json:"EndedTimestamp"`
	RecordID        string `json:"RecordId"`
	RecordURL       string `json:"RecordURL"`
	SkillGroupID    int64  `json:"SkillGroupId"`
	SkillGroupName  string `json:"SkillGroupName"`
	EndStatusString string `json:"EndStatusString"`
	TransferFrom    string `json:"TransferFrom"`
	TransferTo      string `json:"TransferTo"`
	TransferToType  string `json:"TransferToType"`
}

func (r TelCdr) clone() TelCdr {
	if r.SeatUser != nil {
		u := *r.SeatUser
		u.SkillGroupNameList = slices.Clone(u.SkillGroupNameList)
		r.SeatUser = &u
	}
	r.ServeParticipants = slices.Clone(r.ServeParticipants)
	r.IVRKeyPressed = slices.Clone(r.IVRKeyPressed)
	r.VoicemailRecordURL = slices.Clone(r.VoicemailRecordURL)
	return r
}

// cccRetention is how far back generated records reach. The API answers for
// StartTimeStamp up to 180 days back; a month of history is plenty for tests.
const cccRetention = 30 * 24 * time.Hour

// telCdrStore holds the records sorted by (StartTimestamp, SessionID).
type telCdrStore struct {
	mu   sync.RWMutex
	recs []TelCdr
}

func telCdrLess(a, b TelCdr) int {
	return cmp.Or(cmp.Compare(a.StartTimestamp, b.StartTimestamp), cmp.Compare(a.SessionID, b.SessionID))
}

// add stores records; a record with the SessionID of a stored one replaces it.
func (st *telCdrStore) add(recs []TelCdr) {
	st.mu.Lock()
	defer st.mu.Unlock()
	replace := make(map[string]TelCdr, len(recs))
	for _, r := range recs {
		replace[r.SessionID] = r.clone()
	}
	kept := st.recs[:0]
	for _, r := range st.recs {
		if _, ok := replace[r.SessionID]; !ok {
			kept = append(kept, r)
		}
	}
	for _, r := range recs {
		if nr, ok := replace[r.SessionID]; ok {
			kept = append(kept, nr)
			delete(replace, r.SessionID) // a SessionID given twice is stored once: the last one
		}
	}
	slices.SortFunc(kept, telCdrLess)
	st.recs = kept
}

// expireOldest removes the n oldest records, as the retention does.
func (st *telCdrStore) expireOldest(n int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.recs = slices.Delete(st.recs, 0, min(max(n, 0), len(st.recs)))
}

func (st *telCdrStore) all() []TelCdr {
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := make([]TelCdr, len(st.recs))
	for i, r := range st.recs {
		out[i] = r.clone()
	}
	return out
}

// telCdrQuery is a validated DescribeTelCdr request.
type telCdrQuery struct {
	start, end int64 // inclusive bounds on StartTimestamp
	phones     []string
	sessionIDs []string
	offset     int
	limit      int
}

func (q telCdrQuery) matches(r *TelCdr) bool {
	if r.StartTimestamp < q.start || r.StartTimestamp > q.end {
		return false
	}
	if len(q.phones) > 0 && !slices.Contains(q.phones, r.Caller) && !slices.Contains(q.phones, r.Callee) {
		return false
	}
	if len(q.sessionIDs) > 0 && !slices.Contains(q.sessionIDs, r.SessionID) {
		return false
	}
	return true
}

// find returns the number of matching records and the page [offset, offset+limit).
func (st *telCdrStore) find(q telCdrQuery) (int, []TelCdr) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	// Records are sorted by start: binary-search the window, then filter.
	lo, _ := slices.BinarySearchFunc(st.recs, q.start, func(r TelCdr, t int64) int { return cmp.Compare(r.StartTimestamp, t) })
	total := 0
	page := []TelCdr{}
	for i := lo; i < len(st.recs) && st.recs[i].StartTimestamp <= q.end; i++ {
		if !q.matches(&st.recs[i]) {
			continue
		}
		if total >= q.offset && len(page) < q.limit {
			page = append(page, st.recs[i].clone())
		}
		total++
	}
	return total, page
}

// AddTelCdrs stores Cloud Contact Center records (a record with the SessionID
// of a stored one replaces it). Every record needs a SessionID.
func (s *Server) AddTelCdrs(recs ...TelCdr) error {
	for i, r := range recs {
		if r.SessionID == "" {
			return fmt.Errorf("record %d has no SessionID", i)
		}
	}
	s.ccc.store.add(recs)
	return nil
}

// TelCdrs returns every Cloud Contact Center record, in the order
// DescribeTelCdr pages them: ascending StartTimestamp, then SessionID.
func (s *Server) TelCdrs() []TelCdr { return s.ccc.store.all() }

// Vocabulary of generated records.
var (
	cccLines     = []string{"02066660001", "02066660002", "075536600010"}
	cccLocations = []string{"Guangdong Shenzhen", "Guangdong Guangzhou", "Beijing", "Shanghai", "Zhejiang Hangzhou", "Sichuan Chengdu"}
	cccGroups    = []struct {
		id   int64
		name string
	}{{101, "Sales"}, {102, "Support"}, {103, "Billing"}}
	cccAgents = func() []TelCdrSeatUser {
		names := []string{"Li Lei", "Han Meimei", "Zhang Wei", "Wang Fang", "Liu Yang", "Chen Jing", "Zhao Min", "Sun Li"}
		out := make([]TelCdrSeatUser, len(names))
		for i, n := range names {
			id := "agent" + strconv.Itoa(i+1)
			out[i] = TelCdrSeatUser{
				UserID: id + "@callcenter.example.com", Name: n, Nick: id, Phone: "1390000000" + strconv.Itoa(i),
				Mail: id + "@callcenter.example.com", StaffNumber: fmt.Sprintf("S%04d", i+1),
			}
		}
		return out
	}()
)

// cccEndStatus is one documented EndStatus / EndStatusString pair.
type cccEndStatus struct {
	code int
	name string
}

var (
	cccOK           = cccEndStatus{1, "ok"}
	cccInboundFails = []cccEndStatus{{102, "ivrGiveUp"}, {103, "waitingGiveUp"}, {104, "ringingGiveUp"}, {105, "noSeatOnline"}, {106, "notWorkTime"}, {107, "ivrEnd"}}
	cccOutboundFail = []cccEndStatus{{2, "unconnected"}, {203, "userReject"}, {204, "powerOff"}, {205, "numberNotExist"}, {206, "busy"}, {209, "callerCancel"}, {210, "notInService"}}
)

// numCCCCustomers is small so a phone number has many calls to filter.
const numCCCCustomers = 60

func cccCustomer(i int) string { return "138" + fmt.Sprintf("%08d", 10000+i) }

// generateTelCdrs makes n deterministic records (for seed and appID) whose
// calls started and ended within the 30 days before now.
func generateTelCdrs(seed, appID int64, n int, now time.Time) []TelCdr {
	if n <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(appID)^0xccc0ccc0ccc0ccc0))
	nowS := now.Unix()
	// The longest generated call lasts under two hours: every call has ended.
	lo, hi := nowS-int64(cccRetention/time.Second)+1, nowS-2*3600
	out := make([]TelCdr, n)
	for i := range out {
		out[i] = randomTelCdr(rng, appID, lo+rng.Int64N(hi-lo+1))
	}
	slices.SortFunc(out, telCdrLess)
	return out
}

func randomTelCdr(rng *rand.Rand, appID, start int64) TelCdr {
	r := TelCdr{SessionID: newUUID(rng), StartTimestamp: start, Direction: rng.IntN(2)}
	customer := cccCustomer(rng.IntN(numCCCCustomers))
	line := cccLines[rng.IntN(len(cccLines))]
	group := cccGroups[rng.IntN(len(cccGroups))]
	agentIdx := rng.IntN(len(cccAgents))
	agent := cccAgents[agentIdx]
	agent.SkillGroupNameList = []string{group.name}
	ok := rng.IntN(100) < 65
	t := start
	if r.Direction == 0 { // inbound: IVR, queue, ring, accept
		r.Caller, r.Callee = customer, line
		r.CallerLocation = cccLocations[rng.IntN(len(cccLocations))]
		r.IVRDuration = 3 + rng.Int64N(40)
		r.IVRKeyPressed = []string{strconv.Itoa(1 + rng.IntN(3))}
		if rng.IntN(3) == 0 {
			r.IVRKeyPressed = append(r.IVRKeyPressed, strconv.Itoa(rng.IntN(10)))
		}
		status := cccOK
		if !ok {
			status = cccInboundFails[rng.IntN(len(cccInboundFails))]
		}
		r.EndStatus, r.EndStatusString = status.code, status.name
		t += r.IVRDuration
		switch status.name {
		case "ivrGiveUp", "ivrEnd", "notWorkTime":
			r.EndedTimestamp = t
			r.HungUpSide = "user"
			if status.name == "notWorkTime" {
				r.VoicemailRecordURL = []string{fmt.Sprintf("https://ccc-record.example.com/%d/voicemail/%s.mp3", appID, r.SessionID)}
			}
			return finishTelCdr(r)
		}
		r.SkillGroup, r.SkillGroupID = group.name, group.id
		r.QueuedSkillGroupID, r.QueuedSkillGroupName = group.id, group.name
		r.QueuedTimestamp = t
		t += rng.Int64N(60)
		if status.name == "waitingGiveUp" || status.name == "noSeatOnline" {
			r.EndedTimestamp = t
			r.HungUpSide = "user"
			return finishTelCdr(r)
		}
	} else { // outbound: an agent dials a customer
		r.Caller, r.Callee = line, customer
		r.SkillGroup, r.SkillGroupID = group.name, group.id
		status := cccOK
		if !ok {
			status = cccOutboundFail[rng.IntN(len(cccOutboundFail))]
		}
		r.EndStatus, r.EndStatusString = status.code, status.name
		if !ok {
			r.SeatUser = &agent
			r.RingTimestamp = t + 1
			r.EndedTimestamp = t + 2 + rng.Int64N(45)
			r.HungUpSide = "seat"
			return finishTelCdr(r)
		}
	}
	r.SeatUser = &agent
	r.RingTimestamp = t
	if r.EndStatusString == "ringingGiveUp" {
		r.EndedTimestamp = t + 5 + rng.Int64N(25)
		r.HungUpSide = "user"
		return finishTelCdr(r)
	}
	r.AcceptTimestamp = t + 2 + rng.Int64N(15)
	r.EndedTimestamp = r.AcceptTimestamp + 20 + rng.Int64N(1800)
	r.HungUpSide = []string{"seat", "user"}[rng.IntN(2)]
	r.RecordID = fmt.Sprintf("rec-%016x", rng.Uint64())
	r.RecordURL = fmt.Sprintf("https://ccc-record.example.com/%d/%s.mp3", appID, r.SessionID)
	if rng.IntN(3) == 0 {
		r.CustomRecordURL = fmt.Sprintf("https://cos.example.com/ccc/%s.mp3", r.SessionID)
	}
	r.AsrURL = fmt.Sprintf("https://ccc-asr.example.com/%d/%s.json", appID, r.SessionID)
	p := TelCdrParticipant{
		Mail: agent.Mail, Phone: agent.Phone, Type: "staffSeat", StartTimestamp: r.RingTimestamp,
		RingTimestamp: r.RingTimestamp, AcceptTimestamp: r.AcceptTimestamp, EndedTimestamp: r.EndedTimestamp,
		RecordID: r.RecordID, RecordURL: r.RecordURL, SkillGroupID: group.id, SkillGroupName: group.name, EndStatusString: "ok",
	}
	r.ServeParticipants = []TelCdrParticipant{p}
	if rng.IntN(10) == 0 { // transferred to a second agent half-way
		to := cccAgents[(agentIdx+1)%len(cccAgents)]
		mid := p.AcceptTimestamp + (p.EndedTimestamp-p.AcceptTimestamp)/2
		r.ServeParticipants[0].EndedTimestamp = mid
		r.ServeParticipants[0].TransferTo, r.ServeParticipants[0].TransferToType = to.Mail, "staffSeat"
		r.ServeParticipants = append(r.ServeParticipants, TelCdrParticipant{
			Mail: to.Mail, Phone: to.Phone, Type: "staffSeat", Sequence: 1, StartTimestamp: mid, RingTimestamp: mid,
			AcceptTimestamp: mid + 3, EndedTimestamp: r.EndedTimestamp, SkillGroupID: group.id, SkillGroupName: group.name,
			EndStatusString: "ok", TransferFrom: agent.Mail,
		})
	}
	if rng.IntN(4) == 0 {
		r.Remark = "follow-up " + strconv.Itoa(rng.IntN(1000))
	}
	if rng.IntN(5) == 0 {
		r.UUI = "order-" + strconv.Itoa(100000+rng.IntN(900000))
	}
	return finishTelCdr(r)
}

// finishTelCdr sets the derived Duration: talk time for answered calls, else 0.
func finishTelCdr(r TelCdr) TelCdr {
	if r.AcceptTimestamp > 0 {
		r.Duration = r.EndedTimestamp - r.AcceptTimestamp
	}
	return r
}
