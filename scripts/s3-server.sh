#!/usr/bin/env bash
# A real S3-compatible server for the export action's object-storage tests: SeaweedFS's S3
# gateway (`weed server -s3`), built from the Go module proxy (no S3 emulator library).
#
#   scripts/s3-server.sh build         build the weed binary, or reuse the cached one; prints its path
#   scripts/s3-server.sh start DIR     build-or-reuse, start a server on 127.0.0.1 with its data,
#                                      logs and a generated s3.json identity in DIR, wait until
#                                      it answers, and print the environment the tests read
#                                      (`eval "$(scripts/s3-server.sh start DIR)"`)
#   scripts/s3-server.sh stop DIR      stop the server started in DIR (only that process)
#
# The binary is cached outside the clone, where the machine keeps caches between runs:
# ${TENCENTCALLKIT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tencentcallkit}/weed-<version>/weed.
# A cold build takes about 5 minutes on 2 cores (nice'd); later runs reuse it.
set -euo pipefail

WEED_MODULE=github.com/seaweedfs/seaweedfs
WEED_VERSION=v0.0.0-20261109003541-7506e5f91cd6 # SeaweedFS 4.53 (../shared/toolchain.md)
CACHE_ROOT=${TENCENTCALLKIT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tencentcallkit}
WEED_DIR=$CACHE_ROOT/weed-4.53-${WEED_VERSION##*-}
WEED_BIN=$WEED_DIR/weed

log() { printf 's3-server: %s\n' "$*" >&2; }

build() {
	mkdir -p "$WEED_DIR"
	# One build at a time on the machine: a second caller waits for the first and reuses its binary.
	exec 9>"$WEED_DIR/.lock"
	if ! flock -w 1800 9; then
		log "timed out waiting for another build of $WEED_BIN"
		return 1
	fi
	if [[ -x "$WEED_BIN" ]] && "$WEED_BIN" version >/dev/null 2>&1; then
		exec 9>&-
		echo "$WEED_BIN"
		return 0
	fi
	log "building SeaweedFS $WEED_VERSION into $WEED_BIN (cold build: about 5 minutes on 2 cores)"
	local began=$SECONDS dir src
	# The module's directory, from go's JSON answer (no jq needed).
	dir=$(GOFLAGS=-mod=mod go mod download -json "$WEED_MODULE@$WEED_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
	if [[ -z "$dir" || "$dir" == null || ! -d "$dir" ]]; then
		log "go mod download $WEED_MODULE@$WEED_VERSION gave no directory"
		return 1
	fi
	# Its go.mod has replace directives, so `go install module@version` is refused: build a copy
	# of the module as the main module.
	src=$(mktemp -d)
	trap 'rm -rf "$src"' RETURN
	cp -r "$dir/." "$src"
	chmod -R u+w "$src"
	(cd "$src" && GOFLAGS=-mod=mod nice -n 10 go build -o "$WEED_BIN.tmp" ./weed)
	mv -f "$WEED_BIN.tmp" "$WEED_BIN"
	log "built $WEED_BIN in $((SECONDS - began)) s"
	exec 9>&-
	echo "$WEED_BIN"
}

free_port_base() {
	# Four consecutive free ports P..P+3 whose gRPC twins (+10000) are free too.
	local p i ok
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 20000))
		ok=1
		for i in 0 1 2 3; do
			if (exec 3<>"/dev/tcp/127.0.0.1/$((p + i))") 2>/dev/null ||
				(exec 3<>"/dev/tcp/127.0.0.1/$((p + i + 10000))") 2>/dev/null; then
				ok=0
				break
			fi
		done
		if ((ok)); then
			echo "$p"
			return 0
		fi
	done
	log "no free port range found"
	return 1
}

start() {
	local dir=${1:?usage: s3-server.sh start DIR}
	local bin port ak sk
	bin=$(build)
	mkdir -p "$dir/data"
	dir=$(cd "$dir" && pwd)
	port=$(free_port_base)
	ak="tcktest$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
	sk="$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')"
	# The keys are hex: they need no JSON escaping.
	(umask 077 && printf '{"identities":[{"name":"test","credentials":[{"accessKey":"%s","secretKey":"%s"}],"actions":["Admin","Read","Write","List","Tagging"]}]}\n' \
		"$ak" "$sk" >"$dir/s3.json")
	# setsid: the server gets its own process group, so `stop` ends exactly what started here.
	# Each bucket is a collection that grows several volumes of its own: room for many test
	# buckets (-volume.max), in small volumes (-master.volumeSizeLimitMB; they are sparse files).
	setsid "$bin" server -dir="$dir/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
		-master.port="$port" -volume.port=$((port + 1)) \
		-filer -filer.port=$((port + 2)) \
		-s3 -s3.port=$((port + 3)) -s3.config="$dir/s3.json" \
		-volume.max=200 -master.volumeSizeLimitMB=64 \
		>"$dir/weed.log" 2>&1 </dev/null &
	echo $! >"$dir/weed.pid"
	local endpoint="http://127.0.0.1:$((port + 3))" deadline=$((SECONDS + 90))
	# Ready when the S3 gateway answers a signed ListBuckets (an unsigned request is refused).
	until curl -fsS -o /dev/null --max-time 2 --aws-sigv4 "aws:amz:us-east-1:s3" --user "$ak:$sk" "$endpoint/" 2>/dev/null; do
		if ! kill -0 "$(cat "$dir/weed.pid")" 2>/dev/null; then
			log "weed server exited; its log:"
			tail -n 40 "$dir/weed.log" >&2
			return 1
		fi
		if ((SECONDS > deadline)); then
			log "weed server not ready after 90 s; its log ($dir/weed.log):"
			tail -n 40 "$dir/weed.log" >&2
			stop "$dir"
			return 1
		fi
		sleep 0.5
	done
	log "SeaweedFS S3 gateway ready at $endpoint (data and log in $dir)"
	cat <<EOF
export TENCENTCALLKIT_ACC_S3_ENDPOINT=$endpoint
export TENCENTCALLKIT_ACC_S3_ACCESS_KEY_ID=$ak
export TENCENTCALLKIT_ACC_S3_SECRET_ACCESS_KEY=$sk
export TENCENTCALLKIT_ACC_S3_PID=$(cat "$dir/weed.pid")
EOF
}

stop() {
	local dir=${1:?usage: s3-server.sh stop DIR} pid
	[[ -f "$dir/weed.pid" ]] || return 0
	pid=$(cat "$dir/weed.pid")
	# The server leads its own process group (setsid): end that group, and only it.
	kill -TERM -- "-$pid" 2>/dev/null || true
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL -- "-$pid" 2>/dev/null || true
	rm -f "$dir/weed.pid"
}

case "${1:-}" in
build) build ;;
start) start "${2:-}" ;;
stop) stop "${2:-}" ;;
*)
	echo "usage: $0 build | start DIR | stop DIR" >&2
	exit 2
	;;
esac
