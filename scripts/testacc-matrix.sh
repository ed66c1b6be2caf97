#!/usr/bin/env bash
# Runs the acceptance suite once per engine this provider claims to support (Terraform and
# OpenTofu), then prints one table: engine, passed, failed, skipped, wall time.
# Exits non-zero when any engine fails, and before running anything when a claimed engine
# is missing: a matrix that silently drops an engine would claim what it did not test.
#
#   make testacc-matrix
#   TF_MATRIX_ENGINES="terraform-1.15.9 tofu-1.12.6" make testacc-matrix   # a subset
#   TF_MATRIX_ENGINES_DIR=/opt/engines make testacc-matrix                # engines from elsewhere
#   TESTARGS='-run TestAccCallback' make testacc-matrix
#   TF_MATRIX_OUT=/tmp/matrix make testacc-matrix                        # logs elsewhere
#   TF_MATRIX_FULL=all make testacc-matrix                               # the whole suite everywhere
#
# The newest engines (TF_MATRIX_FULL, default Terraform 1.15.9 and OpenTofu 1.12.6) run the whole
# package; the older ones run the core subset (TF_MATRIX_CORE): the acceptance tests whose outcome
# depends on the engine (every resource, data source, ephemeral and list resource and action
# through plan, apply, import, identity, drift, unknowns and plan-time errors), not the unit tests
# and the client-behaviour tests (faults, pacing, walks, hostile answers, docs), which drive the
# engine the same way on every version and already run under `make test` and on the newest
# engines. Running all eight in full took 35 of CI's 42.7 minutes on aa804e0.
#
# Engines are files named <terraform|tofu>-<version> in TF_MATRIX_ENGINES_DIR (default
# .cache/engines). The ones missing there come from, in order:
#   - ../shared/terraform-bin/unpack (Terraform 1.12+, OpenTofu: released binaries that the
#     Go module proxy cannot build, see its README), when that directory exists;
#   - `go install github.com/hashicorp/terraform@vX` (Terraform 1.5.7, 1.8.5: about 2 minutes
#     each, once; the result stays in the engines directory);
#   - for Terraform 1.11.4, the terraform on PATH when it is that version.
# Nothing is downloaded from releases.hashicorp.com or github.com.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

read -r -a engines <<<"${TF_MATRIX_ENGINES:-terraform-1.5.7 terraform-1.8.5 terraform-1.11.4 terraform-1.12.2 terraform-1.14.9 terraform-1.15.9 tofu-1.11.14 tofu-1.12.6}"
engines_dir="${TF_MATRIX_ENGINES_DIR:-$root/.cache/engines}"
shared_bin="${TF_MATRIX_SHARED_BIN:-$root/../shared/terraform-bin}"
test_timeout="${TEST_TIMEOUT:-15m}"
build_timeout="${TF_BUILD_TIMEOUT:-900}"
packages="${TF_MATRIX_PACKAGES:-./internal/provider/...}"
read -r -a testargs <<<"${TESTARGS:-}"
full_engines=" ${TF_MATRIX_FULL:-terraform-1.15.9 tofu-1.12.6} "
core="${TF_MATRIX_CORE:-^TestAcc(Callback_(lifecycle|identity|importByIdentityBlock|importByIdentityInvalid|importBlockAndGeneratedConfig|importInvalidID|apiVersionChangeReplaces|planTimeValidation|v1AndV4SideBySide|createOverExisting|providerAppChanged)|CallbackV4_lifecycle|CallbackList_(query|generateConfigPlansImportsOnly)|CallbackCheck_(invokeReadsV1Configuration|triggers|failures|demoReceiver|unknownAtPlan|invalidConfig)|CallbackLostAnswer_create|CallRecordDataSource_(everyField|notFound)|CallRecordsDataSource_(page|filtered|recordsFormat|validation)|CallStatsDataSource_(seeded|validation)|CallRecordsExportAction_(files|failsHalfWay|movingData|planTimeRefusals)|TelCdrs_(empty|validation|inputsFromApply)|TimeWindow_(lookback|validation)|UserSigEphemeral_(echo|notStored|validation)|Provider_(invalidConfiguration|unknownConfiguration|environmentConfiguration)|BadInput_planTime|Examples_validate|Secrets_notInLogsStatePlanOrDiagnostics)$}"

# Logs and the summary tool; emptied once the engines are known, so a run that stops
# for a missing engine leaves the previous run's logs alone.
out="${TF_MATRIX_OUT:-$root/.cache/matrix}"
mkdir -p "$out" "$engines_dir"

export CHECKPOINT_DISABLE=1
# An empty CLI config for `version`; each test run gets its own below.
: >"$out/terraformrc"
export TF_CLI_CONFIG_FILE="$out/terraformrc"

banner() {
	printf '\n==> %s\n' "$*"
}

# engine_version BIN: prints "Terraform 1.5.7" or "OpenTofu 1.12.6" from `BIN version`.
# (`tofu version -json` reports OpenTofu's number as terraform_version, so the JSON
# cannot tell the two apart; the first line of the text output can.)
engine_version() {
	"$1" version 2>/dev/null | sed -n '1s/^\(Terraform\|OpenTofu\) v\([0-9][^ ]*\).*/\1 \2/p'
}

# label NAME: "terraform-1.5.7" -> "Terraform 1.5.7", "tofu-1.12.6" -> "OpenTofu 1.12.6".
label() {
	case "$1" in
	terraform-*) printf 'Terraform %s' "${1#terraform-}" ;;
	tofu-*) printf 'OpenTofu %s' "${1#tofu-}" ;;
	*) printf '%s' "$1" ;;
	esac
}

unpacked=0
# resolve NAME: prints the path of the engine, obtaining it if it can; prints nothing when
# it cannot (the caller reports every missing engine at once).
resolve() {
	local name="$1" bin="$engines_dir/$1" v
	if [[ -x "$bin" ]]; then
		printf '%s\n' "$bin"
		return
	fi
	if [[ -x "$shared_bin/unpack" && -f "$shared_bin/${name}_linux_amd64.xz" && $unpacked == 0 ]]; then
		banner "unpacking the engines of ${shared_bin#"$root"/} into ${engines_dir#"$root"/}" >&2
		"$shared_bin/unpack" "$engines_dir" >&2
		unpacked=1
		if [[ -x "$bin" ]]; then
			printf '%s\n' "$bin"
			return
		fi
	fi
	case "$name" in
	terraform-1.5.* | terraform-1.6.* | terraform-1.7.* | terraform-1.8.* | terraform-1.9.*)
		v="${name#terraform-}"
		banner "building Terraform $v from the Go module proxy into ${engines_dir#"$root"/} (once, ~2 min)" >&2
		local tmp
		tmp="$(mktemp -d "$engines_dir/.build-$v.XXXXXX")"
		# version.dev=no is what a release build sets (1.8 and later report "-dev" without it;
		# older releases have no such variable, and -X ignores it).
		if GOBIN="$tmp" timeout "$build_timeout" go install -trimpath \
			-ldflags "-s -w -X github.com/hashicorp/terraform/version.dev=no" \
			"github.com/hashicorp/terraform@v$v" >&2; then
			mv "$tmp/terraform" "$bin"
		fi
		rm -rf "$tmp"
		[[ -x "$bin" ]] && printf '%s\n' "$bin"
		;;
	terraform-*)
		local path_tf
		if path_tf="$(command -v terraform)" && [[ "$(engine_version "$path_tf")" == "$(label "$name")" ]]; then
			printf '%s\n' "$path_tf"
		fi
		;;
	esac
	return 0
}

declare -a names=() labels=() binaries=() missing=()
for name in "${engines[@]}"; do
	bin="$(resolve "$name")"
	want="$(label "$name")"
	if [[ -z "$bin" ]]; then
		why="no $engines_dir/$name"
		if [[ "$name" == terraform-* ]] && path_tf="$(command -v terraform)"; then
			why+=", and the terraform on PATH is $(engine_version "$path_tf")"
		fi
		missing+=("$want: $why")
		continue
	fi
	got="$(engine_version "$bin")"
	# A source build of the release tag without the release flag says "1.8.5-dev": the same code.
	if [[ "$got" != "$want" && "$got" != "$want-dev" ]]; then
		missing+=("$want: $bin is ${got:-not an engine}")
		continue
	fi
	names+=("$name")
	lbl="$got"
	[[ "$bin" == "$(command -v terraform || true)" && "$bin" != "$engines_dir/"* ]] && lbl+=" (PATH)"
	labels+=("$lbl")
	binaries+=("$bin")
done
if ((${#missing[@]} > 0)); then
	echo "error: the matrix claims engines it cannot run:" >&2
	printf '  %s\n' "${missing[@]}" >&2
	echo "Put them in TF_MATRIX_ENGINES_DIR (now $engines_dir) as <terraform|tofu>-<version>, or narrow TF_MATRIX_ENGINES." >&2
	exit 1
fi

find "$out" -mindepth 1 -maxdepth 1 ! -name terraformrc -exec rm -rf {} +

# Build the summary tool before the runs, so a broken tool fails fast.
summary_bin="$out/gotestsummary"
go build -o "$summary_bin" ./scripts/gotestsummary

declare -a rows=()
for i in "${!binaries[@]}"; do
	name="${names[$i]}"
	label="${labels[$i]}"
	bin="${binaries[$i]}"
	dir="$out/$name"
	mkdir -p "$dir"
	: >"$dir/terraformrc" # each engine gets its own empty CLI config
	# What this engine runs: the user's TESTARGS, else the whole suite on the newest engines
	# and the core subset on the others.
	declare -a runargs=(${testargs[@]+"${testargs[@]}"})
	suite="full"
	if ((${#testargs[@]} == 0)) && [[ "$full_engines" != *" all "* && "$full_engines" != *" $name "* ]]; then
		runargs=(-run "$core")
		suite="core"
	fi
	((${#testargs[@]} == 0)) || suite="TESTARGS"
	banner "$label ($bin), $suite suite"

	# OpenTofu resolves provider addresses to registry.opentofu.org: the reattached
	# provider under test must be named there.
	declare -a env=(TF_ACC=1 TF_ACC_TERRAFORM_PATH="$bin" TF_CLI_CONFIG_FILE="$dir/terraformrc")
	if [[ "$name" == tofu-* ]]; then
		env+=(TF_ACC_PROVIDER_HOST=registry.opentofu.org TF_ACC_PROVIDER_NAMESPACE=hashicorp)
	fi

	start=$(date +%s.%N)
	# The JSON goes to a file for the summary; the terminal gets one line per package as
	# each finishes, so a long run shows progress.
	set +e
	# shellcheck disable=SC2086 # packages is a list
	env "${env[@]}" go test -json -count=1 -timeout "$test_timeout" ${runargs[@]+"${runargs[@]}"} $packages \
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

	# The engine features the suite must exercise where the engine has them: a test that
	# skipped there would leave the feature claimed but untested.
	if ((${#testargs[@]} == 0)); then
		v="${name#*-}"
		major_minor=$(awk -F. '{ printf "%d%03d", $1, $2 }' <<<"$v")
		declare -a required=()
		((major_minor >= 1012)) && required+=(TestAccCallback_identity TestAccCallback_importByIdentityBlock)
		[[ "$name" == terraform-* ]] && ((major_minor >= 1014)) && required+=(TestAccCallbackList_query TestAccCallbackList_generateConfigPlansImportsOnly TestAccCallbackCheck_invokeReadsV1Configuration TestAccCallbackCheck_triggers TestAccCallbackCheck_failures TestAccCallbackCheck_demoReceiver TestAccCallRecordsExportAction_files TestAccCallRecordsExportAction_failsHalfWay TestAccCallRecordsExportAction_movingData)
		((major_minor >= 1010)) && required+=(TestAccUserSigEphemeral_echo TestAccUserSigEphemeral_notStored)
		for test in ${required[@]+"${required[@]}"}; do
			if ! grep -q "\"Action\":\"pass\",\"Package\":\"[^\"]*\",\"Test\":\"$test\"," "$dir/test.json"; then
				echo "error: $label has the feature $test tests, but $test did not pass there" >&2
				rc=1
			fi
		done
	fi
	rows+=("$label ($suite):$secs:$rc:$dir/test.json")
done

banner "acceptance matrix summary"
"$summary_bin" "${rows[@]}"
