package callkit

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func FuzzDecodeEnvelope(f *testing.F) {
	for _, seed := range []string{
		`{"errorCode":0,"errorMessage":"Success","requestId":"r","data":{}}`,
		`{"errorCode":"70011","errorMessage":"none","requestId":12}`,
		`{"ErrorCode":0,"ActionStatus":"OK","RequestId":"Id","Response":{"TotalNum":1,"Page":0,"CallRecordList":[{"CallId":"x"}]}}`,
		`{"ActionStatus":"FAIL","ErrorCode":0}`,
		`<html>`, ``, `null`, `{"errorCode":1e3}`, `{"errorCode":99999999999999999999}`,
	} {
		f.Add([]byte(seed), true)
		f.Add([]byte(seed), false)
	}
	f.Fuzz(func(t *testing.T, raw []byte, v4 bool) {
		fam := familyV1
		if v4 {
			fam = familyV4
		}
		res, err := decodeEnvelope(fam, raw)
		if err == nil && res == nil {
			t.Fatal("nil result without error")
		}
		if err != nil && len(err.Error()) > 1000 {
			t.Fatalf("error of %d bytes", len(err.Error()))
		}
	})
}

func FuzzDecodeRecordPage(f *testing.F) {
	f.Add(`{"totalNum":3,"page":2,"callRecordList":[{"callId":"a","startCallTs":"12","callees":["x"]}]}`)
	f.Add(`{"TotalNum":1,"Page":0,"CallRecordList":[{"CallId":"a","RoomIdType":"2","StartTime":1.0}]}`)
	f.Add(`{"callRecordList":null}`)
	f.Fuzz(func(t *testing.T, raw string) {
		var a v1FilterAnswer
		if json.Unmarshal([]byte(raw), &a) == nil {
			for _, r := range a.CallRecordList {
				if rec := r.normalise(); rec.Callees == nil {
					t.Fatal("nil callees")
				}
			}
		}
		var b v4FilterAnswer
		if json.Unmarshal([]byte(raw), &b) == nil {
			for _, r := range b.CallRecordList {
				if rec := r.normalise(1); rec.Callees == nil || rec.SDKAppID != 1 {
					t.Fatal("bad normalisation")
				}
			}
		}
	})
}

func BenchmarkDecodePage100(b *testing.B) {
	recs := make([]map[string]any, 100)
	for i := range recs {
		recs[i] = map[string]any{"callId": fmt.Sprintf("2ae7d549-c441-4a9b-87c0-%012d", i), "sdkAppId": 1400000000, "mediaType": "video", "roomId": fmt.Sprint(i), "startCallTs": 1700000000 + i, "acceptTs": 1700000005 + i, "endTs": 1700000100 + i, "caller": "alice", "totalUserNumber": 2, "callType": "single", "callResult": "normal_end", "callees": []string{"bob"}}
	}
	raw, _ := json.Marshal(map[string]any{"errorCode": 0, "errorMessage": "Success", "requestId": "r", "data": map[string]any{"totalNum": 100, "page": 0, "callRecordList": recs}})
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := decodeEnvelope(familyV1, raw)
		if err != nil {
			b.Fatal(err)
		}
		var a v1FilterAnswer
		if err := json.Unmarshal(res.data, &a); err != nil {
			b.Fatal(err)
		}
		out := make([]Record, 0, len(a.CallRecordList))
		for _, r := range a.CallRecordList {
			out = append(out, r.normalise())
		}
		if len(out) != 100 {
			b.Fatalf("decoded %d records", len(out))
		}
	}
}

func BenchmarkSignRequest(b *testing.B) {
	c, err := New(Config{SDKAppID: testApp, SecretKey: testKey})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		sig, err := c.adminSig(false)
		if err != nil {
			b.Fatal(err)
		}
		u, _ := url.Parse(c.buildURL(epListRecords, sig))
		if !strings.HasPrefix(u.Path, "/v1/") {
			b.Fatal(u.Path)
		}
	}
}

func BenchmarkMintUserSig(b *testing.B) {
	c, _ := New(Config{SDKAppID: testApp, SecretKey: testKey})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.adminSig(true); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDescribeDecodeError(t *testing.T) {
	t.Parallel()
	var v v1CallbackBody
	err := describeDecodeError(json.Unmarshal([]byte(`{"address":["x"]}`), &v))
	if err == nil || err.Error() != `field "address" is a JSON array, expected a string` {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "v1CallbackBody") {
		t.Fatal("names a Go type")
	}
}

// TestFlexStringSameAsJSON: the no-escape fast path decodes every string as
// encoding/json does (escapes, multi-byte text, invalid UTF-8).
func TestFlexStringSameAsJSON(t *testing.T) {
	t.Parallel()
	for _, lit := range []string{`"abc"`, `""`, `"a\"b"`, `"\u00e9t\u00e9"`, `"été 通话"`, "\"\xff\xfe\"", `"tab\tx"`, `"back\\slash"`} {
		var want string
		if err := json.Unmarshal([]byte(lit), &want); err != nil {
			t.Fatalf("%q: %v", lit, err)
		}
		var got flexString
		if err := json.Unmarshal([]byte(lit), &got); err != nil || string(got) != want {
			t.Errorf("%q: got %q (%v), want %q", lit, got, err, want)
		}
	}
}
