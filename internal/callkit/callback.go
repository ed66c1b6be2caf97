package callkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// V1Actions are the 25 action words of v1/callback (callkit-api.md §2), in
// documentation order: the six status callbacks, then the event callbacks.
var V1Actions = []string{
	"cancel", "reject", "not_answer", "normal_end", "call_busy", "interrupt",
	"caller_start_call", "caller_call_accepted", "caller_call_missed", "caller_call_rejected",
	"caller_call_busy", "caller_cancel_call", "caller_call_failed", "caller_call_end",
	"caller_call_interrupted", "callee_receive_call", "callee_accept_call", "callee_not_answer_call",
	"callee_reject_call", "callee_ignore_call", "callee_call_canceled", "callee_call_end",
	"callee_call_interrupted", "invite_user", "join_in_group_call",
}

// V4Commands are the documented v4 callback command words (callkit-api.md §7).
var V4Commands = []string{
	"Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall", "Call.CallbackAfterMemberChanged",
}

// Callback is an app's callback configuration: where events go and which.
type Callback struct {
	Address string
	Actions []string
}

func (cb Callback) validate(valid []string) error {
	if !strings.HasPrefix(cb.Address, "http://") && !strings.HasPrefix(cb.Address, "https://") {
		return fmt.Errorf("%w: callback address %q must start with http:// or https://", ErrInvalidRequest, cb.Address)
	}
	if len(cb.Actions) == 0 {
		return fmt.Errorf("%w: at least one action is required", ErrInvalidRequest)
	}
	for _, a := range cb.Actions {
		if !slices.Contains(valid, a) {
			return fmt.Errorf("%w: unknown action %q: valid actions are %s", ErrInvalidRequest, a, strings.Join(valid, ", "))
		}
	}
	return nil
}

type v1CallbackBody struct {
	Address string   `json:"address"`
	Actions []string `json:"actions"`
}

// SetCallback creates (or, as the service does, overwrites) the v1 configuration.
func (c *Client) SetCallback(ctx context.Context, cb Callback) error {
	if err := cb.validate(V1Actions); err != nil {
		return err
	}
	return c.call(ctx, epSetCallback, v1CallbackBody(cb), nil)
}

// UpdateCallback replaces the v1 configuration; ErrNotFound when there is none.
func (c *Client) UpdateCallback(ctx context.Context, cb Callback) error {
	if err := cb.validate(V1Actions); err != nil {
		return err
	}
	return c.call(ctx, epUpdateCallback, v1CallbackBody(cb), nil)
}

// GetCallback reads the v1 configuration. An app without one yields an error
// matching ErrNotFound: errorCode 999, a missing or null data, or an empty
// address (callkit-api.md §2, Provider choice).
func (c *Client) GetCallback(ctx context.Context) (*Callback, error) {
	var data v1CallbackBody
	if err := c.callConfig(ctx, epGetCallback, &data); err != nil {
		return nil, err
	}
	if data.Address == "" {
		return nil, fmt.Errorf("%s: %w: the app has no callback configuration", epGetCallback.path, ErrNotFound)
	}
	return &Callback{Address: data.Address, Actions: nonNil(data.Actions)}, nil
}

// DeleteCallback removes the v1 configuration; an app without one is success.
func (c *Client) DeleteCallback(ctx context.Context) error {
	err := c.call(ctx, epDeleteCallback, struct{}{}, nil)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

type v4CallbackBody struct {
	URL                 string   `json:"Url"`
	CallbackCommandList []string `json:"CallbackCommandList"`
}

// SetCallbackV4 creates or overwrites the v4 configuration (there is no update).
func (c *Client) SetCallbackV4(ctx context.Context, cb Callback) error {
	if err := cb.validate(V4Commands); err != nil {
		return err
	}
	return c.call(ctx, epSetCallbackV4, v4CallbackBody{URL: cb.Address, CallbackCommandList: cb.Actions}, nil)
}

// GetCallbackV4 reads the v4 configuration; ErrNotFound (100301) when none.
func (c *Client) GetCallbackV4(ctx context.Context) (*Callback, error) {
	var data v4CallbackBody
	if err := c.callConfig(ctx, epGetCallbackV4, &data); err != nil {
		return nil, err
	}
	if data.URL == "" {
		return nil, fmt.Errorf("%s: %w: the app has no v4 callback configuration", epGetCallbackV4.path, ErrNotFound)
	}
	return &Callback{Address: data.URL, Actions: nonNil(data.CallbackCommandList)}, nil
}

// DeleteCallbackV4 removes the v4 configuration; an app without one is success.
func (c *Client) DeleteCallbackV4(ctx context.Context) error {
	err := c.call(ctx, epDelCallbackV4, struct{}{}, nil)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// callConfig reads a configuration: data that is absent, null or an empty
// string leaves out zero (read as "no configuration" by the caller).
func (c *Client) callConfig(ctx context.Context, ep route, out any) error {
	var raw json.RawMessage
	if err := c.call(ctx, ep, struct{}{}, &raw); err != nil {
		return err
	}
	if len(raw) == 0 || string(raw) == "null" || string(raw) == `""` {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &TransportError{Endpoint: ep.path, Attempts: 1, Err: fmt.Errorf("unexpected shape of the configuration: %w", describeDecodeError(err))}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
