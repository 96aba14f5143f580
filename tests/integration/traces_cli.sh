#!/bin/sh
# Real workload traces through the CLI: `suanli trace stats` on the shipped
# SWF and Alibaba logs (text and JSON), `suanli trace convert` (SWF ->
# native with the mapping in its comments, native -> native byte for byte,
# determinism), malformed lines located at file:line and --lenient, and a
# mapped replay of a real log through `suanli simulate --check` in which
# every job appears exactly once per policy; the generator draws no
# latency-class job for an origin without a site within the budget.
BUILD=$(printf '%s\n' "${MAKEFLAGS:-}" | tr ' ' '\n' | sed -n 's/^B=//p' | tail -1)
S=${SUANLI:-${BUILD:-build}/suanli}
SCN=scenarios/xinjiang-chongqing/scenario.yaml
D=data/traces
T=$(mktemp -d "${TMPDIR:-/tmp}/suanli-traces.XXXXXX")
trap 'rm -rf "$T"' EXIT
. tests/tap.sh
out_has() {
	if grep -q -- "$2" "$T/out"; then ok "$1"; else nok "$1"; sed 's/^/# /' "$T/out" | head -20; fi
}
rows() { grep -v '^#' "$1" | tail -n +2 | wc -l | tr -d ' '; }

rc_is 0 "trace stats --help" "$S" trace stats --help
out_has "stats --help lists the mapping options" "--window A..B"
rc_is 0 "trace convert --help" "$S" trace convert --help
rc_is 2 "stats without a file" "$S" trace stats
rc_is 2 "convert without -o" "$S" trace convert "$D/KTH-SP2-1996-2.1-cln.swf.gz"

# ---- stats on every shipped log
for f in NASA-iPSC-1993-3.1-cln:18239 KTH-SP2-1996-2.1-cln:28476 CTC-SP2-1996-3.1-cln:77222 HPC2N-2002-2.2-cln:202871; do
	name=${f%%:*}; jobs=${f##*:}
	rc_is 0 "stats $name" "$S" trace stats "$D/$name.swf.gz"
	out_has "$name has $jobs jobs" "^  jobs: $jobs "
done
out_has "HPC2N's estimates as in docs/trace-format.md" "median requested/run 2.11, mean run/requested 0.50, 9.0% reached"
out_has "HPC2N read in its own zone" "Europe/Stockholm, UTC+01:00, EU daylight saving"
rc_is 0 "stats HPC2N against the scenario, scale auto" "$S" trace stats "$D/HPC2N-2002-2.2-cln.swf.gz" --scenario "$SCN" --scale auto
out_has "offered utilisation of the scenario" 'offered utilisation of scenario "xinjiang-chongqing"'
rc_is 0 "stats --json" "$S" trace stats "$D/KTH-SP2-1996-2.1-cln.swf.gz" --json
if command -v python3 >/dev/null 2>&1; then
	check "--json is one valid JSON object with the job count" \
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["jobs"]==28476 and len(d["arrivals_by_hour"])==24 else 1)' "$T/out"
fi
rc_is 0 "stats on the Alibaba pod list" "$S" trace stats "$D/openb_pod_list_default.csv" --scenario "$SCN"
out_has "Alibaba QoS classes" "QoS: LS 4647, BE 3398, Burstable 100, Guaranteed 7"
out_has "Alibaba fractional GPUs, exact and rounded up" "3078 of them for a fraction of a GPU; 6086.8 GPUs exactly, 7433 whole GPUs"
out_has "Alibaba machine from the node list beside it" "6212 GPUs"
rc_is 3 "stats on a missing file" "$S" trace stats "$T/none.swf"
printf 'hello, world\n' >"$T/junk.txt"
rc_is 3 "stats on something that is no trace" "$S" trace stats "$T/junk.txt"
err_has "unknown format is said" "not a trace format suanli reads"

# ---- convert
rc_is 2 "convert a SWF log without a scenario" "$S" trace convert "$D/KTH-SP2-1996-2.1-cln.swf.gz" -o "$T/k.csv"
err_has "the missing scenario is named" "needs --scenario"
rc_is 0 "convert KTH onto the scenario" "$S" trace convert "$D/KTH-SP2-1996-2.1-cln.swf.gz" --scenario "$SCN" --map seed=7,scale=auto -o "$T/k.csv"
if [ "$(rows "$T/k.csv")" -eq 28476 ]; then ok "every KTH job converted"; else nok "KTH rows: $(rows "$T/k.csv")"; fi
check "the acknowledgement travels in the comments" grep -q "^# log Acknowledge: Lars Malinowsky" "$T/k.csv"
check "the mapping parameters are in the comments" grep -q "^# map: seed 7, origins=scenario, classes=size, status=keep, scale=auto" "$T/k.csv"
check "the PWA citation request is in the comments" grep -q "^# please cite: the Parallel Workloads Archive" "$T/k.csv"
"$S" trace convert "$D/KTH-SP2-1996-2.1-cln.swf.gz" --scenario "$SCN" --seed 7 --scale auto -o "$T/k2.csv" >/dev/null 2>&1
check "same options (as flags), same bytes" cmp -s "$T/k.csv" "$T/k2.csv"
"$S" trace convert "$D/KTH-SP2-1996-2.1-cln.swf.gz" --scenario "$SCN" --seed 8 --scale auto -o "$T/k3.csv" >/dev/null 2>&1
if cmp -s "$T/k.csv" "$T/k3.csv"; then nok "another seed, another mapping"; else ok "another seed, another mapping"; fi
check "submit never goes back" awk -F, '/^#/||/^job_id/{next} {if ($2 < p) exit 1; p = $2}' "$T/k.csv"
rc_is 0 "native -> native without a scenario" "$S" trace convert "$T/k.csv" -o "$T/k4.csv"
check "the native round trip is byte for byte" cmp -s "$T/k.csv" "$T/k4.csv"
rc_is 0 "native -> native against the scenario" "$S" trace convert "$T/k.csv" --scenario "$SCN" -o "$T/k5.csv"
check "... also byte for byte" cmp -s "$T/k.csv" "$T/k5.csv"
rc_is 0 "convert the Alibaba trace (status=ran, window, limit)" "$S" trace convert "$D/openb_pod_list_gpuspec33.csv" \
	--scenario "$SCN" --status ran --window 100d..150d --limit 2000 -o "$T/a.csv"
if [ "$(rows "$T/a.csv")" -eq 2000 ]; then ok "the limit holds"; else nok "Alibaba rows: $(rows "$T/a.csv")"; fi
rc_is 2 "a bad --map key" "$S" trace convert "$D/KTH-SP2-1996-2.1-cln.swf.gz" --scenario "$SCN" --map frob=1 -o "$T/x.csv"
err_has "the key is named" 'unknown key "frob"'
rc_is 1 "an origin the scenario lacks" "$S" trace convert "$D/KTH-SP2-1996-2.1-cln.swf.gz" --scenario "$SCN" --origins LHASA -o "$T/x.csv"
check "no partial file is left" test ! -e "$T/x.csv"

# ---- malformed lines: located, or skipped and reported with --lenient
{ printf '; UnixStartTime: 0\n; MaxProcs: 8\n'
  printf '1 0 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n'
  printf '2 5 0 ten 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n'
  printf '3 9 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1\n'
  printf '4 12 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n'; } >"$T/bad.swf"
rc_is 3 "stats stops at a malformed line" "$S" trace stats "$T/bad.swf"
err_has "... located at file:line with the field" 'bad.swf:4: field 4 (run time): expected a number, got "ten"'
rc_is 0 "stats --lenient reads the rest" "$S" trace stats "$T/bad.swf" --lenient
err_has "... and reports what it skipped" "2 malformed lines skipped (--lenient); they are:"
err_has "... the second one shown" "bad.swf:5: line has 16 fields"
out_has "... two jobs described" "^  jobs: 2 "
rc_is 3 "convert stops at it too" "$S" trace convert "$T/bad.swf" --scenario "$SCN" -o "$T/b.csv"
rc_is 0 "convert --lenient" "$S" trace convert "$T/bad.swf" --scenario "$SCN" --lenient -o "$T/b.csv"
err_has "convert reports the skipped lines" "2 malformed lines skipped"
rc_is 3 "simulate refuses a malformed SWF line" "$S" simulate "$SCN" --trace "$T/bad.swf" --policy greenest
err_has "... located" "bad.swf:4: field 4"
rc_is 0 "simulate --map lenient=yes replays the rest" "$S" simulate "$SCN" --trace "$T/bad.swf" --map lenient=yes --policy greenest
err_has "... and says what it skipped" "suanli simulate: 2 malformed lines skipped"

# ---- a mapped replay of a real log: invariants hold
rc_is 0 "simulate KTH mapped (3,000 jobs) with --check" "$S" simulate "$SCN" --trace "$D/KTH-SP2-1996-2.1-cln.swf.gz" \
	--map seed=7,scale=auto,limit=3000 --policy nearest,least-loaded,greenest --check --out "$T/sim"
out_has "the table counts 3,000 jobs" "3000 jobs"
check "each job exactly once per policy in jobs.csv" \
	awk -F, 'NR > 1 { k = $1 "," $2; if (seen[k]++) exit 1; per[$2]++ } END { for (p in per) if (per[p] != 3000) exit 1; if (length(per) != 3) exit 1 }' "$T/sim/jobs.csv"
check "no data-residency breach" grep -q '"residency_breaches": 0' "$T/sim/summary.json"
rc_is 0 "simulate all of HPC2N (202,871 jobs) mapped, --check" "$S" simulate "$SCN" --trace "$D/HPC2N-2002-2.2-cln.swf.gz" \
	--map seed=7,scale=auto --policy greenest --check --out "$T/h"
check "every HPC2N job exactly once, none rejected" \
	awk -F, 'NR > 1 { if (seen[$1]++ || $18 == "rejected") exit 1; n++ } END { exit n != 202871 }' "$T/h/jobs.csv"
rc_is 0 "simulate the Alibaba trace mapped, --check" "$S" simulate "$SCN" --trace "$D/openb_pod_list_default.csv" \
	--map seed=3,status=ran,window=140d..150d --policy greenest --check

# ---- generator: no latency-class job where no site is within the budget
rc_is 0 "gen a week" "$S" trace gen "$SCN" --days 7 --seed 1 -o "$T/w.csv"
check "no inference from Shanghai, Beijing or Hanoi (24-25 ms > 20 ms)" \
	awk -F, '/^#/||/^job_id/{next} $4 == "infer" && ($3 == "O_SH" || $3 == "O_BJ" || $3 == "O_HAN") { exit 1 }' "$T/w.csv"
check "... but inference from Chongqing" grep -q ',O_CQ,infer,' "$T/w.csv"
check "... and jobs of other classes from Shanghai" grep -q ',O_SH,train,' "$T/w.csv"
echo "1..$n"
