// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// validBaseConfigs are known, valid configurations of the types that have
// required attributes (or whose checks need a set of inputs to reach): the
// unknown-values test makes each attribute unknown on top of each of them. A
// type with no entry is tested on the all-null configuration, which must then
// be valid; a type with a required attribute and no entry fails the test.
var validBaseConfigs = map[string][]map[string]any{
	"tencentcallkit_callback": {
		{"address": "https://hooks.example.com/callkit", "actions": []string{"normal_end"}},
		{"address": "https://hooks.example.com/callkit", "actions": []string{"Call.CallbackAfterEndCall"}, "api_version": "v4"},
	},
	"tencentcallkit_call_record": {{"call_id": "2ae7d549-c441-4a9b-87c0-61810fe19582"}},
	"tencentcallkit_call_records": {
		{"start_timestamp": int64(1_700_000_000), "end_timestamp": int64(1_700_086_400), "call_result": "reject", "call_type": "single", "number_per_page": int64(10), "page": int64(1)},
		{"lookback": "24h", "call_type": "group"},
	},
	"tencentcallkit_call_stats": {
		{"start_timestamp": int64(1_700_000_000), "end_timestamp": int64(1_700_086_400), "call_type": "single", "api_version": "v4"},
		{"lookback": "7d"},
	},
	"tencentcallkit_tel_cdrs": {
		{"ccc_sdk_app_id": int64(1400000001), "start_timestamp": int64(1_700_000_000), "end_timestamp": int64(1_700_086_400),
			"phones": []string{"008613800000000"}, "session_ids": []string{"s-1"}, "page_size": int64(10), "page_number": int64(0)},
		{"ccc_sdk_app_id": int64(1400000001), "lookback": "30d", "phones": []string{"008613800000000", "10086"}},
	},
	"tencentcallkit_usersig": {{"user_id": "alice", "expire_seconds": int64(3600)}},
	// The list resource shares its type name with the resource: its entries are
	// keyed "list <type name>".
	"list tencentcallkit_callback": {{}, {"api_version": "v1"}, {"api_version": "v4"}},
	// Actions are keyed "action <type name>".
	"action tencentcallkit_callback_check": {
		{},
		{"address": "https://hooks.example.com/callkit?token=t", "actions": []string{"normal_end", "caller_start_call"}, "timeout": "3s", "check_sdk_app_id": tftypes.NewValue(tftypes.Bool, true)},
		{"api_version": "v4", "actions": []string{"Call.CallbackAfterEndCall"}},
	},
	"action tencentcallkit_call_records_export": {
		{"path": "records.jsonl", "lookback": "24h"},
		{"path": "records.csv", "format": "csv", "overwrite": tftypes.NewValue(tftypes.Bool, true), "start_timestamp": int64(1_700_000_000), "end_timestamp": int64(1_700_086_400),
			"call_result": "reject", "call_type": "single", "api_version": "v4", "number_per_page": int64(50), "max_records": int64(1000)},
	},
}

// TestUnknownValues_everySchema runs the provider's own validation (attribute
// validators, ValidateConfig, config validators) over every schema it
// serves — provider, resources, data sources, ephemeral and list resources —
// with each configurable attribute unknown in turn, every one unknown at
// once, and each list or set known but holding an unknown element. Terraform
// sends such values at `terraform validate` (variables) and at plan (another
// resource's output); none of them may be an error.
func TestUnknownValues_everySchema(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv, err := NewProtocol6Server("test")()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		t.Fatalf("GetProviderSchema: %v%s", err, describeDiags(schemas.Diagnostics))
	}

	// The schemas are the provider's own lists, type for type.
	p := New("test")()
	pp, ok := p.(interface {
		EphemeralResources(context.Context) []func() ephemeral.EphemeralResource
	})
	if !ok {
		t.Fatal("the provider has no ephemeral resources method")
	}
	if len(schemas.ResourceSchemas) != len(p.Resources(ctx)) || len(schemas.DataSourceSchemas) != len(p.DataSources(ctx)) ||
		len(schemas.EphemeralResourceSchemas) != len(pp.EphemeralResources(ctx)) {
		t.Fatalf("the served schemas (%d resources, %d data sources, %d ephemeral resources) are not the provider's lists",
			len(schemas.ResourceSchemas), len(schemas.DataSourceSchemas), len(schemas.EphemeralResourceSchemas))
	}

	kinds := []validationKind{
		{"resource", "", schemas.ResourceSchemas, func(n string, cfg *tfprotov6.DynamicValue) ([]*tfprotov6.Diagnostic, error) {
			r, err := srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: n, Config: cfg})
			if err != nil {
				return nil, err
			}
			return r.Diagnostics, nil
		}},
		{"data source", "", schemas.DataSourceSchemas, func(n string, cfg *tfprotov6.DynamicValue) ([]*tfprotov6.Diagnostic, error) {
			r, err := srv.ValidateDataResourceConfig(ctx, &tfprotov6.ValidateDataResourceConfigRequest{TypeName: n, Config: cfg})
			if err != nil {
				return nil, err
			}
			return r.Diagnostics, nil
		}},
		{"ephemeral resource", "", schemas.EphemeralResourceSchemas, func(n string, cfg *tfprotov6.DynamicValue) ([]*tfprotov6.Diagnostic, error) {
			r, err := srv.ValidateEphemeralResourceConfig(ctx, &tfprotov6.ValidateEphemeralResourceConfigRequest{TypeName: n, Config: cfg})
			if err != nil {
				return nil, err
			}
			return r.Diagnostics, nil
		}},
		{"provider", "", map[string]*tfprotov6.Schema{"provider": schemas.Provider}, func(_ string, cfg *tfprotov6.DynamicValue) ([]*tfprotov6.Diagnostic, error) {
			r, err := srv.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{Config: cfg})
			if err != nil {
				return nil, err
			}
			return r.Diagnostics, nil
		}},
	}
	kinds = append(kinds, optionalValidationKinds(ctx, t, srv, schemas)...)

	tested := 0
	for _, k := range kinds {
		for _, typeName := range keysOf(k.schemas) {
			schema := k.schemas[typeName]
			if len(schema.Block.BlockTypes) > 0 {
				t.Errorf("%s %s has nested blocks, which this test does not build: extend it", k.name, typeName)
				continue
			}
			bases := validBaseConfigs[k.prefix+typeName]
			if len(bases) == 0 {
				for _, a := range schema.Block.Attributes {
					if a.Required {
						t.Errorf("%s %s has required attribute %s but no entry in validBaseConfigs", k.name, typeName, a.Name)
					}
				}
				bases = []map[string]any{{}}
			}
			for bi, base := range bases {
				for _, c := range unknownVariants(schema, base) {
					name := fmt.Sprintf("%s %s, base %d, %s", k.name, typeName, bi, c.name)
					cfg, err := configValue(schema, c.set)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					diags, err := k.validate(typeName, cfg)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					for _, d := range diags {
						if d.Severity == tfprotov6.DiagnosticSeverityError {
							t.Errorf("%s: %s", name, describeDiags([]*tfprotov6.Diagnostic{d}))
						}
					}
					tested++
				}
			}
		}
	}
	// Six types with several attributes each: far more than 50 configurations.
	if tested < 50 {
		t.Fatalf("only %d configurations validated: the schemas were not walked", tested)
	}
}

// validationKind is one kind of schema and its validation RPC; prefix
// keys its entries in validBaseConfigs.
type validationKind struct {
	name, prefix string
	schemas      map[string]*tfprotov6.Schema
	validate     func(typeName string, cfg *tfprotov6.DynamicValue) ([]*tfprotov6.Diagnostic, error)
}

// optionalValidationKinds are the list resources and actions, whose RPCs
// are optional interfaces of the protocol server.
func optionalValidationKinds(ctx context.Context, t *testing.T, srv tfprotov6.ProviderServer, schemas *tfprotov6.GetProviderSchemaResponse) []validationKind {
	t.Helper()
	var kinds []validationKind
	if ls, ok := srv.(tfprotov6.ListResourceServer); ok {
		kinds = append(kinds, validationKind{"list resource", "list ", schemas.ListResourceSchemas, func(n string, cfg *tfprotov6.DynamicValue) ([]*tfprotov6.Diagnostic, error) {
			r, err := ls.ValidateListResourceConfig(ctx, &tfprotov6.ValidateListResourceConfigRequest{TypeName: n, Config: cfg})
			if err != nil {
				return nil, err
			}
			return r.Diagnostics, nil
		}})
	} else if len(schemas.ListResourceSchemas) > 0 {
		t.Errorf("the provider has list resources %v but its server does not serve ValidateListResourceConfig", keysOf(schemas.ListResourceSchemas))
	}
	actionSchemas := map[string]*tfprotov6.Schema{}
	for n, a := range schemas.ActionSchemas {
		actionSchemas[n] = a.Schema
	}
	if as, ok := srv.(tfprotov6.ActionServer); ok {
		kinds = append(kinds, validationKind{"action", "action ", actionSchemas, func(n string, cfg *tfprotov6.DynamicValue) ([]*tfprotov6.Diagnostic, error) {
			r, err := as.ValidateActionConfig(ctx, &tfprotov6.ValidateActionConfigRequest{ActionType: n, Config: cfg})
			if err != nil {
				return nil, err
			}
			return r.Diagnostics, nil
		}})
	} else if len(actionSchemas) > 0 {
		t.Errorf("the provider has actions %v but its server does not serve ValidateActionConfig", keysOf(actionSchemas))
	}
	return kinds
}

type unknownVariant struct {
	name string
	set  map[string]any
}

// unknownVariants is base (which must be valid) itself, then base with each
// configurable attribute unknown in turn, with each list or set attribute
// holding one unknown element, and with every configurable attribute unknown.
func unknownVariants(schema *tfprotov6.Schema, base map[string]any) []unknownVariant {
	withBase := func(name string, v tftypes.Value) map[string]any {
		set := copyMap(base)
		set[name] = v
		return set
	}
	out := []unknownVariant{{name: "as is", set: copyMap(base)}}
	all := map[string]any{}
	attrs := append([]*tfprotov6.SchemaAttribute(nil), schema.Block.Attributes...)
	sort.Slice(attrs, func(i, j int) bool { return attrs[i].Name < attrs[j].Name })
	for _, a := range attrs {
		if !a.Required && !a.Optional {
			continue // computed only: always null in a configuration
		}
		typ := a.ValueType()
		unknown := tftypes.NewValue(typ, tftypes.UnknownValue)
		out = append(out, unknownVariant{name: a.Name + " unknown", set: withBase(a.Name, unknown)})
		all[a.Name] = unknown
		switch c := typ.(type) {
		case tftypes.List:
			out = append(out, unknownVariant{name: a.Name + " with an unknown element",
				set: withBase(a.Name, tftypes.NewValue(c, []tftypes.Value{tftypes.NewValue(c.ElementType, tftypes.UnknownValue)}))})
		case tftypes.Set:
			out = append(out, unknownVariant{name: a.Name + " with an unknown element",
				set: withBase(a.Name, tftypes.NewValue(c, []tftypes.Value{tftypes.NewValue(c.ElementType, tftypes.UnknownValue)}))})
		}
	}
	out = append(out, unknownVariant{name: "every attribute unknown", set: all})
	return out
}

func keysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
