package mockserver

import (
	"strconv"
	"unicode/utf8"
)

// Record pages are the mock's largest and most frequent answers, and
// reflection-driven encoding/json was most of their cost; these appenders
// produce exactly the bytes encoding/json would (TestAppendJSONMatchesEncodingJSON).

// jsonAppender is answer data that encodes itself.
type jsonAppender interface {
	appendJSON(dst []byte) []byte
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string with encoding/json's escaping
// (HTML-safe, U+2028/U+2029 escaped, invalid UTF-8 replaced by U+FFFD).
// One loop with one switch over the bytes to escape is its clearest form, as
// in encoding/json; split up, the escaping table would be harder to check.
func appendJSONString(dst []byte, s string) []byte { //nolint:gocyclo // one switch over the escapes: see above
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func appendStringList(dst []byte, list []string) []byte {
	if list == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, s)
	}
	return append(dst, ']')
}

func appendField(dst []byte, first bool, name string) []byte {
	if !first {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, name...)
	return append(dst, '"', ':')
}

func (r *v1Record) appendJSON(dst []byte) []byte {
	dst = appendField(dst, true, "callId")
	dst = appendJSONString(dst, r.CallID)
	dst = appendField(dst, false, "sdkAppId")
	dst = strconv.AppendInt(dst, r.SDKAppID, 10)
	dst = appendField(dst, false, "mediaType")
	dst = appendJSONString(dst, r.MediaType)
	dst = appendField(dst, false, "roomId")
	dst = appendJSONString(dst, r.RoomID)
	dst = appendField(dst, false, "startCallTs")
	dst = strconv.AppendInt(dst, r.StartCallTs, 10)
	dst = appendField(dst, false, "acceptTs")
	dst = strconv.AppendInt(dst, r.AcceptTs, 10)
	dst = appendField(dst, false, "endTs")
	dst = strconv.AppendInt(dst, r.EndTs, 10)
	dst = appendField(dst, false, "caller")
	dst = appendJSONString(dst, r.Caller)
	dst = appendField(dst, false, "totalUserNumber")
	dst = strconv.AppendInt(dst, int64(r.TotalUserNumber), 10)
	dst = appendField(dst, false, "callType")
	dst = appendJSONString(dst, r.CallType)
	dst = appendField(dst, false, "callResult")
	dst = appendJSONString(dst, r.CallResult)
	dst = appendField(dst, false, "callees")
	return appendStringList(dst, r.Callees)
}

func (d *v1FilterData) appendJSON(dst []byte) []byte {
	return appendFilterPage(dst, [3]string{"totalNum", "page", "callRecordList"}, d.TotalNum, d.Page, d.CallRecordList)
}

func (r *v4Record) appendJSON(dst []byte) []byte {
	dst = appendField(dst, true, "CallId")
	dst = appendJSONString(dst, r.CallID)
	dst = appendField(dst, false, "Caller_Account")
	dst = appendJSONString(dst, r.CallerAccount)
	dst = appendField(dst, false, "MediaType")
	dst = appendJSONString(dst, r.MediaType)
	dst = appendField(dst, false, "CallType")
	dst = appendJSONString(dst, r.CallType)
	dst = appendField(dst, false, "StartTime")
	dst = strconv.AppendInt(dst, r.StartTime, 10)
	dst = appendField(dst, false, "EndTime")
	dst = strconv.AppendInt(dst, r.EndTime, 10)
	dst = appendField(dst, false, "AcceptTime")
	dst = strconv.AppendInt(dst, r.AcceptTime, 10)
	dst = appendField(dst, false, "CallResult")
	dst = appendJSONString(dst, r.CallResult)
	dst = appendField(dst, false, "CalleeList_Account")
	dst = appendStringList(dst, r.CalleeListAccount)
	dst = appendField(dst, false, "RoomId")
	dst = appendJSONString(dst, r.RoomID)
	dst = appendField(dst, false, "RoomIdType")
	return strconv.AppendInt(dst, int64(r.RoomIDType), 10)
}

func (d *v4FilterResponse) appendJSON(dst []byte) []byte {
	return appendFilterPage(dst, [3]string{"TotalNum", "Page", "CallRecordList"}, d.TotalNum, d.Page, d.CallRecordList)
}

// appendFilterPage writes the body of a filter answer, v1's or v4's: the
// total and the page (each left out when nil) and the record list (null when
// nil), under keys, that generation's names for the three.
func appendFilterPage[T any, P interface {
	*T
	appendJSON([]byte) []byte
}](dst []byte, keys [3]string, total, page *int, list []T) []byte {
	dst = append(dst, '{')
	first := true
	for i, v := range []*int{total, page} {
		if v != nil {
			dst = appendField(dst, first, keys[i])
			dst = strconv.AppendInt(dst, int64(*v), 10)
			first = false
		}
	}
	dst = appendField(dst, first, keys[2])
	if list == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i := range list {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '{')
			dst = P(&list[i]).appendJSON(dst)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}
