#!/usr/bin/env bash
# Runs `make testacc-live` and `make sweep` against callkit-mock started as its own process over
# HTTP, exactly as a maintainer runs them against the service: the tests see only the provider's
# environment variables and the public API (no /_mock route). The mock is seeded with call
# records and telephone records so the record invariants run, and stopped at the end.
#
# Usage: scripts/testacc-live-mock.sh   (LIVE_MOCK_FLAGS adds callkit-mock flags)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

work="$(mktemp -d)"
mock_pid=""
cleanup() {
	if [[ -n "$mock_pid" ]] && kill -0 "$mock_pid" 2>/dev/null; then
		kill -TERM "$mock_pid"
		for _ in $(seq 1 100); do kill -0 "$mock_pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$mock_pid" 2>/dev/null && kill -KILL "$mock_pid"
	fi
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/callkit-mock" ./internal/cmd/callkit-mock
# shellcheck disable=SC2086 # LIVE_MOCK_FLAGS is a list of flags
"$work/callkit-mock" -addr 127.0.0.1:0 -records 3000 -ccc-records 500 ${LIVE_MOCK_FLAGS:-} >"$work/mock.out" 2>"$work/mock.err" &
mock_pid=$!

# The mock prints its address first, then the app's credentials (key = "value" lines).
for _ in $(seq 1 300); do
	grep -q '^console:' "$work/mock.out" 2>/dev/null && break
	kill -0 "$mock_pid" 2>/dev/null || { cat "$work/mock.err" >&2; echo "error: callkit-mock exited" >&2; exit 1; }
	sleep 0.1
done
grep -q '^console:' "$work/mock.out" || { echo "error: callkit-mock did not start in 30 s" >&2; exit 1; }
value() { sed -n "s/^$1 = \"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" "$work/mock.out"; }
url="$(sed -n 's/^listening on //p' "$work/mock.out")"

export TENCENTCALLKIT_ENDPOINT="$url"
export TENCENTCALLKIT_SDK_APP_ID="$(value sdk_app_id)"
export TENCENTCALLKIT_SECRET_KEY="$(value secret_key)"
export TENCENTCALLKIT_IDENTIFIER="$(value identifier)"
export TENCENTCLOUD_SECRET_ID="$(value tencentcloud_secret_id)"
export TENCENTCLOUD_SECRET_KEY="$(value tencentcloud_secret_key)"
export TENCENTCALLKIT_CCC_ENDPOINT="$url"
export TENCENTCALLKIT_ACC_CCC_SDK_APP_ID="$(value ccc_sdk_app_id)"
export TENCENTCALLKIT_ACC_LIVE_APP="$TENCENTCALLKIT_SDK_APP_ID"
echo "callkit-mock at $url, app $TENCENTCALLKIT_SDK_APP_ID"

make testacc-live
make sweep
