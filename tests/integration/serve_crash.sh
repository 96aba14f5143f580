#!/bin/sh
# Crash test: several clients submit concurrently, the server is killed with
# SIGKILL in the middle of the stream, restarted, and then every job it
# acknowledged (201) must be there exactly once, finish, and have run at
# most once (each job appends its id to a file when it runs).  The stream
# runs long enough for a WAL checkpoint before the kill.  TAP output.
S=${SUANLI:-build/suanli}
SCEN=scenarios/xinjiang-chongqing/scenario.yaml
T=$(mktemp -d /tmp/suanli-serve-crash.XXXXXX)
PID=
CLIENTS=4
PER_CLIENT=1000
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

. tests/tap.sh

start() { # start: start the server on a new port, wait for its n-th "listening" line
	starts=$((starts + 1))
	"$S" serve --scenario "$SCEN" --data "$T/data" --listen 127.0.0.1:0 \
		--local-slots 16 2>>"$T/log" >/dev/null &
	PID=$!
	for _ in $(seq 100); do
		[ "$(grep -c 'event=listening' "$T/log")" -ge $starts ] && break
		sleep 0.1
	done
	if [ "$(grep -c 'event=listening' "$T/log")" -lt $starts ]; then
		echo "# the server did not start; its log ends:"
		tail -n 15 "$T/log" | sed 's/^/#   /'
	fi
	PORT=$(sed -n 's/.*event=listening addr=127.0.0.1:\([0-9]*\).*/\1/p' "$T/log" | tail -1)
	URL=http://127.0.0.1:$PORT
}

# get PATH: an authenticated GET into $T/page; prints the HTTP status.
get() {
	curl -s -o "$T/page" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL$1"
}

# client C: submit up to PER_CLIENT jobs one after another, record the
# acknowledged ids, give up once the server is gone.
client() {
	: >"$T/acked.$1"
	i=0
	while [ $i -lt $PER_CLIENT ]; do
		i=$((i + 1))
		body='{"command": ["sh", "-c", "echo $SUANLI_JOB_ID >> '"$T"'/runs; sleep 0.05"], "runtime_s": 60}'
		r=$(curl -s -m 5 -w ' %{http_code}' -H "Authorization: Bearer $TOKEN" \
			-d "$body" "$URL/v1/jobs" 2>/dev/null) || break
		case "$r" in
		*" 201") echo "$r" | sed -n 's/^{"id":\([0-9]*\).*/\1/p' >>"$T/acked.$1";;
		esac
	done
}

TOKEN=$("$S" token add --tenant crash --admin --data "$T/data")
: >"$T/runs"
: >"$T/log"
starts=0
start
c=0
while [ $c -lt $CLIENTS ]; do
	c=$((c + 1))
	client $c &
done
sleep 3 # about 600 jobs: the WAL passes 1,000 pages and is checkpointed (suanli.db grows to ~1.2 MB)
kill -9 "$PID"
wait "$PID" 2>/dev/null
PID=
wait # the clients: the rest of their submissions fail
cat "$T"/acked.* | sort >"$T/acked"
ACKED=$(wc -l <"$T/acked")
if [ "$ACKED" -gt 0 ] && [ "$ACKED" -lt $((CLIENTS * PER_CLIENT)) ]; then
	ok "killed mid-stream: $ACKED of $((CLIENTS * PER_CLIENT)) submissions acknowledged"
else
	nok "killed mid-stream" "$ACKED acknowledged"
fi
is "no id was acknowledged twice" "$(uniq -d "$T/acked" | wc -l)" 0

start
# wait until nothing is active any more (60 s)
for _ in $(seq 600); do
	act=$(curl -s "$URL/health" | sed -n 's/.*"active_jobs":\([0-9]*\).*/\1/p')
	[ "$act" = 0 ] && break
	sleep 0.1
done
is "after the restart every job finishes" "$act" 0

# every job the store holds, through the API (all pages)
: >"$T/listed"
cur=
listing=ok
while :; do
	q="limit=1000"
	[ -n "$cur" ] && q="$q&cursor=$cur"
	code=$(get "/v1/jobs?$q")
	if [ "$code" != 200 ]; then
		listing="GET /v1/jobs?$q answered $code: $(head -c 300 "$T/page")"
		break
	fi
	grep -o '"id":[0-9]*,"tenant"' "$T/page" | sed 's/"id":\([0-9]*\).*/\1/' >>"$T/listed"
	cur=$(sed -n 's/.*"next":"\([^"]*\)".*/\1/p' "$T/page")
	[ -z "$cur" ] && break
done
is "the job listing answers" "$listing" ok
sort "$T/listed" -o "$T/listed"
is "no job is listed twice" "$(uniq -d "$T/listed" | wc -l)" 0
is "every acknowledged job is there" "$(comm -23 "$T/acked" "$T/listed" | wc -l)" 0
sort "$T/runs" >"$T/runs.sorted"
is "no job ran twice" "$(uniq -d "$T/runs.sorted" | wc -l)" 0
code=$(get "/v1/jobs?state=done&limit=1000")
grep -o '"id":[0-9]*,"tenant"' "$T/page" | sed 's/"id":\([0-9]*\).*/\1/' | sort >"$T/done"
is "the done jobs are listed" "$code" 200
is "every job reported done did run" "$(comm -23 "$T/done" "$T/runs.sorted" | wc -l)" 0
code=$(get /metrics)
ACTIVE=$(sed -n 's/^suanli_jobs{state="\(queued\|planned\|running\)"} \([0-9]*\)/\2/p' \
	"$T/page" | awk '{s += $1} END {print s + 0}')
is "metrics answer" "$code" 200
is "metrics agree: no active jobs" "$ACTIVE" 0
code=$(get "/v1/jobs?state=failed&limit=1000")
LOST=$(grep -o '"reason":"lost' "$T/page" | wc -l)
is "the failed jobs are listed" "$code" 200
echo "# acknowledged $ACKED, stored $(wc -l <"$T/listed"), ran $(wc -l <"$T/runs"), lost $LOST"
kill "$PID"
wait "$PID"
is "the restarted server stops cleanly" $? 0
PID=
if [ -n "$tap_failed" ]; then
	echo "# the server's log ends:"
	tail -n 20 "$T/log" | sed 's/^/#   /'
fi
