#!/bin/sh
# suanli serve end to end: the real binary on a free loopback port with a
# temporary data directory; every endpoint through curl and the CLI, bad
# input of every kind, tenants, cancel, time limits, restart.  TAP output.
S=${SUANLI:-build/suanli}
SCEN=scenarios/xinjiang-chongqing/scenario.yaml
T=$(mktemp -d /tmp/suanli-serve-api.XXXXXX)
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

. tests/tap.sh
has() { # has DESC TEXT NEEDLE
	case "$2" in *"$3"*) ok "$1";; *) nok "$1" "'$3' not in: $(echo "$2" | head -c 300)";; esac
}
# A top-level field of a compact JSON object (first occurrence).
jget() { sed -n "s/^{.*\"$1\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p" | head -1 | tr -d '"'; }

start() { # start [extra serve args]: starts the server, sets PID and URL
	: >"$T/log"
	"$S" serve --scenario "$SCEN" --data "$T/data" --listen 127.0.0.1:0 --grace 1s "$@" \
		2>"$T/log" &
	PID=$!
	for _ in $(seq 100); do
		PORT=$(sed -n 's/.*event=listening addr=127.0.0.1:\([0-9]*\).*/\1/p' "$T/log")
		[ -n "$PORT" ] && break
		sleep 0.1
	done
	URL=http://127.0.0.1:$PORT
}
stop() { kill "$PID"; wait "$PID"; rc=$?; PID=; return $rc; }

# call METHOD PATH TOKEN [BODY]: prints "STATUS BODY"
call() {
	if [ -n "$4" ]; then
		curl -s -o "$T/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $3" \
			-H 'Content-Type: application/json' --data-binary "$4" "$URL$2" >"$T/code"
	else
		curl -s -o "$T/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $3" \
			"$URL$2" >"$T/code"
	fi
	echo "$(cat "$T/code") $(cat "$T/body")"
}
# wait_state TOKEN ID STATE: poll the job until it is in STATE (10 s)
wait_state() {
	for _ in $(seq 100); do
		st=$(call GET "/v1/jobs/$2" "$1" | cut -d' ' -f2- | jget state)
		[ "$st" = "$3" ] && return 0
		sleep 0.1
	done
	echo "# job $2 is '$st', not '$3'"
	return 1
}

# --- tokens ---
ALICE=$("$S" token add --tenant alice --data "$T/data")
BOB=$("$S" token add --tenant bob --data "$T/data")
ADMIN=$("$S" token add --tenant ops --admin --data "$T/data")
has "token add prints a slt_ token" "$ALICE" "slt_"
check "token add refuses a bad tenant name" sh -c "! '$S' token add --tenant 'a b' --data '$T/data'"
check "tokens are stored hashed, never in clear" sh -c "! grep -qa '${ALICE#slt_}' '$T/data/suanli.db'"

start --local-slots 1
check "server listens on a free port" test -n "$PORT"

# --- health and auth ---
r=$(curl -s "$URL/health")
has "GET /health needs no token" "$r" '"status":"ok"'
r=$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/jobs")
is "no token: 401" "$r" 401
r=$(curl -s -i -H 'Authorization: Bearer slt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' "$URL/v1/jobs")
has "unknown token: 401 with WWW-Authenticate" "$r" "WWW-Authenticate: Bearer"
r=$(call GET /v1/jobs "not-a-token")
has "malformed token: 401 unauthorized" "$r" '401 {"error":{"code":"unauthorized"'
r=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Basic $ALICE" "$URL/v1/jobs")
is "non-Bearer scheme: 401" "$r" 401

# --- bad bodies ---
r=$(call POST /v1/jobs "$ALICE" '{"command": ["true"], "runtime_s": 60')
has "malformed JSON: 400 malformed_json" "$r" '400 {"error":{"code":"malformed_json"'
r=$(call POST /v1/jobs "$ALICE" '[1, 2]')
has "non-object body: 400" "$r" '400 {"error":{"code":"malformed_json"'
r=$(call POST /v1/jobs "$ALICE" '{"command": ["true"], "runtime_s": 60, "cores": "four"}')
has "wrong type: 400 invalid_field naming cores" "$r" '"code":"invalid_field","field":"cores"'
r=$(call POST /v1/jobs "$ALICE" '{"command": "true", "runtime_s": 60}')
has "command as a string: 400 naming command" "$r" '"field":"command"'
r=$(call POST /v1/jobs "$ALICE" '{"runtime_s": 60}')
has "missing command: 400 missing_field" "$r" '"code":"missing_field","field":"command"'
r=$(call POST /v1/jobs "$ALICE" '{"command": ["true"]}')
has "missing runtime_s: 400 missing_field" "$r" '"code":"missing_field","field":"runtime_s"'
r=$(call POST /v1/jobs "$ALICE" '{"command": ["true"], "runtime_s": 60, "core": 4}')
has "unknown field: 400 unknown_field naming it" "$r" '"code":"unknown_field","field":"core"'
r=$(call POST /v1/jobs "$ALICE" '{"command": ["true"], "runtime_s": 60, "origin": "O_MARS"}')
has "unknown origin: 400 naming origin" "$r" '"field":"origin"'
r=$(call POST /v1/jobs "$ALICE" '{"command": ["true"], "runtime_s": 60, "cores": 100000000}')
has "more cores than any site: 400" "$r" '"field":"cores"'
head -c 70000 /dev/zero | tr '\0' 'x' >"$T/big"
r=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ALICE" \
	--data-binary @"$T/big" "$URL/v1/jobs")
is "body over the limit: 413" "$r" 413
r=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ALICE" \
	-H 'Transfer-Encoding: chunked' --data-binary @"$T/big" "$URL/v1/jobs")
is "chunked body over the limit: 413" "$r" 413
r=$(call POST /v1/jobs "$ALICE" '{"command": ["true"], "runtime_s": 60, "requeue": "yes"}')
has "requeue must be a boolean" "$r" '"field":"requeue"'

# --- submit, run, get ---
r=$(curl -s -i -H "Authorization: Bearer $ALICE" \
	-d '{"command": ["sh", "-c", "echo out-$SUANLI_JOB_ID"], "runtime_s": 60, "cores": 4, "name": "first"}' \
	"$URL/v1/jobs")
has "POST /v1/jobs: 201" "$r" "201"
has "POST /v1/jobs: Location header" "$r" "Location: /v1/jobs/"
J1=$(echo "$r" | tail -1 | jget id)
check "the job runs to done" wait_state "$ALICE" "$J1" done
r=$(call GET "/v1/jobs/$J1" "$ALICE")
has "GET /v1/jobs/ID: exit code 0" "$r" '"exit_code":0'
has "GET /v1/jobs/ID: a site" "$r" '"site":"'
has "GET /v1/jobs/ID: the decision receipt" "$r" '"receipt":{"policy":"greenest"'
has "GET /v1/jobs/ID: the history" "$r" '"event":"planned"'
has "GET /v1/jobs/ID: accounting fields" "$r" '"energy_kwh":'
is "the job's stdout is in its directory" "$(cat "$T/data/jobs/$J1/stdout")" "out-$J1"
r=$(call GET "/v1/jobs/$J1" "$BOB")
has "another tenant's job: 403" "$r" '403 {"error":{"code":"forbidden"'
r=$(call POST "/v1/jobs/$J1/cancel" "$BOB")
has "cancel another tenant's job: 403" "$r" "403 "
r=$(call GET "/v1/jobs/$J1" "$ADMIN")
has "an admin sees every tenant's job" "$r" '200 {"id":'
r=$(call GET /v1/jobs/999999 "$ALICE")
has "unknown job: 404" "$r" '404 {"error":{"code":"not_found"'
r=$(call GET /v1/jobs/abc "$ALICE")
has "non-numeric job id: 404" "$r" "404 "
r=$(call POST "/v1/jobs/$J1/cancel" "$ALICE")
has "cancel a finished job: 409" "$r" '409 {"error":{"code":"conflict"'

# exit codes, time limit, missing program
r=$(call POST /v1/jobs "$ALICE" '{"command": ["sh", "-c", "exit 3"], "runtime_s": 60}')
J2=$(echo "$r" | cut -d' ' -f2- | jget id)
check "a non-zero exit is failed" wait_state "$ALICE" "$J2" failed
has "... with its exit code" "$(call GET "/v1/jobs/$J2" "$ALICE")" '"exit_code":3'
r=$(call POST /v1/jobs "$ALICE" '{"command": ["sleep", "30"], "runtime_s": 1}')
J3=$(echo "$r" | cut -d' ' -f2- | jget id)
check "a job past its runtime_s is stopped: timeout" wait_state "$ALICE" "$J3" timeout
r=$(call POST /v1/jobs "$ALICE" '{"command": ["/no/such/program"], "runtime_s": 60}')
J4=$(echo "$r" | cut -d' ' -f2- | jget id)
check "a missing program fails" wait_state "$ALICE" "$J4" failed

# --- cancel: running, and waiting for a process slot ---
r=$(call POST /v1/jobs "$ALICE" '{"command": ["sleep", "30"], "runtime_s": 60}')
J5=$(echo "$r" | cut -d' ' -f2- | jget id)
wait_state "$ALICE" "$J5" running >/dev/null
r=$(call POST /v1/jobs "$ALICE" '{"command": ["sleep", "30"], "runtime_s": 60}')
J6=$(echo "$r" | cut -d' ' -f2- | jget id)
sleep 0.3
r=$(call GET "/v1/jobs/$J6" "$ALICE")
has "with --local-slots 1 the second job waits (planned)" "$r" '"state":"planned"'
r=$(call POST "/v1/jobs/$J6/cancel" "$ALICE")
has "cancel a waiting job: 200 cancelled" "$r" '200 {"id":'"$J6"',"state":"cancelled"'
r=$(call POST "/v1/jobs/$J5/cancel" "$ALICE" '{"force": 1}')
has "cancel with a body: 400" "$r" "400 "
r=$(call POST "/v1/jobs/$J5/cancel" "$ALICE")
has "cancel a running job: 202, cancel requested" "$r" '202 {"id":'"$J5"',"state":"running","cancel_requested":true}'
check "the running job ends cancelled" wait_state "$ALICE" "$J5" cancelled

# --- listing ---
r=$(call GET "/v1/jobs?limit=2" "$ALICE")
has "GET /v1/jobs: a page and a cursor" "$r" '"next":"c'
CUR=$(echo "$r" | sed -n 's/.*"next":"\([^"]*\)".*/\1/p')
FIRST=$(echo "$r" | grep -o '"id":[0-9]*' | tr '\n' ' ')
r2=$(call GET "/v1/jobs?limit=2&cursor=$CUR" "$ALICE")
SECOND=$(echo "$r2" | grep -o '"id":[0-9]*' | tr '\n' ' ')
check "the next page holds other, older jobs" test "$FIRST" != "$SECOND" -a -n "$SECOND"
ALL=$(call GET "/v1/jobs?limit=1000" "$ALICE" | grep -o '"id":[0-9]*' | wc -l)
is "alice lists her 6 jobs" "$ALL" 6
r=$(call GET "/v1/jobs?state=cancelled" "$ALICE")
is "state filter" "$(echo "$r" | grep -o '"state":"[a-z]*"' | sort -u)" '"state":"cancelled"'
r=$(call GET "/v1/jobs" "$BOB")
has "bob sees none of alice's jobs" "$r" '200 {"jobs":[],"next":null}'
r=$(call GET "/v1/jobs?tenant=alice" "$BOB")
has "a tenant cannot list another tenant: 403" "$r" "403 "
r=$(call GET "/v1/jobs?tenant=alice&limit=1000" "$ADMIN")
is "an admin lists a named tenant" "$(echo "$r" | grep -o '"id":[0-9]*' | wc -l)" 6
r=$(call GET "/v1/jobs?cursor=bogus" "$ALICE")
has "bad cursor: 400" "$r" '"field":"cursor"'
r=$(call GET "/v1/jobs?sort=id" "$ALICE")
has "unknown query parameter: 400" "$r" '"code":"unknown_field"'
r=$(call GET "/v1/jobs?limit=0" "$ALICE")
has "bad limit: 400" "$r" '"field":"limit"'

# --- sites, signals, metrics ---
r=$(call GET /v1/sites "$ALICE")
is "GET /v1/sites lists the 7 sites" "$(echo "$r" | grep -o '"facility_power_w"' | wc -l)" 7
r=$(call GET /v1/signals "$ALICE")
has "GET /v1/signals: zones and the scenario time" "$r" '"scenario_time":'
r=$(call PUT /v1/signals/CQ "$ALICE" '{"carbon_g_per_kwh": 42}')
has "PUT /v1/signals needs an admin: 403" "$r" "403 "
r=$(call PUT /v1/signals/NOWHERE "$ADMIN" '{"carbon_g_per_kwh": 42}')
has "PUT /v1/signals of an unknown zone: 404" "$r" "404 "
r=$(call PUT /v1/signals/CQ "$ADMIN" '{"carbon_g_per_kwh": "low"}')
has "PUT /v1/signals with a bad value: 400" "$r" '"field":"carbon_g_per_kwh"'
r=$(call PUT /v1/signals/CQ "$ADMIN" '{"carbon_g_per_kwh": 42, "ttl_s": 3600}')
has "PUT /v1/signals: 200" "$r" '200 {"zone":"CQ","carbon_g_per_kwh":42'
r=$(call GET /v1/signals "$ALICE")
has "the override shows in GET /v1/signals" "$r" '"zone":"CQ","carbon_g_per_kwh":42'
r=$(call GET /metrics "$ALICE")
has "GET /metrics: Prometheus text" "$r" "# TYPE suanli_jobs gauge"
has "GET /metrics: request latency histogram" "$r" 'suanli_http_request_duration_seconds_bucket{le="+Inf"}'
if command -v promtool >/dev/null 2>&1; then
	curl -s -H "Authorization: Bearer $ALICE" "$URL/metrics" >"$T/metrics"
	if promtool check metrics <"$T/metrics" >"$T/promtool" 2>&1; then
		ok "promtool check metrics accepts /metrics"
	else
		nok "promtool check metrics accepts /metrics" "$(head -5 "$T/promtool")"
	fi
else
	n=$((n + 1)); echo "ok $n # SKIP promtool not installed (Debian package prometheus)"
fi
r=$(curl -s -o /dev/null -w '%{http_code}' "$URL/metrics")
is "GET /metrics needs a token" "$r" 401
r=$(call DELETE /v1/jobs "$ALICE")
has "wrong method: 405" "$r" "405 "
r=$(call GET /v2/whatever "$ALICE")
has "unknown path: 404" "$r" "404 "

# --- the CLI client verbs ---
export SUANLI_URL="$URL" SUANLI_TOKEN="$ALICE"
JC=$("$S" submit --cores 2 --runtime 2m --deadline 1h --origin O_CQ --name cli -- sh -c 'echo from-cli')
check "suanli submit prints the new id" test "$JC" -gt 0
check "the CLI job runs to done" wait_state "$ALICE" "$JC" done
check "suanli status ID shows it" sh -c "'$S' status $JC | grep -q 'job $JC  done'"
check "suanli status --json" sh -c "'$S' status $JC --json | grep -q '\"state\": \"done\"'"
check "suanli jobs lists it" sh -c "'$S' jobs | grep -q ' $JC done'"
check "suanli jobs --all --json" sh -c "'$S' jobs --all --json --limit 2 | grep -c '\"id\"' | grep -qx 7"
check "suanli sites shows a table" sh -c "'$S' sites | grep -q '^CKG'"
check "suanli sites --json" sh -c "'$S' sites --json | grep -q '\"busy_cores\"'"
JS=$("$S" submit --runtime 1m -- sleep 30)
wait_state "$ALICE" "$JS" running >/dev/null
check "suanli cancel a running job" sh -c "'$S' cancel $JS | grep -q 'cancel requested'"
"$S" status 999999 >/dev/null 2>&1; is "suanli status of an unknown job exits 1" $? 1
"$S" submit -- true >/dev/null 2>&1; is "suanli submit without --runtime exits 2" $? 2
SUANLI_TOKEN= "$S" jobs >/dev/null 2>&1; is "suanli jobs without a token exits 1" $? 1
SUANLI_URL=http://127.0.0.1:1 "$S" jobs >/dev/null 2>&1; is "unreachable server exits 5" $? 5

# --- graceful stop and restart ---
stop; is "SIGTERM stops the server with status 0" $? 0
check "the log says it stopped" grep -q 'event=stopped' "$T/log"
check "logs are key=value lines" sh -c "grep -v '^ts=[0-9TZ:-]* level=[a-z]* event=' '$T/log' | wc -l | grep -qx 0"
start --local-slots 1
r=$(call GET "/v1/jobs?limit=1000" "$ALICE")
is "after a restart every job is still there" "$(echo "$r" | grep -o '"id":[0-9]*' | wc -l)" 8
has "after a restart the signal override is still applied" "$(call GET /v1/signals "$ALICE")" \
	'"zone":"CQ","carbon_g_per_kwh":42'
stop

# --- a full queue pushes back ---
start --max-queue 1
r=$(call POST /v1/jobs "$ALICE" '{"command": ["sleep", "30"], "runtime_s": 60}')
JQ=$(echo "$r" | cut -d' ' -f2- | jget id)
has "with --max-queue 1 the first job is accepted" "$r" "201 "
r=$(call POST /v1/jobs "$ALICE" '{"command": ["sleep", "30"], "runtime_s": 60}')
has "... and the second gets 429 queue_full" "$r" '429 {"error":{"code":"queue_full"'
call POST "/v1/jobs/$JQ/cancel" "$ALICE" >/dev/null
check "once the first has ended a new one is accepted" sh -c "sleep 0.5; curl -s -o /dev/null \
	-w '%{http_code}' -H 'Authorization: Bearer $ALICE' -d '{\"command\": [\"true\"], \"runtime_s\": 5}' \
	'$URL/v1/jobs' | grep -qx 201"
stop
