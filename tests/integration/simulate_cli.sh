#!/bin/sh
# `suanli simulate` end to end on the built-in scenario with a generated
# two-day trace: the table, the three output files and their formats,
# --json, determinism (two runs, identical bytes), --check, exit codes for
# bad command lines (2) and unreadable or bad inputs (3), --help.  TAP
# output; run from the repo root.  Binary: $SUANLI, else B= from make's
# command line, else build/.
set -u
BUILD=$(printf '%s\n' "${MAKEFLAGS:-}" | tr ' ' '\n' | sed -n 's/^B=//p' | tail -1)
S=${SUANLI:-${BUILD:-build}/suanli}
case $S in /*) ;; *) S=$(pwd)/$S ;; esac
SC=scenarios/xinjiang-chongqing/scenario.yaml
T=$(mktemp -d /tmp/suanli-simulate-cli.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
n=0
result() { # result DESC STATUS [detail]
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1${3:+ ($3)}"; fi
}
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; }
rc_is() { # rc_is WANT DESC
	[ "$rc" -eq "$1" ]; result "$2" $? "exit $rc, want $1; $(head -c 300 "$T/err")"
}
has() { # has FILE TEXT DESC
	grep -qF -- "$2" "$1"; result "$3" $? "\"$2\" not in $(head -c 300 "$1")"
}

"$S" trace gen "$SC" --days 2 --seed 11 -o "$T/trace.csv" >/dev/null 2>&1
result "trace gen makes a two-day trace" $?
njobs=$(grep -vc '^#' "$T/trace.csv")
njobs=$((njobs - 1))
# The generator draws no inference job where no site is within 20 ms; add
# one by hand (Shanghai: 24 ms at best) so every policy must reject a job.
last=$(tail -n 1 "$T/trace.csv" | cut -d, -f2)
echo "$((njobs + 1000)),$last,O_SH,infer,4,1,600,60,0,20,1000,1000,,0" >>"$T/trace.csv"
njobs=$((njobs + 1))

# --help documents every flag and every policy
run "$S" simulate --help
rc_is 0 "--help exits 0"
for w in --trace --policy --out --json --seed --check nearest round-robin least-loaded cheapest greenest suanli --objective --forecast --oracle --receipts "exit status"; do
	has "$T/out" "$w" "--help mentions $w"
done

# a full run with outputs
run "$S" simulate "$SC" --trace "$T/trace.csv" --out "$T/a"
rc_is 0 "simulate with all policies exits 0"
head -n 12 "$T/out" | grep -q "nearest *round-robin *least-loaded *cheapest *greenest *suanli"
result "the table has one column per policy, in registry order" $? "$(head -n 12 "$T/out")"
for w in "jobs completed" "jobs killed at estimate" "jobs rejected" "energy IT (MWh)" \
	"energy facility (MWh)" "carbon (t CO2)" "electricity cost (CNY)" "data moved (TB)" \
	"data transfer cost (CNY)" "wait p99" "bounded slowdown" "latency SLA violations" \
	"deadline SLA violations" "data-residency breaches" "utilisation cores / GPUs" \
	"green share of facility energy" "accounting: energy, carbon and cost are site totals incl. idle"; do
	has "$T/out" "$w" "the table shows \"$w\""
done
grep -q "^data-residency breaches *0 *0 *0 *0 *0 *0$" "$T/out"
result "no residency breach under any policy" $? "$(grep residency "$T/out")"
grep -q "^latency SLA violations *0 *0 *0 *0 *0 *0$" "$T/out"
result "no latency violation under any policy" $?

[ "$(head -n 1 "$T/a/jobs.csv")" = "job_id,policy,origin,site,class,submit,start,end,cores,gpus,wait_s,transfer_s,energy_kwh,carbon_g,cost_cny,transfer_cny,sla_ok,status,reason,stops" ]
result "jobs.csv has the documented header" $? "$(head -n 1 "$T/a/jobs.csv")"
[ "$(wc -l <"$T/a/jobs.csv")" -eq $((njobs * 6 + 1)) ]
result "jobs.csv has one row per job and policy" $? "$(wc -l <"$T/a/jobs.csv") lines for $njobs jobs"
grep -q ',rejected,latency,0$' "$T/a/jobs.csv" &&
	awk -F, '$18=="rejected" && ($4!="" || $7!="" || $19=="") {bad=1} END {exit bad}' "$T/a/jobs.csv"
result "rejected rows have an empty site and a reason" $?
awk -F, 'NR>1 && $18!="rejected" && ($7-$6!=$11 || $8<$7) {bad=1} END {exit bad}' "$T/a/jobs.csv"
result "wait_s = start - submit and end >= start on every placed row" $?
[ "$(head -n 1 "$T/a/sites_hourly.csv")" = "policy,site,hour,busy_cores,busy_gpus,it_kw,facility_kw,green_kw,grid_kw,carbon_g,cost_cny" ]
result "sites_hourly.csv has the documented header" $?
hours=$(awk -F, 'NR>1 && $1=="greenest" && $2=="YIW"' "$T/a/sites_hourly.csv" | wc -l)
[ "$(wc -l <"$T/a/sites_hourly.csv")" -eq $((hours * 7 * 6 + 1)) ] && [ "$hours" -ge 48 ]
result "sites_hourly.csv has a row per policy, site and hour of one common window" $? "$hours hours"
python3 - "$T/a/summary.json" "$njobs" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
assert [p["policy"] for p in s["policies"]] == ["nearest", "round-robin", "least-loaded", "cheapest", "greenest", "suanli"]
assert s["accounting"]["carbon"] == "average"
for p in s["policies"]:
    j = p["jobs"]
    assert j["completed"] + j["killed"] + j["rejected"] == n == s["jobs"], j
    assert p["residency_breaches"] == 0
    assert abs(p["energy"]["jobs_mwh"] + p["energy"]["idle_mwh"] - p["energy"]["facility_mwh"]) < 1e-6
    assert len(p["sites"]) == 7
EOF
result "summary.json parses and its totals are consistent" $?

# --json prints summary.json; the same inputs give the same bytes
run "$S" simulate "$SC" --trace "$T/trace.csv" --out "$T/b" --json
rc_is 0 "--json exits 0"
cmp -s "$T/out" "$T/b/summary.json"
result "--json prints summary.json" $?
# the planning policy's receipts: one JSON object per decision
python3 - "$T/a/decisions.jsonl" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows and all(r["policy"] == "suanli" for r in rows)
assert {r["decision"] for r in rows} <= {"place", "move", "reject"}
assert all("site" in r and "nearest" in r for r in rows if r["decision"] == "place")
EOF
result "decisions.jsonl holds suanli's receipts, one JSON object a line" $?
for f in jobs.csv sites_hourly.csv summary.json decisions.jsonl; do
	cmp -s "$T/a/$f" "$T/b/$f"
	result "two runs write identical $f" $?
done
# --receipts csv: the same decisions as rows of decisions.csv, no .jsonl
run "$S" simulate "$SC" --trace "$T/trace.csv" --policy suanli --out "$T/c" --receipts csv
rc_is 0 "--receipts csv exits 0"
[ -s "$T/c/decisions.csv" ] && [ ! -e "$T/c/decisions.jsonl" ]
result "--receipts csv writes decisions.csv instead of decisions.jsonl" $?
python3 - "$T/a/decisions.jsonl" "$T/c/decisions.csv" <<'EOF'
import csv, json, sys
js = [json.loads(l) for l in open(sys.argv[1])]
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
assert len(rows) == len(js), (len(rows), len(js))
for r, j in zip(rows, js):
    assert int(r["job_id"]) == j["job"] and r["decision"] == j["decision"], (r, j)
    if j["decision"] == "reject":
        assert r["reason"] == j["reason"] and r["why"] == j["why"]
        continue
    assert r["site"] == j["site"] and int(r["start"]) == j["start"], (r, j)
    assert abs(float(r["cost_cny"]) - j["predicted"]["cost_cny"]) < 1e-3
    if j["decision"] == "place":
        assert r["late"] == ("1" if j["late"] else "0")
        assert r["excluded"] == ";".join(e["site"] + ":" + e["reason"] for e in j["excluded"])
        for i, a in enumerate(j["alternatives"][:3]):
            assert r[f"alt{i + 1}_site"] == a["site"] and int(r[f"alt{i + 1}_start"]) == a["start"]
        assert r["nearest_site"] == (j["nearest"] or {}).get("site", "")
    else:
        assert int(r["moved_from"]) == j["moved_from"]
EOF
result "decisions.csv holds the same decisions as decisions.jsonl, field by field" $?
run "$S" simulate "$SC" --trace "$T/trace.csv" --policy suanli --out "$T/d" --receipts xml
rc_is 2 "--receipts xml exits 2"
has "$T/err" 'expected jsonl or csv, got "xml"' "the bad --receipts value is named"

# a subset of policies, in the given order, with --check
run "$S" simulate "$SC" --trace "$T/trace.csv" --policy greenest,nearest --check
rc_is 0 "--policy greenest,nearest --check exits 0"
head -n 12 "$T/out" | grep -q "greenest *nearest$"
result "columns follow the --policy order" $?

# bad command lines: exit 2
run "$S" simulate "$SC"
rc_is 2 "missing --trace exits 2"
has "$T/err" "--trace FILE is required" "missing --trace is named"
run "$S" simulate "$SC" --trace "$T/trace.csv" --policy greenest,bogus
rc_is 2 "unknown policy exits 2"
has "$T/err" 'unknown policy "bogus"' "the unknown policy is named"
run "$S" simulate "$SC" --trace "$T/trace.csv" --policy greenest,greenest
rc_is 2 "a policy given twice exits 2"
run "$S" simulate "$SC" --trace "$T/trace.csv" --seed -1
rc_is 2 "a negative seed exits 2"
run "$S" simulate "$SC" --trace "$T/trace.csv" --frobnicate
rc_is 2 "unknown option exits 2"

# unreadable or bad inputs: exit 3
run "$S" simulate "$T/nope.yaml" --trace "$T/trace.csv"
rc_is 3 "unreadable scenario exits 3"
run "$S" simulate "$SC" --trace "$T/nope.csv"
rc_is 3 "unreadable trace exits 3"
awk 'BEGIN{FS=OFS=","} /^#/ || /^job_id/ {print; next} {if (++k == 3) $3 = "O_MARS"; print}' "$T/trace.csv" >"$T/bad.csv"
run "$S" simulate "$SC" --trace "$T/bad.csv"
rc_is 3 "a trace row with an unknown origin exits 3"
has "$T/err" "bad.csv:" "the error names the trace file and line"
has "$T/err" "O_MARS" "the error names the bad value"

# an output directory that cannot be created
run "$S" simulate "$SC" --trace "$T/trace.csv" --out /proc/suanli-no
rc_is 4 "an uncreatable --out directory exits 4"

echo "1..$n"
