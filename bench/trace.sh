#!/bin/sh
# make bench: trace generation, CSV writing and reading rates on the
# built-in scenario (figures and how to read them: bench/README.md).
# Env: B (build dir, default build), BENCH_JOBS (default 1000000),
# TRACE_BENCH_REPEAT (reads, default 5).  Output goes to $B/bench/.
set -e
B=${B:-build}
OUT=$B/bench
SCN=scenarios/xinjiang-chongqing/scenario.yaml
JOBS=${BENCH_JOBS:-1000000}
LIBS="-lyaml -ljansson -lsqlite3 -lmicrohttpd -lcurl -lsodium -lz -lm -lpthread"
mkdir -p "$OUT"
cc -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Isrc/lib -O2 -g -Wall -Wextra -Werror \
	-o "$OUT/trace_bench" bench/trace_bench.c "$B/libsuanli.a" $LIBS

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
echo "-- library: generate $JOBS jobs at load 0.7, write, read back"
"$OUT/trace_bench" "$SCN" "$JOBS" 0.7 "$OUT/trace-$JOBS.csv"

echo "-- CLI end to end: suanli trace gen --jobs $JOBS (scenario load + generate + write), best of 3"
best=""
for i in 1 2 3; do
	t0=$(date +%s.%N)
	"$B/suanli" trace gen "$SCN" --jobs "$JOBS" --seed 1 --load 0.7 -o "$OUT/trace-$JOBS-cli.csv" >/dev/null
	t1=$(date +%s.%N)
	best=$(awk -v a="$t0" -v b="$t1" -v best="$best" 'BEGIN { d = b - a; print (best == "" || d < best) ? d : best }')
done
awk -v d="$best" -v n="$JOBS" 'BEGIN { printf "trace gen CLI: %.3f s, %.2f M jobs/s\n", d, n / d / 1e6 }'
if cmp -s "$OUT/trace-$JOBS.csv" "$OUT/trace-$JOBS-cli.csv"; then
	echo "(the CLI wrote the same bytes as the library run)"
fi
rm -f "$OUT/trace-$JOBS-cli.csv"
