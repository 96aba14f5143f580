#!/bin/sh
# How far each policy is from what any deadline-keeping schedule could do:
# a linear-programming lower bound on the jobs' carbon (bench/bound_bench.c,
# COIN-OR CLP) for the quality workload of docs/policy-suanli.md (built-in
# scenario, 30-day trace, load 0.7), beside every policy's jobs' share from
# `suanli simulate` (noisy forecasts for suanli).
#
# Two windows: "deadline" (a job's work anywhere between its input's
# arrival and its deadline: valid for every policy) and "safe" (started by
# the latest start its time limit allows, deadline - est_s: the yardstick
# for a policy that only plans starts it can guarantee, as suanli does).
# Each is solved allowing suanli's own number of deadline misses, so the
# "deadline" bound holds for every policy with at most that many; the
# script fails if such a policy ever comes out below it (the bound would
# be wrong).
# Env: B (build dir, default build), SEED (trace seed, default 7),
# CARBON (average|marginal, default average).  Output in $B/bench/bound/.
set -e
B=${B:-build}
OUT=$B/bench/bound
SCN=scenarios/xinjiang-chongqing/scenario.yaml
SEED=${SEED:-7}
CARBON=${CARBON:-average}
LIBS="-lClpSolver -lClp -lCoinUtils -lyaml -ljansson -lsqlite3 -lmicrohttpd -lcurl -lsodium -lz -lm -lpthread"
mkdir -p "$OUT"
# CLP only for this benchmark: not part of the build or the tests.
scripts/deps.sh coinor-libclp-dev >/dev/null || exit 1
cc -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Isrc/lib -O2 -g -Wall -Wextra -Werror \
	-o "$OUT/bound_bench" bench/bound_bench.c "$B/libsuanli.a" $LIBS
T=$OUT/m30-$SEED.csv
"$B/suanli" trace gen "$SCN" --days 30 --seed "$SEED" --load 0.7 -o "$T" >/dev/null
"$B/suanli" simulate "$SCN" --trace "$T" --carbon "$CARBON" --json --out "$OUT/sim-$SEED" >"$OUT/sim-$SEED.json"
M=$(python3 -c "import json,sys; print([p for p in json.load(open(sys.argv[1]))['policies'] if p['policy']=='suanli'][0]['sla']['deadline_violations'])" "$OUT/sim-$SEED.json")
for w in deadline safe; do
	[ $w = safe ] && export BOUND_SAFE=1
	"$OUT/bound_bench" "$SCN" "$T" "$CARBON" "$M" >"$OUT/$w-$SEED.txt" ||
		{ cat "$OUT/$w-$SEED.txt"; echo "bound: the $w LP was not solved" >&2; exit 1; }
done
cat "$OUT/deadline-$SEED.txt" "$OUT/safe-$SEED.txt"
python3 - "$OUT/sim-$SEED.json" "$OUT/deadline-$SEED.txt" "$OUT/safe-$SEED.txt" "$SEED" "$CARBON" "$OUT/sim-$SEED/sites_hourly.csv" <<'PY'
import csv, json, sys, collections
sim, fd, fs, seed, carbon, hourly = sys.argv[1:]
gh = collections.Counter()
for r in csv.DictReader(open(hourly)):
    gh[(r["policy"], r["site"])] += float(r["busy_gpus"])
def kv(f):
    return dict(w.split("=", 1) for w in open(f).read().split()[1:])
bd, bs = kv(fd), kv(fs)
lbd, lbs, m = float(bd["jobs_t"]), float(bs["jobs_t"]), float(bd["misses"])
print(f"trace seed {seed}, {carbon} accounting; bounds allow {m:.0f} misses (suanli's)")
print(f"| schedule | jobs' carbon (t) | over the deadline bound | over the safe bound | deadline misses | GPU-hours at CTU / SIN (thousands) |")
print("|---|---:|---:|---:|---:|---:|")
where = lambda b: dict(x.split("=") for x in b["kgpu_h"].split(","))
for name, b, lb in (("LP bound, deadline windows", bd, lbd), ("LP bound, safe windows", bs, lbs)):
    w = where(b)
    print(f"| {name} | {lb:.1f} | | | {m:.0f} | {w['CTU']} / {w['SIN']} |")
bad = []
for p in json.load(open(sim))["policies"]:
    j, miss = p["carbon"]["jobs_t"], p["sla"]["deadline_violations"]
    g = lambda site: gh[(p["policy"], site)] / 1000
    print(f"| {p['policy']} | {j:.1f} | {100*(j/lbd-1):+.1f} % | {100*(j/lbs-1):+.1f} % | {miss} | {g('CTU'):.0f} / {g('SIN'):.0f} |")
    if miss <= m and j < lbd * (1 - 1e-6):
        bad.append(p["policy"])
if bad:
    sys.exit(f"bound: {', '.join(bad)} came out below the deadline bound with no more misses: the bound is wrong")
PY
