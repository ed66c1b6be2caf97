#!/usr/bin/env bash
# Runs the whole test suite with TF_ACC=1 once per Terraform version this provider claims to
# support, then prints one table (passed / skipped / failed / wall time per version).
# Exits non-zero when any version fails.
#
#   make testacc-matrix
#   TF_MATRIX_VERSIONS="1.5.7" make testacc-matrix     # other versions (plus the PATH one)
#   TESTARGS='-run TestAccCallback' make testacc-matrix
#
# Older releases are built from source once with `go install` (about 2 minutes each) into
# .cache/terraform/<version>/ and reused; the newest is the terraform on PATH. Nothing is
# downloaded from releases.hashicorp.com.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Set TF_MATRIX_VERSIONS empty to test only the terraform on PATH.
read -r -a versions <<<"${TF_MATRIX_VERSIONS-1.5.7 1.8.5}"
test_timeout="${TEST_TIMEOUT:-15m}"
build_timeout="${TF_BUILD_TIMEOUT:-900}"
read -r -a testargs <<<"${TESTARGS:-}"

cache="$root/.cache"
out="$cache/matrix"
rm -rf "$out"
mkdir -p "$out"

export CHECKPOINT_DISABLE=1
# An empty CLI config for `terraform version`; each test run gets its own below.
: >"$out/terraformrc"
export TF_CLI_CONFIG_FILE="$out/terraformrc"

banner() {
	printf '\n==> %s\n' "$*"
}

# terraform_for VERSION: prints the path of a terraform binary of that version, building
# it from source into .cache/terraform/VERSION when it is not there yet.
terraform_for() {
	local v="$1" dir="$cache/terraform/$1"
	if [[ ! -x "$dir/terraform" ]]; then
		banner "building terraform $v from source into .cache/terraform/$v (once, ~2 min)" >&2
		mkdir -p "$dir"
		GOBIN="$dir" timeout "$build_timeout" go install "github.com/hashicorp/terraform@v$v" >&2
	fi
	printf '%s\n' "$dir/terraform"
}

declare -a labels=() binaries=()
for v in "${versions[@]}"; do
	labels+=("$v")
	binaries+=("$(terraform_for "$v")")
done

if path_tf="$(command -v terraform)"; then
	path_version="$("$path_tf" version -json | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p')"
	labels+=("${path_version:-unknown} (PATH)")
	binaries+=("$path_tf")
else
	echo "warning: no terraform on PATH; the matrix covers only ${versions[*]}" >&2
fi

# Build the summary tool before the runs, so a broken tool fails fast.
summary_bin="$out/gotestsummary"
go build -o "$summary_bin" ./scripts/gotestsummary

declare -a rows=()
for i in "${!binaries[@]}"; do
	label="${labels[$i]}"
	bin="${binaries[$i]}"
	dir="$out/run-$i"
	mkdir -p "$dir"
	: >"$dir/terraformrc" # each version gets its own empty CLI config
	banner "terraform $label: $("$bin" version | head -n1) ($bin)"

	start=$(date +%s.%N)
	# The JSON goes to a file for the summary; the terminal gets one line per package as
	# each finishes, so a long run shows progress.
	set +e
	TF_ACC=1 \
		TF_ACC_TERRAFORM_PATH="$bin" \
		TF_CLI_CONFIG_FILE="$dir/terraformrc" \
		go test -json -count=1 -timeout "$test_timeout" ${testargs[@]+"${testargs[@]}"} ./... \
		2>"$dir/stderr.log" |
		tee "$dir/test.json" |
		sed -un -e '/"Test":/d' \
			-e 's/.*"Action":"pass","Package":"\([^"]*\)".*/ok    \1/p' \
			-e 's/.*"Action":"fail","Package":"\([^"]*\)".*/FAIL  \1/p' \
			-e 's/.*"Action":"skip","Package":"\([^"]*\)".*/?     \1 [no test files]/p'
	rc=${PIPESTATUS[0]}
	set -e
	end=$(date +%s.%N)
	secs=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }')

	if [[ -s "$dir/stderr.log" ]]; then
		cat "$dir/stderr.log" >&2
	fi
	echo "exit code $rc after ${secs}s (log: ${dir#"$root"/}/test.json)"
	rows+=("$label:$secs:$rc:$dir/test.json")
done

banner "acceptance matrix summary"
"$summary_bin" "${rows[@]}"
