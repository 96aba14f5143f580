#!/bin/sh
# make bench: simulator replay rate per policy and memory per job on the
# built-in scenario (figures and how to read them: bench/README.md).
# Env: B (build dir, default build), BENCH_JOBS (default 1000000),
# BENCH_POLICIES (default the five baselines), SIM_BENCH_REPEAT (runs per
# policy, the fastest reported; default 3).  Output goes to $B/bench/.
set -e
B=${B:-build}
OUT=$B/bench
SCN=scenarios/xinjiang-chongqing/scenario.yaml
JOBS=${BENCH_JOBS:-1000000}
TINY=1000
POLICIES=${BENCH_POLICIES:-nearest round-robin least-loaded cheapest greenest}
LIBS="-lyaml -ljansson -lsqlite3 -lmicrohttpd -lcurl -lsodium -lz -lm -lpthread"
mkdir -p "$OUT"
if ! nm "$B/libsuanli.a" 2>/dev/null | grep -q ' T sl_simulate$'; then
	echo "sim: the simulator library (sl_simulate) is not built yet; skipped"
	exit 0
fi
DEF=""
if nm "$B/libsuanli.a" 2>/dev/null | grep -q ' T sl_report_sim_jobs$'; then DEF=-DHAVE_JOBS_CSV; fi
cc -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Isrc/lib $DEF -O2 -g -Wall -Wextra -Werror \
	-o "$OUT/sim_bench" bench/sim_bench.c "$B/libsuanli.a" $LIBS

big=$OUT/trace-$JOBS.csv
tiny=$OUT/trace-$TINY.csv
[ -s "$big" ] || "$B/suanli" trace gen "$SCN" --jobs "$JOBS" --seed 1 --load 0.7 -o "$big" >/dev/null
"$B/suanli" trace gen "$SCN" --jobs "$TINY" --seed 1 --load 0.7 -o "$tiny" >/dev/null
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
echo "trace: $big ($(sed -n 's/^# \([0-9]* jobs\).*/\1/p' "$big"), $(sed -n 's/.*\(days [0-9.]*\).*/\1/p' "$big" | head -1))"
[ -n "$DEF" ] || echo "(jobs.csv writer not in the library yet: the with-jobs.csv rate is skipped)"
kv() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
for p in $POLICIES; do
	small=$(SIM_BENCH_REPEAT=1 "$OUT/sim_bench" "$SCN" "$tiny" "$p") || { echo "$p: failed on the tiny trace"; continue; }
	if [ -n "$DEF" ]; then
		line=$("$OUT/sim_bench" "$SCN" "$big" "$p" "$OUT/jobs-$p.csv") || { echo "$p: failed"; continue; }
		rm -f "$OUT/jobs-$p.csv"
	else
		line=$("$OUT/sim_bench" "$SCN" "$big" "$p") || { echo "$p: failed"; continue; }
	fi
	echo "$line"
	awk -v p="$p" -v nb="$(kv "$line" jobs)" -v rb="$(kv "$line" peak_rss_kb)" \
	    -v ns="$(kv "$small" jobs)" -v rs="$(kv "$small" peak_rss_kb)" -v sig="$(kv "$line" rss_signals_kb)" \
	    'BEGIN { printf "%s: peak RSS %.0f MB (signals and scenario %.0f MB); %.0f bytes per job on top of a %d-job run\n",
	             p, rb / 1024, sig / 1024, (rb - rs) * 1024 / (nb - ns), ns }'
done
