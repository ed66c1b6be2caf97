// Package mockserver is a mock TUICallKit backend: an http.Handler that serves
// the v1 callback and record APIs and the v4 IM-domain Call APIs as
// shared/callkit-api.md describes them (methods, query parameters, UserSig
// checks, envelopes, error codes, paging, rate limits), a /_mock/ control
// surface, fault injection and callback deliveries.
//
// It is an independent reading of the API contract with its own wire types:
// it never imports the provider's client, so the two cannot share a mistake.
//
// Where the contract leaves a detail open, the mock chooses:
//
//   - Checks run in this order: method (POST only), query parameters,
//     SDKAppID, UserSig, administrator, Group Call package, rate limit, body,
//     fields. The first failure answers (HTTP 200 with an error envelope).
//   - A non-POST request answers 70001 (v1) or 60002 (v4). A missing or
//     malformed query parameter answers 70001 (v1); on v4 a missing sdkappid is
//     60012, a malformed one 60006, a missing usersig 60004, anything else 60002.
//   - An SDKAppID other than the mock's answers 70002 on v1 (the service has no
//     key to check the UserSig with) and 60006 on v4.
//   - Body field names are matched exactly (case-sensitive); a field of the
//     wrong JSON type is a body error (70009 / 60003); a missing or invalid
//     value is 70001, or 100002 on v4.
//   - v4 records: NumberPerPage 0 means the default (10); StartTime is clamped
//     to the 7-day window; a page past the end answers an empty list with Page 0.
//     v1 records are not clamped to 7 days (the contract does not say).
//   - The internal-error fault answers 70500 on v1, 101001 on v4 records and
//     100001 on v4 call_config.
//   - Rate limits are token buckets on the injected clock holding one second of
//     the documented rate (strict mode: one token, so requests must be 1/N
//     apart): with a frozen clock they never refill.
//   - Stats keys are API paths as the docs write them: "v1/callback/set".
package mockserver
