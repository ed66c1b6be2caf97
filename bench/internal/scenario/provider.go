package scenario

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/provider"
)

// Provider is the real provider behind its protocol 6 server, in-process:
// the calls below are the RPCs Terraform makes, minus the gRPC transport.
type Provider struct {
	srv     tfprotov6.ProviderServer
	schemas *tfprotov6.GetProviderSchemaResponse
}

// NewProvider starts a provider server and fetches its schemas, as Terraform
// does first thing after starting a plugin.
func NewProvider(ctx context.Context) (*Provider, error) {
	srv, err := provider.NewProtocol6Server("bench")()
	if err != nil {
		return nil, err
	}
	resp, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, err
	}
	if err := diagError(resp.Diagnostics); err != nil {
		return nil, fmt.Errorf("GetProviderSchema: %w", err)
	}
	return &Provider{srv: srv, schemas: resp}, nil
}

// Configure configures the provider for the mock, the way the HCL of the
// terraform scenarios does (endpoint, SDKAppID, key; defaults otherwise).
func (p *Provider) Configure(ctx context.Context, m Backend) error {
	cfg, err := objectValue(p.schemas.Provider, map[string]tftypes.Value{
		"endpoint":   tftypes.NewValue(tftypes.String, m.URL),
		"sdk_app_id": tftypes.NewValue(tftypes.Number, big.NewFloat(float64(m.SDKAppID))),
		"secret_key": tftypes.NewValue(tftypes.String, m.Key),
	})
	if err != nil {
		return err
	}
	resp, err := p.srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "bench", Config: cfg})
	if err != nil {
		return err
	}
	if err := diagError(resp.Diagnostics); err != nil {
		return fmt.Errorf("ConfigureProvider: %w", err)
	}
	return nil
}

// ReadCallRecords reads every record started within [start, end] through
// tencentcallkit_call_records (all pages). It returns how long the
// ReadDataSource call took (the provider's time: decoding the configuration,
// the data source's Read, encoding the state) and how many records the state
// holds, counted afterwards.
func (p *Provider) ReadCallRecords(ctx context.Context, start, end int64) (time.Duration, int, error) {
	state, took, err := p.readDataSource(ctx, "tencentcallkit_call_records", map[string]tftypes.Value{
		"start_timestamp": tftypes.NewValue(tftypes.Number, big.NewFloat(float64(start))),
		"end_timestamp":   tftypes.NewValue(tftypes.Number, big.NewFloat(float64(end))),
	})
	if err != nil {
		return took, 0, err
	}
	var attrs map[string]tftypes.Value
	if err := state.As(&attrs); err != nil {
		return took, 0, err
	}
	var recs []tftypes.Value
	if err := attrs["records"].As(&recs); err != nil {
		return took, 0, err
	}
	return took, len(recs), nil
}

// ReadCallRecord reads one record through tencentcallkit_call_record.
func (p *Provider) ReadCallRecord(ctx context.Context, callID string) error {
	state, _, err := p.readDataSource(ctx, "tencentcallkit_call_record", map[string]tftypes.Value{
		"call_id": tftypes.NewValue(tftypes.String, callID),
	})
	if err != nil {
		return err
	}
	var attrs map[string]tftypes.Value
	if err := state.As(&attrs); err != nil {
		return err
	}
	var caller string
	if err := attrs["caller"].As(&caller); err != nil || caller == "" {
		return fmt.Errorf("call %s: the state has no caller (%v)", callID, err)
	}
	return nil
}

// ReadCallRecordsParallel reads one tencentcallkit_call_record per ID with at
// most parallelism reads at once, as Terraform's graph walk does (its
// default -parallelism is 10).
func (p *Provider) ReadCallRecordsParallel(ctx context.Context, ids []string, parallelism int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan string)
	errs := make(chan error, len(ids))
	var wg sync.WaitGroup
	for range max(1, min(parallelism, len(ids))) {
		wg.Go(func() {
			for id := range jobs {
				if err := p.ReadCallRecord(ctx, id); err != nil {
					errs <- err
					cancel()
				}
			}
		})
	}
feed:
	for _, id := range ids {
		select {
		case jobs <- id:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	return errors.Join(collect(errs)...)
}

func collect(ch <-chan error) []error {
	var out []error
	for err := range ch {
		out = append(out, err)
	}
	return out
}

// readDataSource calls ReadDataSource and decodes the state it answers; the
// duration is the call's alone.
func (p *Provider) readDataSource(ctx context.Context, typeName string, set map[string]tftypes.Value) (tftypes.Value, time.Duration, error) {
	schema, ok := p.schemas.DataSourceSchemas[typeName]
	if !ok {
		return tftypes.Value{}, 0, fmt.Errorf("the provider has no data source %s", typeName)
	}
	cfg, err := objectValue(schema, set)
	if err != nil {
		return tftypes.Value{}, 0, err
	}
	begin := time.Now()
	resp, err := p.srv.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: typeName, Config: cfg})
	took := time.Since(begin)
	if err != nil {
		return tftypes.Value{}, took, err
	}
	if err := diagError(resp.Diagnostics); err != nil {
		return tftypes.Value{}, took, fmt.Errorf("ReadDataSource %s: %w", typeName, err)
	}
	if resp.State == nil {
		return tftypes.Value{}, took, fmt.Errorf("ReadDataSource %s: no state", typeName)
	}
	v, err := resp.State.Unmarshal(schema.ValueType())
	return v, took, err
}

// objectValue encodes a configuration: the attributes in set, every other
// attribute of the schema null, as Terraform sends it.
func objectValue(s *tfprotov6.Schema, set map[string]tftypes.Value) (*tfprotov6.DynamicValue, error) {
	typ, ok := s.ValueType().(tftypes.Object)
	if !ok {
		return nil, fmt.Errorf("schema type %s is not an object", s.ValueType())
	}
	vals := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, t := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(t, nil)
	}
	for name, v := range set {
		if _, ok := typ.AttributeTypes[name]; !ok {
			return nil, fmt.Errorf("the schema has no attribute %s", name)
		}
		vals[name] = v
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		return nil, err
	}
	return &dv, nil
}

// diagError joins the error diagnostics, or returns nil.
func diagError(diags []*tfprotov6.Diagnostic) error {
	var msgs []string
	for _, d := range diags {
		if d != nil && d.Severity == tfprotov6.DiagnosticSeverityError {
			msgs = append(msgs, d.Summary+": "+d.Detail)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "; "))
}
