#!/bin/sh
# suanli serve with two real Slurm 22.05 clusters as sites (and one local
# site), end to end, no mocks: two clusters from scripts/slurm-cluster.sh on
# loopback, the real binary on a free port with a temporary data dir and
# tests/fixtures/slurm/serve.yaml, driven through the CLI and curl.
# Covers: jobs land on the cluster the policy chose and end with Slurm's
# exit codes (0 and 3); the view follows the clusters' live capacity;
# cancel of a running and of a pending Slurm job; a stopped slurmctld marks
# its site down (reason in sites and /metrics) and its unsent jobs move to
# the other cluster within a bounded time while its running jobs stay; a
# job only that site may run waits and runs when it returns; kill -9 of
# suanli while Slurm jobs run re-syncs them with no duplicate in Slurm; a
# bad token marks the site down with an authentication reason; bad
# --site-backend arguments.  TAP output.  Needs root (skipped otherwise).
# Env: SUANLI_BUILD (build dir; else B= from make's command line; else
# build), SUANLI_KEEP=1 keeps the state dir.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
cd "$(dirname "$0")/../.." || exit 1
SC=scripts/slurm-cluster.sh
SCEN=tests/fixtures/slurm/serve.yaml
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "# $2"; return 0; }
is() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "got '$2', want '$3'"; fi; }
has() { case "$2" in *"$3"*) ok "$1" ;; *) notok "$1" "'$3' not in: $(echo "$2" | head -c 400)" ;; esac; }

if [ "$(id -u)" != 0 ]; then
	echo "ok 1 - # SKIP slurm clusters need root"
	exit 0
fi
scripts/deps.sh jq >/dev/null || { echo "not ok 1 - jq could not be installed"; exit 1; }

BUILD=${SUANLI_BUILD:-$(printf '%s\n' "${MAKEFLAGS:-}" | tr ' ' '\n' | sed -n 's/^B=//p' | tail -1)}
BUILD=${BUILD:-build}
S=$BUILD/suanli
D=$(mktemp -d /tmp/suanli-slurm-serve.XXXXXX) || exit 1
chmod 755 "$D"
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	"$SC" down "$D/a" >/dev/null 2>&1
	"$SC" down "$D/b" >/dev/null 2>&1
	if [ "${SUANLI_KEEP:-0}" = 1 ]; then echo "# state kept in $D"; else rm -rf "$D"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
t0=$(date +%s.%N)
[ -x "$S" ] || make --no-print-directory -s B="$BUILD" "$S" >"$D/build.log" 2>&1 ||
	{ notok "build $S"; sed 's/^/# /' "$D/build.log"; exit 1; }

# --- two clusters: A (3 CPUs) and B (4 CPUs), on the first free base ports ---
up_pair() {
	local base
	for base in 7100 7140 7180 7220 7260 7300; do
		SLURM_CLUSTER_CPUS=3 "$SC" up suanli-a "$base" "$D/a" >"$D/a.env" 2>"$D/a.log"
		case $? in
		0) ;;
		3) continue ;;
		*) return 1 ;;
		esac
		if SLURM_CLUSTER_CPUS=4 "$SC" up suanli-b $((base + 10)) "$D/b" >"$D/b.env" 2>"$D/b.log"; then
			BASE_A=$base
			return 0
		fi
		"$SC" down "$D/a" >/dev/null 2>&1; rm -rf "$D/a" "$D/b"
	done
	return 1
}
if up_pair; then
	ok "clusters suanli-a and suanli-b up on :$((BASE_A + 1)) and :$((BASE_A + 11))"
else
	notok "clusters up"; sed 's/^/# /' "$D"/*.log; exit 1
fi
envof() { sed -n "s/^$2=//p" "$D/$1.env"; }
URL_A=$(envof a SLURM_REST_URL); TOK_A=$(envof a SLURM_REST_TOKEN_FILE); PART_A=$(envof a SLURM_PARTITION)
URL_B=$(envof b SLURM_REST_URL); TOK_B=$(envof b SLURM_REST_TOKEN_FILE); PART_B=$(envof b SLURM_PARTITION)
t_up=$(date +%s.%N)

# --- the service ---
export SUANLI_TOKEN
SUANLI_TOKEN=$("$S" token add --tenant alice --data "$D/data")
site_a() { echo "SA=slurm:url=$URL_A,token_file=${1:-$TOK_A},partition=$PART_A,poll_ms=500"; }
site_b() { echo "SB=slurm:url=$URL_B,token_file=$TOK_B,partition=$PART_B,poll_ms=500"; }
NSTART=0
start() { # start [SA token file]: serve on a free port (or $PORT again); sets PID, SUANLI_URL
	NSTART=$((NSTART + 1))
	LOG=$D/serve.$NSTART.log
	: >"$LOG"
	"$S" serve --scenario "$SCEN" --data "$D/data" --listen "127.0.0.1:${PORT:-0}" --grace 1s \
		--failover-after 2s --site-backend "$(site_a "${1:-}")" --site-backend "$(site_b)" \
		2>"$LOG" &
	PID=$!
	for _ in $(seq 100); do
		PORT=$(sed -n 's/.*event=listening addr=127.0.0.1:\([0-9]*\).*/\1/p' "$LOG")
		[ -n "$PORT" ] && break
		sleep 0.1
	done
	export SUANLI_URL=http://127.0.0.1:$PORT
}
sub() { "$S" submit --runtime 2m "$@"; }
field() { "$S" status --json "$1" | jq -r "$2"; }
# wait_state ID STATE SECONDS: poll until the job is in STATE
wait_state() {
	local st=""
	for _ in $(seq $(($3 * 4))); do
		st=$(field "$1" .state)
		[ "$st" = "$2" ] && return 0
		sleep 0.25
	done
	echo "# job $1 is '$st', not '$2': $(field "$1" '.reason, [.events[] | .event + " " + (.detail // "")]' | tr '\n' ' ' | head -c 600)"
	return 1
}
# wait_sites JQ SECONDS: poll GET /v1/sites until the jq filter is true
wait_sites() {
	for _ in $(seq $(($2 * 4))); do
		"$S" sites --json | jq -e "$1" >/dev/null && return 0
		sleep 0.25
	done
	return 1
}
# comments of every job (any state) Slurm knows on cluster c
comments() { SLURM_CONF=$D/$1/slurm.conf squeue -h -t all -o '%k' 2>/dev/null; }
slurm_state() { SLURM_CONF=$D/$1/slurm.conf squeue -h -t all -o '%k %T' 2>/dev/null | sed -n "s/^suanli:$2 //p"; }

start
[ -n "$PORT" ] && ok "serve started with two Slurm sites" || { notok "serve start"; sed 's/^/# /' "$LOG"; exit 1; }
wait_sites '.sites[0].cluster.known and .sites[1].cluster.known' 10
out=$("$S" sites)
is "suanli sites: SA and SB on the slurm executor, up" "$(echo "$out" | grep -cE '^S[AB] +slurm +up')" 2
wait_sites '.sites[0].cluster.cpus == 3 and .sites[1].cluster.cpus == 4' 10 &&
	ok "GET /v1/sites reads each cluster's CPUs (3 and 4)" || notok "cluster capacity"

# --- exit codes, on the cluster the policy chose ---
j0=$(sub --shell -- 'echo hello from $SUANLI_SITE; exit 0'); j3=$(sub --shell -- 'exit 3')
wait_state "$j0" done 30 && ok "exit 0: done" || notok "exit 0"
wait_state "$j3" failed 30 && ok "exit 3: failed" || notok "exit 3"
is "exit code 3 from Slurm's wait status" "$(field "$j3" .exit_code)" 3
is "placed by greenest at SA (greenest with room)" "$(field "$j0" '.site + " " + .receipt.site')" "SA SA"
has "the handle names the Slurm job" "$(field "$j0" .handle)" "SA:"
is "it ran on cluster A, once" "$(comments a | grep -c "^suanli:$j0\$") $(comments b | grep -c "^suanli:$j0\$")" "1 0"
is "its output, in the job directory" "$(cat "$D/data/jobs/$j0/stdout" 2>/dev/null)" "hello from SA"
is "history: planned, dispatched, submitted, running, done" \
	"$(field "$j0" '[.events[].event] | join(",")')" "planned,dispatched,submitted,running,done"

# --- live capacity and cancel: four jobs only SA may run (3 CPUs) ---
x1=$(sub --data-tag XJ_ONLY -- sleep 30); x2=$(sub --data-tag XJ_ONLY -- sleep 30)
x3=$(sub --data-tag XJ_ONLY -- sleep 30); x4=$(sub --data-tag XJ_ONLY -- sleep 30)
for _ in $(seq 40); do [ "$(slurm_state a "$x3")" = RUNNING ] && break; sleep 0.25; done
for _ in $(seq 20); do [ "$(slurm_state a "$x4")" = PENDING ] && break; sleep 0.25; done
is "three run on A, the fourth waits in Slurm" "$(slurm_state a "$x1") $(slurm_state a "$x3") $(slurm_state a "$x4")" \
	"RUNNING RUNNING PENDING"
is "a job pending in Slurm is running (dispatched) with no start yet" "$(field "$x4" '.state + " " + (.start | tostring)')" "running null"
wait_sites '.sites[0].busy_cores == 3 and .sites[0].cluster.cpus_alloc == 3' 10 &&
	ok "SA shows 3 of 3 cores busy, from the cluster" || notok "SA busy cores"
y=$(sub -- true)
wait_state "$y" done 30 && is "with SA full the next job goes to SB" "$(field "$y" .site)" SB || notok "spill to SB"
"$S" cancel "$x4" >/dev/null; "$S" cancel "$x1" >/dev/null
wait_state "$x4" cancelled 20 && ok "cancel of the pending job" || notok "cancel pending"
wait_state "$x1" cancelled 20 && ok "cancel of a running job" || notok "cancel running"
is "pending one never started" "$(field "$x4" '.start | tostring')" null
is "both cancelled in Slurm" "$(slurm_state a "$x4") $(slurm_state a "$x1")" "CANCELLED CANCELLED"

# --- failover: stop A's slurmctld (x2, x3 still run there) ---
wait_sites '.sites[0].busy_cores == 2' 10 || notok "SA busy cores after the cancel"
"$SC" stop-ctld "$D/a" 2>/dev/null
tf=$(date +%s.%N)
m=$(sub --shell -- 'echo moved; exit 0')   # SA still looks up, with one free core
wait_state "$m" done 45 && ok "the job sent to the dead cluster ran on the other one" || notok "failover"
tm=$(date +%s.%N)
is "... at SB" "$(field "$m" .site) $(comments b | grep -c "^suanli:$m\$")" "SB 1"
has "its history says why" "$(field "$m" '[.events[] | select(.event == "failover") | .detail] | join(" ")')" \
	"taken back from SA before it started"
out=$("$S" sites)
has "suanli sites: SA down" "$(echo "$out" | grep '^SA ')" down
has "suanli sites: the reason" "$out" "SA down (slurmctld"
curl -s -H "Authorization: Bearer $SUANLI_TOKEN" "$SUANLI_URL/metrics" >"$D/metrics"
has "/metrics: suanli_site_up 0 for SA" "$(cat "$D/metrics")" 'suanli_site_up{site="SA"} 0'
has "/metrics: down info with the fault" "$(cat "$D/metrics")" 'suanli_site_down_info{site="SA",fault="slurmctld'
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics <"$D/metrics" >"$D/promtool" 2>&1 && ok "promtool accepts /metrics" ||
		notok "promtool" "$(head -5 "$D/promtool")"
fi
w=$(sub --data-tag XJ_ONLY -- true)  # only SA may run it
sleep 1
is "a job only SA may run waits" "$(field "$w" '.state + " " + ([.events[].event] | join(","))')" "queued waiting"
is "jobs running on A stay A's" "$(field "$x2" '.state + " " + .site')" "running SA"

# --- A comes back ---
SLURM_CLUSTER_CPUS=3 "$SC" up suanli-a "$BASE_A" "$D/a" >/dev/null 2>&1
wait_sites '.sites[0].up' 30 && ok "SA up again" || notok "SA back"
is "the moved job never reached A (its controller's state, now it answers)" \
	"$(comments a | grep -c "^suanli:$m\$")" 0
wait_state "$w" done 30 && is "the waiting job ran at SA" "$(field "$w" .site)" SA || notok "waiting job"
wait_state "$x2" done 40 && wait_state "$x3" done 10 &&
	is "A's running jobs ran to their end there, once" \
		"$(field "$x2" .site) $(comments a | grep -c "^suanli:$x2\$") $(comments b | grep -c "^suanli:$x2\$")" "SA 1 0" ||
	notok "A's running jobs"

# --- kill -9 while Slurm jobs run: re-sync, no duplicate ---
r1=$(sub --shell -- 'sleep 4; exit 3'); r2=$(sub --shell -- 'sleep 4; exit 3')
r3=$(sub --shell -- 'sleep 4; exit 0'); r4=$(sub --shell -- 'sleep 4; exit 0')
for _ in $(seq 40); do
	[ "$(field "$r4" '.handle // ""')" != "" ] && break; sleep 0.25
done
kill -9 "$PID"; wait "$PID" 2>/dev/null; PID=
start
for r in $r1 $r2 $r3 $r4; do wait_state "$r" "$([ "$r" = "$r1" ] || [ "$r" = "$r2" ] && echo failed || echo done)" 40 || notok "job $r after the restart"; done
is "after the restart they ended with their exit codes" \
	"$(for r in $r1 $r2 $r3 $r4; do field "$r" '.exit_code'; done | tr '\n' ' ')" "3 3 0 0 "
has "re-synced, not sent again" "$(field "$r1" '[.events[].event] | join(",")')" adopted
dups=$( (comments a; comments b) | grep '^suanli:' | sort | uniq -d)
is "no suanli job twice in Slurm (both clusters, all states)" "$dups" ""
is "every job that reached Slurm is there once" "$( (comments a; comments b) | grep -c '^suanli:')" \
	"$("$S" jobs --all --json | jq '[.jobs[] | select(.handle != null)] | length')"

# --- a bad token: cluster B's token at A ---
kill "$PID"; wait "$PID"; rc=$?; PID=
is "SIGTERM: clean stop" "$rc" 0
start "$TOK_B"
wait_sites '.sites[0].up == false' 20 && ok "a token A rejects marks SA down" || notok "bad token"
has "... with an authentication reason" "$("$S" sites)" "SA down (authentication failed)"
has "... naming the token file" "$("$S" sites --json | jq -r '.sites[0].down_reason')" "check the token in $TOK_B"
b=$(sub -- true)
wait_state "$b" done 30 && is "new work goes to SB" "$(field "$b" .site)" SB || notok "work with SA down"
kill "$PID"; wait "$PID"; PID=

# --- operator errors ---
"$S" serve --scenario "$SCEN" --data "$D/data" --site-backend NOPE=slurm >/dev/null 2>"$D/err"
is "--site-backend with an unknown site: exit 2" "$?" 2
has "... named" "$(cat "$D/err")" 'no site "NOPE"'
"$S" serve --scenario "$SCEN" --data "$D/data" --listen 127.0.0.1:0 \
	--site-backend "SA=slurm:url=$URL_A,token_file=$D/none" >/dev/null 2>"$D/err"
is "a missing token file: exit 1" "$?" 1
has "... naming the site" "$(cat "$D/err")" "site SA (slurm executor)"
"$S" serve --scenario "$SCEN" --data "$D/data" --listen 127.0.0.1:0 --site-backend "SA=slurm:colour=red" \
	>/dev/null 2>"$D/err"
has "an unknown option is refused" "$(cat "$D/err")" 'unknown option "colour"'

pids=$(cat "$D"/a/run/*.pid "$D"/b/run/*.pid 2>/dev/null)
"$SC" down "$D/a" >/dev/null 2>&1 && "$SC" down "$D/b" >/dev/null 2>&1
alive=""
for p in $pids; do
	[ -r "/proc/$p/cmdline" ] && tr '\0' ' ' <"/proc/$p/cmdline" | grep -q "$D/" && alive="$alive $p"
done
[ -z "$alive" ] && ok "clusters down, no daemon left" || notok "daemons left:$alive"
awk -v a="$t0" -v b="$t_up" -v f="$tf" -v m="$tm" -v e="$(date +%s.%N)" 'BEGIN {
	printf "# timings: clusters up %.1f s, failover (slurmctld stopped -> job done at SB) %.1f s, total %.1f s\n",
	       b - a, m - f, e - a }'
