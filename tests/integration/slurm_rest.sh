#!/bin/sh
# Two real Slurm 22.05 clusters on loopback (scripts/slurm-cluster.sh), the
# live tests of the REST client (tests/unit/test_slurm_live.c) and of the
# `slurm` executor (tests/unit/test_slurm_exec.c) against them, and a clean
# `down`.  TAP output.  Needs root (installs slurm-wlm/slurmrestd/munge
# when missing).  Env: SUANLI_BUILD (build dir; else B= from make's command
# line; else build), SUANLI_SLURM_TESTS (prebuilt test binaries instead),
# SUANLI_KEEP=1 keeps the state dir for post-mortems.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
cd "$(dirname "$0")/../.." || exit 1
SC=scripts/slurm-cluster.sh
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; }

if [ "$(id -u)" != 0 ]; then
	echo "ok 1 - # SKIP slurm clusters need root"
	exit 0
fi

BUILD=${SUANLI_BUILD:-$(printf '%s\n' "${MAKEFLAGS:-}" | tr ' ' '\n' | sed -n 's/^B=//p' | tail -1)}
BUILD=${BUILD:-build}
LIVE=${SUANLI_SLURM_TESTS:-$BUILD/tests/test_slurm_live $BUILD/tests/test_slurm_exec}

D=$(mktemp -d /tmp/suanli-slurm.XXXXXX) || exit 1
chmod 755 "$D"
cleanup() {
	"$SC" down "$D/a" >/dev/null 2>&1
	"$SC" down "$D/b" >/dev/null 2>&1
	if [ "${SUANLI_KEEP:-0}" = 1 ]; then echo "# state kept in $D"; else rm -rf "$D"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

t0=$(date +%s.%N)
# shellcheck disable=SC2086
[ -n "${SUANLI_SLURM_TESTS:-}" ] || make --no-print-directory -s B="$BUILD" $LIVE >"$D/build.log" 2>&1 ||
	{ notok "build $LIVE"; sed 's/^/# /' "$D/build.log"; exit 1; }

# up A and B on the first free pair of base ports (another run may hold some)
up_pair() {
	local base
	for base in 6820 6860 6900 6940 6980 7020; do
		"$SC" up suanli-a "$base" "$D/a" >"$D/a.env" 2>"$D/a.log"
		case $? in
		0) ;;
		3) continue ;;
		*) return 1 ;;
		esac
		if SLURM_CLUSTER_CPUS=4 SLURM_CLUSTER_GPUS=2 "$SC" up suanli-b $((base + 10)) "$D/b" \
			>"$D/b.env" 2>"$D/b.log"; then
			BASE_A=$base
			return 0
		fi
		"$SC" down "$D/a" >/dev/null 2>&1; rm -rf "$D/a" "$D/b"
	done
	return 1
}
if up_pair; then
	ok "clusters suanli-a and suanli-b up on 127.0.0.1:$((BASE_A + 1)) and :$((BASE_A + 11)) ($(grep -ho 'ready in [0-9.]* s' "$D/a.log" "$D/b.log" | tr '\n' ' '))"
else
	notok "clusters up"; sed 's/^/# /' "$D"/*.log; exit 1
fi
t_up=$(date +%s.%N)

grep -q '^SLURM_REST_URL=http://127.0.0.1:' "$D/a.env" && grep -q '^SLURM_REST_TOKEN_FILE=' "$D/b.env" &&
	[ -s "$D/a/jwt.token" ] && ok "up prints the REST URL and token file" || notok "up output"

"$SC" status "$D/a" >"$D/status.out" 2>&1 && "$SC" status "$D/b" >>"$D/status.out" 2>&1 &&
	grep -q 'suanli-a: up' "$D/status.out" && grep -q 'suanli-b: up' "$D/status.out" &&
	ok "status: both clusters up" || { notok "status"; sed 's/^/# /' "$D/status.out"; }

"$SC" up suanli-a "$BASE_A" "$D/a" >/dev/null 2>"$D/again.log" &&
	grep -q 'already' "$D/again.log" && ok "up on a running cluster says so" || notok "second up"
"$SC" up suanli-x "$BASE_A" "$D/a" >/dev/null 2>&1
[ $? = 2 ] && ok "up refuses a state dir that holds another cluster" || notok "name clash"
"$SC" up suanli-c "$BASE_A" "$D/c" >/dev/null 2>&1
[ $? = 3 ] && ok "up refuses busy ports (exit 3)" || notok "port clash"
rm -rf "$D/c"

# the live tests: one TAP line per cmocka case
export_cluster() { # export_cluster X ENVFILE DIR BASE
	local url tok sock part
	url=$(sed -n 's/^SLURM_REST_URL=//p' "$2"); tok=$(sed -n 's/^SLURM_REST_TOKEN_FILE=//p' "$2")
	sock=$(sed -n 's/^SLURM_REST_SOCKET=//p' "$2"); part=$(sed -n 's/^SLURM_PARTITION=//p' "$2")
	export "SUANLI_SLURM_$1_URL=$url" "SUANLI_SLURM_$1_TOKEN=$tok" "SUANLI_SLURM_$1_SOCKET=$sock"
	export "SUANLI_SLURM_$1_PARTITION=$part" "SUANLI_SLURM_$1_DIR=$3" "SUANLI_SLURM_$1_BASEPORT=$4"
}
export_cluster A "$D/a.env" "$D/a" "$BASE_A"
export_cluster B "$D/b.env" "$D/b" $((BASE_A + 10))
export SUANLI_SLURM_SCRIPT=$SC
for bin in $LIVE; do
	t=$(basename "$bin")
	"$bin" >"$D/$t.out" 2>&1
	rc=$?
	sed -n 's/^\[       OK \] \(.*\)/\1/p' "$D/$t.out" | while read -r c; do echo "ok - $t: $c"; done
	sed -n 's/^\[  FAILED  \] \(test_.*\)/\1/p; s/^\[  SKIPPED \] \(test_.*\)/\1 (skipped)/p' \
		"$D/$t.out" | sort -u | while read -r c; do echo "not ok - $t: $c"; done
	grep -E '^(bad token|controller down|down after|job sent and done)' "$D/$t.out" | sed 's/^/# /'
	if [ $rc != 0 ]; then
		notok "$t exit $rc"; sed 's/^/# /' "$D/$t.out"
		tail -n 5 "$D"/a/log/*.log "$D"/b/log/*.log 2>/dev/null | sed 's/^/# /'
	fi
done
t_live=$(date +%s.%N)

pids=$(cat "$D"/a/run/*.pid "$D"/b/run/*.pid "$D"/a/munge/munged.pid "$D"/b/munge/munged.pid 2>/dev/null)
"$SC" down "$D/a" >/dev/null 2>&1 && "$SC" down "$D/b" >/dev/null 2>&1
alive=""
for p in $pids; do
	[ -r "/proc/$p/cmdline" ] && tr '\0' ' ' <"/proc/$p/cmdline" | grep -q "$D/" && alive="$alive $p"
done
[ -z "$alive" ] && [ -n "$pids" ] && ok "down stopped every daemon by pid ($(echo $pids | wc -w) pids)" ||
	notok "down left pids:$alive"
"$SC" down "$D/a" >/dev/null 2>&1 && ok "down on a stopped cluster is harmless" || notok "second down"
awk -v a="$t0" -v b="$t_up" -v c="$t_live" -v d="$(date +%s.%N)" 'BEGIN {
	printf "# timings: build+up %.1f s, live test %.1f s, down %.1f s\n", b - a, c - b, d - c }'
