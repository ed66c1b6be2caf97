#!/usr/bin/env bash
# `make demo`: the provider end to end against the mock CallKit backend, on this machine only.
#
#   1. build the provider and the mock, start the mock on a free loopback port
#   2. terraform apply examples/demo/main.tf (a callback configuration)
#   3. terraform plan: no changes
#   4. change the callback behind Terraform's back (as someone in the console would)
#   5. terraform plan: shows the drift;  terraform apply: repairs it
#   6. point the callback at a local receiver, simulate a call, print the callbacks it gets
#   7. on a Terraform with actions (>= 1.14): the tencentcallkit_callback_check action passes
#      against the receiver, then fails with the reason once the receiver is told to refuse
#   8. terraform destroy, stop everything, remove the temporary files
#
# Step 7 needs Terraform 1.14 or later: DEMO_ACTIONS_TERRAFORM names one, else the terraform
# on PATH if it is new enough, else the newest terraform-1.* in TF_MATRIX_ENGINES_DIR.
# Without one the demo says so and skips that step.
#
# No terraform init and no registry: a throw-away CLI config with dev_overrides points
# Terraform at the freshly built provider binary.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

step_timeout="${DEMO_STEP_TIMEOUT:-300}" # seconds, for each terraform command
sdk_app_id=1400000000

if [[ -t 1 ]]; then
	bold=$'\e[1m' green=$'\e[32m' red=$'\e[31m' reset=$'\e[0m'
else
	bold='' green='' red='' reset=''
fi
step=0
banner() {
	step=$((step + 1))
	printf '\n%s==> [%d] %s%s\n' "$bold" "$step" "$*" "$reset"
}
ok() { printf '%s  ok: %s%s\n' "$green" "$*" "$reset"; }
die() {
	printf '%sdemo failed: %s%s\n' "$red" "$*" "$reset" >&2
	exit 1
}

command -v terraform >/dev/null || die "no 'terraform' on PATH; the demo needs the Terraform CLI (>= 1.0)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/tencentcallkit-demo.XXXXXX")"
mock_pid='' receiver_pid=''
cleanup() {
	local rc=$?
	# Only the processes this script started, by PID.
	for pid in "$receiver_pid" "$mock_pid"; do
		if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
			kill "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	rm -rf "$tmp"
	if [[ $rc -ne 0 ]]; then
		printf '%sdemo stopped with exit code %d%s\n' "$red" "$rc" "$reset" >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$tmp/bin" "$tmp/work"

# http METHOD URL [BODY]: curl when the machine has it, else a tiny Go client.
if command -v curl >/dev/null; then
	http() { curl -fsS --max-time 30 -X "$1" "$2" ${3:+-H 'Content-Type: application/json' -d "$3"}; }
else
	go build -o "$tmp/bin/httpdo" ./scripts/httpdo
	http() { "$tmp/bin/httpdo" -X "$1" ${3:+-d "$3"} "$2"; }
fi

# wait_for_line FILE PATTERN SECONDS: waits until FILE has a line matching PATTERN.
wait_for_line() {
	local deadline=$((SECONDS + $3))
	until grep -q -- "$2" "$1" 2>/dev/null; do
		((SECONDS < deadline)) || return 1
		sleep 0.2
	done
}

# tf ARGS...: terraform in the work dir, bounded in time. The dev_overrides warning box
# that Terraform prints on every command is expected here.
tf_flags=(-input=false -compact-warnings)
[[ -t 1 ]] || tf_flags+=(-no-color)
tf() {
	(cd "$tmp/work" && timeout "$step_timeout" terraform "$@" "${tf_flags[@]}")
}

banner "Building the provider and the mock backend into $tmp/bin"
go build -ldflags "-X main.version=demo" -o "$tmp/bin/terraform-provider-tencentcallkit" .
go build -o "$tmp/bin/callkit-mock" ./internal/cmd/callkit-mock
go build -o "$tmp/bin/demo-receiver" ./scripts/demo-receiver
ok "built"

banner "Starting the mock CallKit backend on a free loopback port"
# The mock's own throw-away key: generated here, never a real app's.
secret_key="demo-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
"$tmp/bin/callkit-mock" -addr 127.0.0.1:0 -sdkappid "$sdk_app_id" -key "$secret_key" \
	>"$tmp/mock.log" 2>&1 &
mock_pid=$!
wait_for_line "$tmp/mock.log" '^listening on http://' 30 || {
	cat "$tmp/mock.log" >&2
	die "the mock did not print 'listening on http://HOST:PORT' within 30 s"
}
mock_url="$(sed -n 's|^listening on \(http://[^ ]*\).*|\1|p' "$tmp/mock.log" | head -n1)"
ok "mock listening on $mock_url (SDKAppID $sdk_app_id)"

banner "Writing a throw-away Terraform CLI config (dev_overrides -> the provider just built)"
cat >"$tmp/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "tencentcallkit/tencentcallkit" = "$tmp/bin"
  }
  direct {}
}
EOF
cp examples/demo/main.tf "$tmp/work/main.tf"
export TF_CLI_CONFIG_FILE="$tmp/terraformrc"
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1
export TENCENTCALLKIT_ENDPOINT="$mock_url"
export TENCENTCALLKIT_SDK_APP_ID="$sdk_app_id"
export TENCENTCALLKIT_SECRET_KEY="$secret_key"
ok "work dir $tmp/work holds a copy of examples/demo/main.tf; the provider reads TENCENTCALLKIT_* from the environment"

banner "terraform apply: create the callback configuration"
tf apply -auto-approve
ok "mock now holds: $(http GET "$mock_url/_mock/callback")"

banner "terraform plan: nothing changed, so no changes (expects exit code 0)"
rc=0
tf plan -detailed-exitcode | tee "$tmp/plan.txt" || rc=$?
[[ $rc -eq 0 ]] || die "plan exited $rc, want 0 (no changes)"
grep -q 'No changes' "$tmp/plan.txt" || die "plan did not say 'No changes'"
ok "plan exit code 0, 'No changes'"

banner "Someone edits the callback in the console (out of band, through the mock's control API)"
http PUT "$mock_url/_mock/callback" \
	'{"address":"https://changed-in-console.example.com/cb","actions":["normal_end"]}' >/dev/null
ok "mock now holds: $(http GET "$mock_url/_mock/callback")"

banner "terraform plan: the drift shows up (expects exit code 2)"
rc=0
tf plan -detailed-exitcode || rc=$?
[[ $rc -eq 2 ]] || die "plan exited $rc, want 2 (changes present)"
ok "plan exit code 2: Terraform saw the drift"

banner "terraform apply: put the configuration back"
tf apply -auto-approve
rc=0
tf plan -detailed-exitcode >/dev/null || rc=$?
[[ $rc -eq 0 ]] || die "plan after the repair exited $rc, want 0"
ok "repaired; mock holds: $(http GET "$mock_url/_mock/callback")"

banner "Starting a callback receiver on loopback"
"$tmp/bin/demo-receiver" -addr 127.0.0.1:0 -sdkappid "$sdk_app_id" -lifetime 10m \
	>"$tmp/receiver.log" 2>&1 &
receiver_pid=$!
wait_for_line "$tmp/receiver.log" '^listening on http://' 30 || {
	cat "$tmp/receiver.log" >&2
	die "the receiver did not start within 30 s"
}
receiver_url="$(sed -n 's|^listening on \(http://[^ ]*\).*|\1|p' "$tmp/receiver.log" | head -n1)/callkit"
ok "receiver listening on $receiver_url"

banner "terraform apply -var address=$receiver_url: deliver callbacks to the receiver"
tf apply -auto-approve -var "address=$receiver_url"

banner "Simulating one call (alice calls bob, video, ends normally)"
http POST "$mock_url/_mock/simulate" \
	'{"calls":1,"caller":"alice","callees":["bob"],"call_type":"single","media_type":"video","result":"normal_end"}'
echo
# The call subscribes to caller_start_call and normal_end: wait for both deliveries.
want=2
deadline=$((SECONDS + 30))
until [[ $(grep -c '^callback #' "$tmp/receiver.log" || true) -ge $want ]]; do
	((SECONDS < deadline)) || break
	sleep 0.5
done
got=$(grep -c '^callback #' "$tmp/receiver.log" || true)
echo "--- what the receiver got ---"
sed 1d "$tmp/receiver.log"
echo "-----------------------------"
[[ $got -ge 1 ]] || die "no callback reached the receiver within 30 s"
ok "$got callback(s) delivered (expected $want: caller_start_call and normal_end)"

# terraform_version BIN: prints major*1000+minor of a Terraform binary (0 for OpenTofu or none).
terraform_version() {
	local first
	first="$("$1" version 2>/dev/null | head -n1)" || true
	if [[ "$first" =~ ^Terraform\ v([0-9]+)\.([0-9]+) ]]; then
		echo $((BASH_REMATCH[1] * 1000 + BASH_REMATCH[2]))
	else
		echo 0
	fi
}

# actions_terraform: prints a Terraform >= 1.14 (it has actions), or nothing.
actions_terraform() {
	local candidates=() bin
	[[ -n "${DEMO_ACTIONS_TERRAFORM:-}" ]] && candidates+=("$DEMO_ACTIONS_TERRAFORM")
	candidates+=("$(command -v terraform)")
	if [[ -n "${TF_MATRIX_ENGINES_DIR:-}" ]]; then
		while IFS= read -r bin; do candidates+=("$bin"); done < <(ls -d "$TF_MATRIX_ENGINES_DIR"/terraform-1.* 2>/dev/null | sort -rV)
	fi
	for bin in "${candidates[@]}"; do
		[[ -d "$bin" ]] && bin="$bin/terraform"
		if [[ -x "$bin" ]] && (($(terraform_version "$bin") >= 1014)); then
			echo "$bin"
			return 0
		fi
	done
}

banner "The tencentcallkit_callback_check action: prove the receiver works (Terraform >= 1.14)"
check_tf="$(actions_terraform)"
if [[ -z "$check_tf" ]]; then
	echo "skipped: actions need Terraform 1.14 or later; this is $(terraform version | head -n1)."
	echo "Set DEMO_ACTIONS_TERRAFORM=/path/to/terraform (1.14 or later), or TF_MATRIX_ENGINES_DIR, to see it."
else
	mkdir -p "$tmp/check"
	# address unset: the check reads the configuration the apply above wrote.
	cat >"$tmp/check/main.tf" <<'HCL'
terraform {
  required_providers {
    tencentcallkit = {
      source = "tencentcallkit/tencentcallkit"
    }
  }
}

provider "tencentcallkit" {}

action "tencentcallkit_callback_check" "main" {
  config {
    check_sdk_app_id = true
  }
}
HCL
	check() {
		(cd "$tmp/check" && timeout "$step_timeout" "$check_tf" apply \
			-invoke=action.tencentcallkit_callback_check.main -auto-approve "${tf_flags[@]}")
	}
	lines_before=$(wc -l <"$tmp/receiver.log")
	echo "with $("$check_tf" version | head -n1): terraform apply -invoke=action.tencentcallkit_callback_check.main"
	check || die "the check failed against a receiver that acknowledges"
	echo "--- what the receiver got ---"
	sed "1,${lines_before}d" "$tmp/receiver.log"
	echo "-----------------------------"
	ok "the receiver acknowledged every sample and refused the one for another SDKAppID"

	http POST "${receiver_url%/callkit}/_receiver/refuse" "database unavailable" >/dev/null
	echo "the receiver is now told to refuse every delivery; the same check again:"
	rc=0
	check >"$tmp/check.txt" 2>&1 || rc=$?
	cat "$tmp/check.txt"
	[[ $rc -ne 0 ]] || die "the check passed against a receiver that refuses"
	grep -q 'database unavailable' "$tmp/check.txt" || die "the failed check did not give the receiver's reason"
	http DELETE "${receiver_url%/callkit}/_receiver/refuse" >/dev/null
	ok "the check failed (exit code $rc) with the receiver's reason, as a pipeline would"
fi

banner "terraform destroy: remove the callback configuration"
tf destroy -auto-approve -var "address=$receiver_url"
if http GET "$mock_url/_mock/callback" >/dev/null 2>&1; then
	die "the mock still holds a callback configuration after destroy"
fi
ok "the app has no callback configuration any more"

banner "Done: stopping the mock and the receiver, removing $tmp"
