#!/bin/sh
# suanli trace gen on the built-in scenario: usage errors, determinism,
# --start, --jobs, stdout output, unreadable and unwritable paths; and the
# trace reader's located errors as `suanli simulate` shows them.
S=${SUANLI:-build/suanli}
SCN=scenarios/xinjiang-chongqing/scenario.yaml
T=$(mktemp -d "${TMPDIR:-/tmp}/suanli-trace.XXXXXX")
trap 'rm -rf "$T"' EXIT
. tests/tap.sh

rc_is 0 "trace --help" "$S" trace --help
rc_is 0 "trace gen --help" "$S" trace gen --help
check "gen --help shows usage and the options" grep -q -- "--load" "$T/out"
rc_is 2 "trace without a sub-verb" "$S" trace
rc_is 2 "an unknown sub-verb" "$S" trace frob x.csv
err_has "unknown sub-verb is named" 'unknown sub-verb "frob"'
rc_is 2 "gen without --seed" "$S" trace gen "$SCN" --days 1 -o "$T/a.csv"
err_has "missing --seed is named" "--seed S is required"
rc_is 2 "gen with --days and --jobs" "$S" trace gen "$SCN" --days 1 --jobs 5 --seed 1 -o "$T/a.csv"
rc_is 2 "gen --load 3 is out of range" "$S" trace gen "$SCN" --days 1 --seed 1 --load 3 -o "$T/a.csv"
rc_is 2 "gen --seed -1 is refused" "$S" trace gen "$SCN" --days 1 --seed -1 -o "$T/a.csv"
rc_is 2 "gen with an unknown option" "$S" trace gen "$SCN" --days 1 --seed 1 --frob -o "$T/a.csv"
rc_is 3 "gen on a missing scenario" "$S" trace gen "$T/none.yaml" --days 1 --seed 1 -o "$T/a.csv"
rc_is 2 "gen with a bad --start" "$S" trace gen "$SCN" --days 1 --seed 1 --start yesterday -o "$T/a.csv"

rc_is 0 "gen 3 days" "$S" trace gen "$SCN" --days 3 --seed 7 -o "$T/a.csv"
check "summary names the job count" grep -q "jobs" "$T/out"
check "the header row follows the comments" \
	sh -c "grep -v '^#' '$T/a.csv' | head -1 | grep -qx 'job_id,submit,origin,class,cores,gpus,est_s,run_s,deadline_s,latency_budget_ms,input_bytes,output_bytes,data_tag,tenant'"
check "the comment records the seed" grep -q "^# .*seed 7" "$T/a.csv"
rows=$(grep -vc '^#' "$T/a.csv")
if [ "$rows" -gt 50 ]; then ok "a few hundred jobs ($((rows - 1)))"; else nok "too few jobs ($rows rows)"; fi
check "ids are 1..N and submit never goes back" \
	awk -F, '/^#/||/^job_id/{next} {if ($1 != ++i || $2 < p) exit 1; p = $2}' "$T/a.csv"
rc_is 0 "gen again" "$S" trace gen "$SCN" --days 3 --seed 7 -o "$T/b.csv"
check "same seed, same bytes" cmp -s "$T/a.csv" "$T/b.csv"
rc_is 0 "gen another seed" "$S" trace gen "$SCN" --days 3 --seed 8 -o "$T/c.csv"
if cmp -s "$T/a.csv" "$T/c.csv"; then nok "another seed, another trace"; else ok "another seed, another trace"; fi
"$S" trace gen "$SCN" --days 3 --seed 7 -o - >"$T/d.csv" 2>/dev/null
check "-o - writes the same trace to stdout" cmp -s "$T/a.csv" "$T/d.csv"

rc_is 0 "gen with --start" "$S" trace gen "$SCN" --days 1 --seed 2 --start 2025-07-14T00:00:00+08:00 -o "$T/s.csv"
check "jobs start at --start, within one day" \
	awk -F, '/^#/||/^job_id/{next} {if ($2 < 1752422400 || $2 >= 1752422400 + 86400) exit 1}' "$T/s.csv"
rc_is 0 "gen --jobs 500" "$S" trace gen "$SCN" --jobs 500 --seed 3 -o "$T/j.csv"
check "exactly 500 jobs" sh -c "[ \$(grep -v '^#' '$T/j.csv' | tail -n +2 | wc -l) -eq 500 ]"
rc_is 4 "an unwritable output" "$S" trace gen "$SCN" --days 1 --seed 1 -o "$T/no/such/dir/x.csv"
check "no partial file is left" test ! -e "$T/no/such/dir/x.csv"
# The native reader behind `suanli simulate`: generated traces replay, bad
# rows are refused with file:line and the column.
rc_is 0 "simulate replays a generated trace" "$S" simulate "$SCN" --trace "$T/a.csv" --policy greenest
H=job_id,submit,origin,class,cores,gpus,est_s,run_s,deadline_s,latency_budget_ms,input_bytes,output_bytes,data_tag,tenant
bad() { # bad DESC ROW NEEDLE: a trace whose third line is ROW fails located
	printf '# hand-made\n%s\n%s\n' "$H" "$2" >"$T/bad.csv"
	rc_is 3 "simulate refuses $1" "$S" simulate "$SCN" --trace "$T/bad.csv" --policy greenest
	err_has "$1 is located at line 3, column named" "bad.csv:3: .*$3"
}
bad "a non-integer size" "1,1735660800,O_SG,batch,4x,0,600,60,0,0,0,0,,0" 'column "cores": expected an integer'
bad "an unknown origin" "1,1735660800,LHASA,batch,4,0,600,60,0,0,0,0,,0" 'column "origin": unknown origin "LHASA"'
bad "an impossible size" "1,1735660800,O_SG,batch,0,0,600,60,0,0,0,0,,0" '"cores" and "gpus" are both 0'
bad "a zero estimate" "1,1735660800,O_SG,batch,4,0,0,60,0,0,0,0,,0" 'column "est_s"'
bad "an unknown data tag" "1,1735660800,O_SG,batch,4,0,600,60,0,0,0,0,XX,0" 'column "data_tag"'
echo "1..$n"
