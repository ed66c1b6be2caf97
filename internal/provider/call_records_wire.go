// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

// encodeCallRecordsState writes the state of tencentcallkit_call_records as
// the msgpack of typ (the schema's type), byte for byte what the framework
// sends for the same state: it saves the framework's per-value work on tens
// of thousands of records (README, Performance). An attribute it does not
// know is an error rather than a wrong state; TestCallRecordsWire_sameAsFramework
// holds it to the framework's bytes.
func encodeCallRecordsState(typ tftypes.Object, state *callRecordsDataSourceModel, recs []callkit.Record) ([]byte, error) {
	recordsType, ok := typ.AttributeTypes["records"].(tftypes.List)
	if !ok {
		return nil, fmt.Errorf("records is %v, not a list", typ.AttributeTypes["records"])
	}
	recordType, ok := recordsType.ElementType.(tftypes.Object)
	if !ok {
		return nil, fmt.Errorf("a record is %v, not an object", recordsType.ElementType)
	}
	recordKeys := sortedAttributeNames(recordType)

	var buf bytes.Buffer
	buf.Grow(256 + len(state.RecordsJSON.ValueString()) + len(recs)*(200+len(recordKeys)*8))
	w := wireWriter{enc: msgpack.NewEncoder(&buf)}
	scalars := map[string]attr.Value{
		"api_version":     state.APIVersion,
		"call_result":     state.CallResult,
		"call_type":       state.CallType,
		"end_timestamp":   state.EndTimestamp,
		"lookback":        state.Lookback,
		"number_per_page": state.NumberPerPage,
		"page":            state.Page,
		"records_format":  state.RecordsFormat,
		"records_json":    state.RecordsJSON,
		"max_records":     state.MaxRecords,
		"start_timestamp": state.StartTimestamp,
		"total_num":       state.TotalNum,
	}
	keys := sortedAttributeNames(typ)
	w.mapLen(len(keys))
	for _, k := range keys {
		w.str(k)
		switch v, ok := scalars[k]; {
		case k == "records" && state.jsonFormat():
			w.null()
		case k == "records":
			w.arrayLen(len(recs))
			for i := range recs {
				w.record(recordKeys, &recs[i])
			}
		case ok:
			w.scalar(k, v)
		default:
			w.fail(fmt.Errorf("no wire encoding for attribute %q", k))
		}
		if w.err != nil {
			return nil, w.err
		}
	}
	return buf.Bytes(), nil
}

// record writes one record as recordModelFrom maps it.
//
//nolint:gocyclo // one case per record attribute: the encoder is clearest as the one switch
func (w *wireWriter) record(keys []string, r *callkit.Record) {
	w.mapLen(len(keys))
	for _, k := range keys {
		w.str(k)
		switch k {
		case "accept_ts":
			w.int(r.AcceptTs)
		case "call_id":
			w.str(r.CallID)
		case "call_result":
			w.str(r.CallResult)
		case "call_type":
			w.str(r.CallType)
		case "callees":
			w.arrayLen(len(r.Callees))
			for _, c := range r.Callees {
				w.str(c)
			}
		case "caller":
			w.str(r.Caller)
		case "end_ts":
			w.int(r.EndTs)
		case "media_type":
			w.str(r.MediaType)
		case "room_id":
			w.str(r.RoomID)
		case "room_id_type":
			w.intPointer(r.RoomIDType)
		case "sdk_app_id":
			w.int(r.SDKAppID)
		case "start_call_ts":
			w.int(r.StartCallTs)
		case "total_user_number":
			w.intPointer(r.TotalUserNumber)
		default:
			w.fail(fmt.Errorf("no wire encoding for record attribute %q", k))
		}
		if w.err != nil {
			return
		}
	}
}

// wireWriter writes msgpack and keeps the first error.
type wireWriter struct {
	enc *msgpack.Encoder
	err error
}

func (w *wireWriter) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

func (w *wireWriter) mapLen(n int) {
	if w.err == nil {
		w.fail(w.enc.EncodeMapLen(n))
	}
}

func (w *wireWriter) arrayLen(n int) {
	if w.err == nil {
		w.fail(w.enc.EncodeArrayLen(n))
	}
}

func (w *wireWriter) str(s string) {
	if w.err == nil {
		w.fail(w.enc.EncodeString(s))
	}
}

func (w *wireWriter) int(i int64) {
	if w.err == nil {
		w.fail(w.enc.EncodeInt(i))
	}
}

func (w *wireWriter) null() {
	if w.err == nil {
		w.fail(w.enc.EncodeNil())
	}
}

func (w *wireWriter) intPointer(i *int64) {
	if i == nil {
		w.null()
		return
	}
	w.int(*i)
}

// scalar writes a top-level string or number attribute. An unknown value
// cannot occur (Terraform reads only known configurations), so it is an error.
func (w *wireWriter) scalar(name string, v attr.Value) {
	if v.IsUnknown() {
		w.fail(fmt.Errorf("%s is unknown", name))
		return
	}
	if v.IsNull() {
		w.null()
		return
	}
	switch v := v.(type) {
	case types.String:
		w.str(v.ValueString())
	case types.Int64:
		w.int(v.ValueInt64())
	default:
		w.fail(fmt.Errorf("%s: no wire encoding for %T", name, v))
	}
}

func sortedAttributeNames(o tftypes.Object) []string {
	keys := make([]string, 0, len(o.AttributeTypes))
	for k := range o.AttributeTypes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
