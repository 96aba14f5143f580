#!/bin/sh
# make bench: reading and mapping the real workload logs shipped in
# data/traces/ (the Parallel Workloads Archive's SWF logs, gzip, and the
# Alibaba GPU trace v2023) onto the built-in scenario; the figure
# is HPC2N (202,871 jobs): read + map in under 0.5 s.  Figures and how to
# read them: bench/README.md.  Env: B (build dir, default build),
# TRACES_BENCH_REPEAT (runs per figure, default 5).  Output goes to $B/bench/.
set -e
B=${B:-build}
OUT=$B/bench
SCN=scenarios/xinjiang-chongqing/scenario.yaml
D=data/traces
LIBS="-lyaml -ljansson -lsqlite3 -lmicrohttpd -lcurl -lsodium -lz -lm -lpthread"
mkdir -p "$OUT"
cc -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Isrc/lib -O2 -g -Wall -Wextra -Werror \
	-o "$OUT/traces_bench" bench/traces_bench.c "$B/libsuanli.a" $LIBS

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
echo "-- library: sl_srclog_load + sl_trace_map (seed=7, scale=auto)"
"$OUT/traces_bench" "$SCN" seed=7,scale=auto "$D/HPC2N-2002-2.2-cln.swf.gz" "$D/CTC-SP2-1996-3.1-cln.swf.gz" \
	"$D/KTH-SP2-1996-2.1-cln.swf.gz" "$D/NASA-iPSC-1993-3.1-cln.swf.gz" "$D/openb_pod_list_default.csv"

echo "-- CLI end to end: suanli trace convert HPC2N (scenario load + read + map + write CSV), best of 3"
best=""
for i in 1 2 3; do
	t0=$(date +%s.%N)
	"$B/suanli" trace convert "$D/HPC2N-2002-2.2-cln.swf.gz" --scenario "$SCN" --seed 7 --scale auto \
		-o "$OUT/hpc2n.csv" >/dev/null
	t1=$(date +%s.%N)
	best=$(awk -v a="$t0" -v b="$t1" -v best="$best" 'BEGIN { d = b - a; print (best == "" || d < best) ? d : best }')
done
awk -v d="$best" 'BEGIN { printf "trace convert HPC2N CLI: %.3f s (%.2f M jobs/s)\n", d, 202871 / d / 1e6 }'
echo "-- CLI: suanli trace stats HPC2N --scenario (read + describe + map), best of 3"
best=""
for i in 1 2 3; do
	t0=$(date +%s.%N)
	"$B/suanli" trace stats "$D/HPC2N-2002-2.2-cln.swf.gz" --scenario "$SCN" --scale auto >/dev/null
	t1=$(date +%s.%N)
	best=$(awk -v a="$t0" -v b="$t1" -v best="$best" 'BEGIN { d = b - a; print (best == "" || d < best) ? d : best }')
done
awk -v d="$best" 'BEGIN { printf "trace stats HPC2N CLI: %.3f s\n", d }'
