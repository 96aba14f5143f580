#!/bin/sh
# make bench: dispatch throughput to one real Slurm 22.05 cluster through the
# whole service — HTTP POST /v1/jobs (durable commit, placement by the
# policy) → the site's `slurm` executor → slurmrestd → a Slurm job id
# recorded in the store — against plain `sbatch` in a loop, on the same
# cluster and host.  Prints both rates and their ratio; asserts nothing.
# Needs root (the cluster's daemons run as root); skipped otherwise.
# Env: B (build dir, default build), SLURM_BENCH_JOBS (default 200).
#
# suanli's clock runs from the first POST until every job has its Slurm id
# in the store (read through GET /v1/jobs); the POSTs go over one keep-alive
# connection from one curl process, each answered after its commit.  The
# sbatch loop is timed until the last sbatch returned (each prints the job
# id Slurm gave it).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
B=${B:-build}
N=${SLURM_BENCH_JOBS:-200}
SC=scripts/slurm-cluster.sh
S=$B/suanli
if [ "$(id -u)" != 0 ]; then echo "slurm_serve: needs root for the Slurm daemons; skipped"; exit 0; fi
[ -x "$S" ] || { echo "slurm_serve: $S not built; skipped"; exit 0; }
scripts/deps.sh jq >/dev/null || exit 1
D=$(mktemp -d /tmp/suanli-bench-serve.XXXXXX) || exit 1
chmod 755 "$D"
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	"$SC" down "$D/c" >/dev/null 2>&1
	rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# one cluster with room to run the jobs (8 advertised CPUs on this host)
for base in 7500 7520 7540 7560 7580; do
	SLURM_CLUSTER_CPUS=8 "$SC" up bench "$base" "$D/c" >"$D/env" 2>"$D/up.log"
	rc=$?
	[ $rc = 3 ] && continue
	break
done
[ "${rc:-1}" = 0 ] || { echo "slurm_serve: cluster did not start:"; cat "$D/up.log"; exit 1; }
. "$D/env"
export SLURM_CONF
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); $(sinfo -V)"
echo "cluster: 1 node, 8 CPUs advertised, slurmrestd at $SLURM_REST_URL (JWT); $N jobs per run"

# --- plain sbatch in a loop ---
sbatch --parsable -o /dev/null --wrap true >/dev/null # warm up
t0=$(date +%s.%N)
fails=0
for _ in $(seq "$N"); do sbatch --parsable -o /dev/null --wrap true >/dev/null 2>&1 || fails=$((fails + 1)); done
t1=$(date +%s.%N)
# shellcheck disable=SC2046
scancel --full $(squeue -h -o %i) 2>/dev/null
sleep 1

# --- through suanli serve: site SA is the cluster; XJ_ONLY jobs may run only there ---
TOKEN=$("$S" token add --tenant bench --data "$D/data")
"$S" serve --scenario tests/fixtures/slurm/serve.yaml --data "$D/data" --listen 127.0.0.1:0 \
	--site-backend "SA=slurm:url=$SLURM_REST_URL,token_file=$SLURM_REST_TOKEN_FILE,partition=$SLURM_PARTITION" \
	--site-backend SB=local 2>"$D/serve.log" &
PID=$!
PORT=
for _ in $(seq 100); do
	PORT=$(sed -n 's/.*event=listening addr=127.0.0.1:\([0-9]*\).*/\1/p' "$D/serve.log")
	[ -n "$PORT" ] && break
	sleep 0.1
done
[ -n "$PORT" ] || { echo "slurm_serve: suanli serve did not start:"; cat "$D/serve.log"; exit 1; }
URL=http://127.0.0.1:$PORT
echo '{"command":["true"],"runtime_s":60,"data_tag":"XJ_ONLY"}' >"$D/body.json"
{
	for i in $(seq "$N"); do
		[ "$i" -gt 1 ] && echo next
		printf 'url = "%s/v1/jobs"\nrequest = "POST"\noutput = "/dev/null"\n' "$URL"
		printf 'header = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\n' "$TOKEN"
		printf 'data = "@%s"\nwrite-out = "%%{http_code}\\n"\n' "$D/body.json"
	done
} >"$D/curl.cfg"
with_id() {
	curl -s -H "Authorization: Bearer $TOKEN" "$URL/v1/jobs?limit=1000" |
		jq '[.jobs[] | select(.handle != null)] | length'
}
t2=$(date +%s.%N)
curl -s -K "$D/curl.cfg" >"$D/codes"
t3=$(date +%s.%N)
got=0
for _ in $(seq 3000); do # 150 s at most
	got=$(with_id)
	[ "$got" -ge "$N" ] && break
	sleep 0.05
done
t4=$(date +%s.%N)
acked=$(grep -c '^201$' "$D/codes")
[ "$got" -ge "$N" ] || { echo "slurm_serve: only $got of $N jobs reached Slurm"; tail -5 "$D/serve.log"; exit 1; }
in_slurm=$(squeue -h -t all -o %k | grep -c '^suanli:')
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v e="$t4" -v n="$N" -v f="$fails" -v k="$acked" \
	-v s="$in_slurm" 'BEGIN {
	sb = n / (b - a); su = n / (e - c)
	printf "sbatch loop:   %d jobs in %.2f s = %.0f submissions/s (%d failed)\n", n, b - a, sb, f
	printf "suanli serve:  %d POSTs acknowledged (201, committed) in %.2f s; all %d in Slurm with their id recorded after %.2f s = %.0f submissions/s (%d jobs with a suanli comment in Slurm)\n",
	       k, d - c, n, e - c, su, s
	printf "ratio suanli serve / sbatch: %.2f\n", su / sb
}'
