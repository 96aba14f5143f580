#!/bin/sh
# make bench: acknowledged, durable job submissions per second over HTTP
# keep-alive, p99 latency, and server memory per queued job (figures and how
# to read them: bench/README.md, "bench/serve_submit.sh").
# Env: B (build dir, default build), SERVE_BENCH_SECONDS (default 30),
# SERVE_BENCH_CONNECTIONS (default 32), SERVE_BENCH_SYNC (full or normal,
# default full), SERVE_BENCH_THREADS (server HTTP threads, default 2).
# Needs wrk (Debian package wrk, installed by scripts/deps.sh).
B=${B:-build}
S=${SUANLI:-$B/suanli}
OUT=$B/bench/serve
SECS=${SERVE_BENCH_SECONDS:-30}
CONNS=${SERVE_BENCH_CONNECTIONS:-32}
SYNC=${SERVE_BENCH_SYNC:-full}
THREADS=${SERVE_BENCH_THREADS:-2}
SCN=scenarios/xinjiang-chongqing/scenario.yaml
if ! command -v wrk >/dev/null 2>&1; then
	echo "serve_submit: wrk is not installed (apt-get install wrk); skipped"
	exit 0
fi
rm -rf "$OUT"
mkdir -p "$OUT"
PID=
# The server leaves running jobs running when it stops (a restart adopts
# them): end the benchmark's own job processes, found by their working
# directory under this run's data directory.
kill_jobs() {
	for d in /proc/[0-9]*; do
		case "$(readlink "$d/cwd" 2>/dev/null)" in
		"$(cd "$OUT" && pwd)"/data/jobs/*) kill "${d#/proc/}" 2>/dev/null;;
		esac
	done
}
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; kill_jobs' EXIT INT TERM

TOKEN=$("$S" token add --tenant bench --data "$OUT/data") || exit 1
# One real process per site (--local-slots 1): the jobs below sleep for an
# hour, so almost every submitted job stays queued, which is what the memory
# figure measures.  --max-queue is raised so the run never sees 429.
: >"$OUT/serve.log"
"$S" serve --scenario "$SCN" --data "$OUT/data" --listen 127.0.0.1:0 --local-slots 1 \
	--sync "$SYNC" --http-threads "$THREADS" --max-queue 5000000 2>"$OUT/serve.log" &
PID=$!
for _ in $(seq 100); do
	PORT=$(sed -n 's/.*event=listening addr=127.0.0.1:\([0-9]*\).*/\1/p' "$OUT/serve.log")
	[ -n "$PORT" ] && break
	sleep 0.1
done
if [ -z "$PORT" ]; then
	echo "serve_submit: the server did not start:"
	cat "$OUT/serve.log"
	exit 1
fi
URL=http://127.0.0.1:$PORT
for _ in $(seq 50); do curl -s "$URL/health" >/dev/null && break; sleep 0.1; done

cat >"$OUT/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '{"command": ["sleep", "3600"], "runtime_s": 7200, "cores": 1, "origin": "O_CQ"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
EOF

rss_kb() { sed -n "s/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$PID/status"; }
metric() { curl -s -H "Authorization: Bearer $TOKEN" "$URL/metrics" | sed -n "s/^$1 //p"; }
RSS0=$(rss_kb)
wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$OUT/post.lua" "$URL/v1/jobs" >"$OUT/wrk.txt" 2>&1
sleep 1
RSS1=$(rss_kb)
SUBS=$(metric suanli_submissions_total)
QUEUED=$(curl -s "$URL/health" | sed -n 's/.*"active_jobs":\([0-9]*\).*/\1/p')
COMMITS=$(metric suanli_store_commits_total)
DBMB=$(du -m "$OUT/data/suanli.db" | cut -f1)
WALMB=$(du -m "$OUT/data/suanli.db-wal" 2>/dev/null | cut -f1)
WRITES=$(metric suanli_store_writes_total)
kill "$PID"
wait "$PID"
PID=
P99=$(sed -n 's/^ *99% *\([0-9.]*[a-z]*\).*/\1/p' "$OUT/wrk.txt")
P50=$(sed -n 's/^ *50% *\([0-9.]*[a-z]*\).*/\1/p' "$OUT/wrk.txt")
NON2XX=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$OUT/wrk.txt")
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server: --sync $SYNC --http-threads $THREADS; wrk -t1 -c$CONNS -d${SECS}s keep-alive"
echo "acknowledged (201, committed): $SUBS in ${SECS} s = $(awk "BEGIN {printf \"%.0f\", $SUBS / $SECS}")/s"
echo "latency: p50 $P50, p99 $P99; non-2xx responses: ${NON2XX:-0}"
echo "store: $WRITES writes in $COMMITS commits ($(awk "BEGIN {printf \"%.1f\", $WRITES / ($COMMITS > 0 ? $COMMITS : 1)}") per commit); database $DBMB MB + WAL ${WALMB:-0} MB at the end of the run"
echo "server RSS: $RSS0 kB idle, $RSS1 kB with $QUEUED active jobs: $(awk "BEGIN {printf \"%.0f\", ($RSS1 - $RSS0) * 1024 / ($QUEUED > 0 ? $QUEUED : 1)}") bytes per queued job"
sed -n '/Requests\/sec/p' "$OUT/wrk.txt"
