#!/bin/sh
# The suanli policy against the baselines on the quality workload of
# docs/policy-suanli.md: the built-in scenario, a generated 30-day trace at
# 0.7 offered load (seed 7), noisy forecasts unless a row says otherwise;
# under average and marginal carbon accounting.  Prints one table per
# accounting mode: totals over the common window (site totals incl. idle
# power), the jobs' marginal share, cost (electricity + data transfer),
# SLA figures, and suanli's change against each baseline.
# Env: B (build dir, default build), SEED (the trace's seed, default 7).
# Output goes to $B/bench/quality/.
set -e
B=${B:-build}
OUT=$B/bench/quality
SCN=scenarios/xinjiang-chongqing/scenario.yaml
mkdir -p "$OUT"
SEED=${SEED:-7}
T=$OUT/m30-$SEED.csv
VARIANTS="hold_q=1 objective=carbon objective=cost forecast=persistence oracle=1"
"$B/suanli" trace gen "$SCN" --days 30 --seed "$SEED" --load 0.7 -o "$T" >/dev/null
for mode in average marginal; do
	"$B/suanli" simulate "$SCN" --trace "$T" --carbon $mode --json >"$OUT/all-$mode.json"
	for v in $VARIANTS; do
		"$B/suanli" simulate "$SCN" --trace "$T" --carbon $mode --policy suanli,round-robin \
			--policy-params "$v" --json >"$OUT/$v-$mode.json"
	done
	python3 - "$OUT" "$mode" "$SEED" $VARIANTS <<'PY'
import json, sys
out, mode, seed, variants = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def rows(path, label=None):
    d = json.load(open(path))
    for p in d["policies"]:
        if label and p["policy"] != "suanli":
            continue
        c, k, s = p["carbon"], p["cost"], p["sla"]
        yield (label or p["policy"], c["t"], c["jobs_t"], k["electricity_cny"] + k["transfer_cny"],
               s["deadline_violations"], s["deadline_jobs"], s["latency_violations"],
               p["residency_breaches"], p["wait_s"]["mean"] / 3600)
base = list(rows(f"{out}/all-{mode}.json"))
extra = [r for v in variants for r in rows(f"{out}/{v}-{mode}.json", "suanli " + v)]
print(f"trace seed {seed}, carbon accounting: {mode}")
print(f"| policy | carbon (t) | jobs' share (t) | cost (CNY) | deadline misses | latency viol. | residency | mean wait (h) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for r in base + extra:
    print(f"| {r[0]} | {r[1]:.1f} | {r[2]:.1f} | {r[3]:,.0f} | {r[4]} / {r[5]} ({100*r[4]/max(r[5],1):.2f} %) | {r[6]} | {r[7]} | {r[8]:.2f} |")
sq = [r for r in base if r[0] == "suanli"][0]
print()
print("| suanli vs | carbon | jobs' share of carbon | cost |")
print("|---|---:|---:|---:|")
for r in base:
    if r[0] != "suanli":
        print(f"| {r[0]} | {100*(sq[1]/r[1]-1):+.2f} % | {100*(sq[2]/r[2]-1):+.2f} % | {100*(sq[3]/r[3]-1):+.2f} % |")
print()
PY
done
# Where the low-carbon sites' GPU-hours go: within the trace's arrivals
# (first submission to last) and after the last one, when only queued
# work is left.  A policy that queues at the green sites past deadlines
# keeps running there after the arrivals stop.
"$B/suanli" simulate "$SCN" --trace "$T" --out "$OUT/sites-$SEED" >/dev/null
python3 - "$OUT/sites-$SEED" "$T" <<'PY'
import csv, sys, collections
out, trace = sys.argv[1], sys.argv[2]
sub = [int(r["submit"]) for r in csv.DictReader(l for l in open(trace) if not l.startswith("#"))]
last = max(sub)
rows = list(csv.DictReader(open(f"{out}/sites_hourly.csv")))
gpus = collections.defaultdict(float)
cap = {}
for r in rows:
    h = int(r["hour"])
    gpus[(r["policy"], r["site"], h <= last)] += float(r["busy_gpus"])
span_h = (last - min(sub)) / 3600
print("GPU-hours busy at each site while jobs arrive / after the last arrival (thousands)")
sites = sorted({r["site"] for r in rows})
print("| policy | " + " | ".join(sites) + " |")
print("|---|" + "---:|" * len(sites))
for p in dict.fromkeys(r["policy"] for r in rows):
    print(f"| {p} | " + " | ".join(f"{gpus[(p, s, True)]/1e3:.0f} / {gpus[(p, s, False)]/1e3:.0f}" for s in sites) + " |")
print()
PY
