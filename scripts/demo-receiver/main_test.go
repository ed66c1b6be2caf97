package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReceiver(t *testing.T) {
	tests := []struct {
		name     string
		query    string
		wantBody string
		wantOut  string
	}{
		{"v1 own app", "sdkappid=1400000000&command=normal_end", `{"ErrorCode":0,"ErrorMessage":"Success"}`, "query command = normal_end"},
		{"v1 other app", "sdkappid=42&command=normal_end", `"ErrorCode":1`, "refused: sdkappid is not this app's SDKAppID 1400000000"},
		{"v4 own app", "SdkAppid=1400000000&CallbackCommand=Call.CallbackAfterEndCall", `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`, "query CallbackCommand = Call.CallbackAfterEndCall"},
		{"v4 other app", "SdkAppid=42&CallbackCommand=Call.CallbackAfterEndCall", `"ActionStatus":"FAIL"`, "refused: SdkAppid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			rc := &receiver{sdkAppID: 1400000000, out: &out}
			req := httptest.NewRequest(http.MethodPost, "/callkit?"+tt.query, strings.NewReader(`{"CallId":"c1"}`))
			rec := httptest.NewRecorder()
			rc.ServeHTTP(rec, req)
			body, _ := io.ReadAll(rec.Result().Body)
			if !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("answer %s, want it to contain %s", body, tt.wantBody)
			}
			if !strings.Contains(out.String(), tt.wantOut) || !strings.Contains(out.String(), `"CallId": "c1"`) {
				t.Errorf("printed:\n%s\nwant it to contain %q and the body", out.String(), tt.wantOut)
			}
		})
	}
}

// TestReceiver_checkSamplesAndRefusal: the check action's samples are
// printed as such, and once told to refuse, the receiver refuses this app's
// deliveries with the reason, in the generation's shape.
func TestReceiver_checkSamplesAndRefusal(t *testing.T) {
	var out bytes.Buffer
	rc := &receiver{sdkAppID: 1400000000, out: &out}
	post := func(method, target, body string) string {
		rec := httptest.NewRecorder()
		rc.ServeHTTP(rec, httptest.NewRequest(method, target, strings.NewReader(body)))
		b, _ := io.ReadAll(rec.Result().Body)
		return string(b)
	}
	post(http.MethodPost, "/callkit?sdkappid=1400000000&command=normal_end", `{"CallId":"terraform-check-0123456789abcdef"}`)
	post(http.MethodPost, "/callkit?SdkAppid=1400000000&CallbackCommand=Call.CallbackAfterEndCall", `{"CallRecord":{"CallId": "terraform-check-0123456789abcdef"}}`)
	post(http.MethodPost, "/callkit?sdkappid=1400000000&command=normal_end", `{"CallId":"c1"}`)
	if n := strings.Count(out.String(), "[check sample from terraform, not a real call]"); n != 2 {
		t.Errorf("%d lines mark a check sample, want 2 (the real call's is not one):\n%s", n, out.String())
	}

	post(http.MethodPost, refusePath, "maintenance")
	if got := post(http.MethodPost, "/callkit?sdkappid=1400000000&command=normal_end", `{}`); got != `{"ErrorCode":1,"ErrorMessage":"maintenance"}`+"\n" {
		t.Errorf("v1 answer while refusing: %s", got)
	}
	if got := post(http.MethodPost, "/callkit?SdkAppid=1400000000&CallbackCommand=Call.CallbackAfterEndCall", `{}`); !strings.Contains(got, `"ActionStatus":"FAIL"`) || !strings.Contains(got, `"ErrorInfo":"maintenance"`) {
		t.Errorf("v4 answer while refusing: %s", got)
	}
	post(http.MethodDelete, refusePath, "")
	if got := post(http.MethodPost, "/callkit?sdkappid=1400000000&command=normal_end", `{}`); got != `{"ErrorCode":0,"ErrorMessage":"Success"}` {
		t.Errorf("v1 answer after DELETE: %s", got)
	}
}
