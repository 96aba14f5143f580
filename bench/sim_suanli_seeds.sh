#!/bin/sh
# The suanli policy against the baselines over many generated traces, not
# one: deadline misses are a handful of jobs per 30-day trace and move by
# several jobs when anything changes (a weight, a trace seed), so a
# verdict on one trace is mostly noise.  Each trace is the quality
# workload of docs/policy-suanli.md (the built-in scenario, 30 days from
# 1 January, 0.7 offered load, noisy forecasts) with another seed.
#
# Prints, over all traces together: each policy's deadline misses (and
# on how many traces it stays within 0.1 %), latency and residency
# violations, and suanli's change in carbon (totals over the common
# window) and cost against it (over the sum, and the least and most
# favourable trace).  With SWEEP, also one row per suanli parameter set;
# with FRONT=1 as well, each set runs beside the baselines and a second
# table gives its carbon against greenest and round-robin and its cost
# against nearest (the targets of docs/policy-suanli.md) in those runs.
#
# Env: B (build dir, default build), SEEDS (default 24 seeds), DAYS (30),
# LOAD (0.7), MODE (average | marginal), PARAMS (suanli's
# --policy-params in the main table), SWEEP (space-separated parameter
# sets, each run for suanli alone), PAR (parallel runs, default the
# number of CPUs).  Output goes to $B/bench/seeds/.
set -e
B=${B:-build}
OUT=$B/bench/seeds
SCN=scenarios/xinjiang-chongqing/scenario.yaml
SEEDS=${SEEDS:-"7 11 13 17 19 23 29 31 37 41 43 47 53 59 61 67 71 73 79 83 89 97 101 103"}
DAYS=${DAYS:-30}
LOAD=${LOAD:-0.7}
MODE=${MODE:-average}
PAR=${PAR:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
mkdir -p "$OUT"


for s in $SEEDS; do
	T=$OUT/m$DAYS-$LOAD-$s.csv
	[ -s "$T" ] || "$B/suanli" trace gen "$SCN" --days "$DAYS" --seed "$s" --load "$LOAD" -o "$T" >/dev/null
done

# One simulate per line of $1, PAR at a time; a failed run fails the script.
run_all() {
	xargs -P "$PAR" -I{} sh -c '{} || exit 255' <"$1"
}

: >"$OUT/jobs.txt"
for s in $SEEDS; do
	echo "\"$B/suanli\" simulate $SCN --trace $OUT/m$DAYS-$LOAD-$s.csv --carbon $MODE" \
		"${PARAMS:+--policy-params '$PARAMS'} --json >$OUT/all-$MODE-$s.json" >>"$OUT/jobs.txt"
done
# The sweep: suanli alone, with PARAMS (its reference row), then with each set.
if [ -n "$SWEEP" ]; then
	POL=suanli
	[ -z "$FRONT" ] || POL=suanli,nearest,greenest,round-robin
	n=0
	for p in "" $SWEEP; do
		pp=${PARAMS:+$PARAMS${p:+,}}$p
		for s in $SEEDS; do
			echo "\"$B/suanli\" simulate $SCN --trace $OUT/m$DAYS-$LOAD-$s.csv --carbon $MODE" \
				"--policy $POL ${pp:+--policy-params '$pp'} --json >$OUT/sweep$n-$MODE-$s.json" >>"$OUT/jobs.txt"
		done
		n=$((n + 1))
	done
fi
run_all "$OUT/jobs.txt"

python3 - "$OUT" "$MODE" "$DAYS" "$LOAD" "${PARAMS:-}" "$SEEDS" "${FRONT:-}" $SWEEP <<'PY'
import json, sys
out, mode, days, load, params, seeds, front, sweep = (sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4],
                                                       sys.argv[5], sys.argv[6].split(), sys.argv[7],
                                                       sys.argv[8:])

def fig(p):
    c, k, s = p["carbon"], p["cost"], p["sla"]
    return dict(carbon=c["t"], jobs=c["jobs_t"], cost=k["electricity_cny"] + k["transfer_cny"],
                miss=s["deadline_violations"], dl=s["deadline_jobs"], lat=s["latency_violations"],
                res=p["residency_breaches"], wait=p["wait_s"]["mean"] / 3600)

runs = {}
for s in seeds:
    for p in json.load(open(f"{out}/all-{mode}-{s}.json"))["policies"]:
        runs.setdefault(p["policy"], {})[s] = fig(p)
sq = runs["suanli"]
dl = sum(sq[s]["dl"] for s in seeds)
print(f"{len(seeds)} traces ({days} days, load {load}, seeds {seeds[0]}..{seeds[-1]}), "
      f"{dl:,} deadline jobs, carbon accounting: {mode}" + (f", suanli {params}" if params else ""))
print()
print("| policy | deadline misses | traces within 0.1 % | latency viol. | residency | mean wait (h) |"
      " suanli's carbon vs it: all / best / worst trace | suanli's cost vs it: all / worst trace |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for name, r in runs.items():
    miss = sum(r[s]["miss"] for s in seeds)
    ok = sum(1 for s in seeds if r[s]["miss"] <= 0.001 * r[s]["dl"])
    lat = sum(r[s]["lat"] for s in seeds)
    res = sum(r[s]["res"] for s in seeds)
    wait = sum(r[s]["wait"] for s in seeds) / len(seeds)
    if name == "suanli":
        vs = ks = ""
    else:
        dc = [100 * (sq[s]["carbon"] / r[s]["carbon"] - 1) for s in seeds]
        dk = [100 * (sq[s]["cost"] / r[s]["cost"] - 1) for s in seeds]
        call = 100 * (sum(sq[s]["carbon"] for s in seeds) / sum(r[s]["carbon"] for s in seeds) - 1)
        kall = 100 * (sum(sq[s]["cost"] for s in seeds) / sum(r[s]["cost"] for s in seeds) - 1)
        vs = f"{call:+.2f} % / {min(dc):+.2f} / {max(dc):+.2f}"
        ks = f"{kall:+.2f} % / {max(dk):+.2f}"
    print(f"| {name} | {miss:,} ({100 * miss / dl:.3f} %) | {ok} / {len(seeds)} | {lat} | {res} |"
          f" {wait:.2f} | {vs} | {ks} |")
print()

if sweep:
    print("suanli alone in each run, against its run with the parameters above; carbon is the jobs'"
          " share (what the parameters move; the totals add the same idle power)")
    print()
    print("| parameters | deadline misses | traces within 0.1 % | jobs' carbon | cost |")
    print("|---|---:|---:|---:|---:|")
    ref = None
    for i, label in enumerate(["(" + (params or "defaults") + ")"] + sweep):
        r = {s: fig(next(p for p in json.load(open(f"{out}/sweep{i}-{mode}-{s}.json"))["policies"]
                         if p["policy"] == "suanli")) for s in seeds}
        miss = sum(r[s]["miss"] for s in seeds)
        ok = sum(1 for s in seeds if r[s]["miss"] <= 0.001 * r[s]["dl"])
        c = sum(r[s]["jobs"] for s in seeds)
        k = sum(r[s]["cost"] for s in seeds)
        ref = ref or (c, k)
        print(f"| {label} | {miss:,} ({100 * miss / dl:.3f} %) | {ok} / {len(seeds)} |"
              f" {100 * (c / ref[0] - 1):+.2f} % | {100 * (k / ref[1] - 1):+.2f} % |")
    print()
if sweep and front:
    print("each set beside the baselines in the same runs (totals over the common window):"
          " suanli's carbon against greenest and round-robin, its cost against nearest, and"
          " on how many traces it is below each")
    print()
    print("| parameters | deadline misses | traces within 0.1 % | carbon vs greenest (below on) |"
          " vs round-robin (below on) | cost vs nearest (below on) |")
    print("|---|---:|---:|---:|---:|---:|")
    for i, label in enumerate(["(" + (params or "defaults") + ")"] + sweep):
        r = {}
        for s in seeds:
            for p in json.load(open(f"{out}/sweep{i}-{mode}-{s}.json"))["policies"]:
                r.setdefault(p["policy"], {})[s] = fig(p)
        q = r["suanli"]
        def vs(base, key):
            a = sum(q[s][key] for s in seeds)
            b = sum(r[base][s][key] for s in seeds)
            n = sum(1 for s in seeds if q[s][key] < r[base][s][key])
            return f"{100 * (a / b - 1):+.2f} % ({n} / {len(seeds)})"
        miss = sum(q[s]["miss"] for s in seeds)
        ok = sum(1 for s in seeds if q[s]["miss"] <= 0.001 * q[s]["dl"])
        print(f"| {label} | {miss:,} ({100 * miss / dl:.3f} %) | {ok} / {len(seeds)} | {vs('greenest', 'carbon')} |"
              f" {vs('round-robin', 'carbon')} | {vs('nearest', 'cost')} |")
    print()
PY
