#!/bin/sh
# make bench: how fast the simulator replays the 1,000,000-job benchmark
# trace under the suanli planning policy (72 h maximum slack, hourly
# slots, 7 sites), in CPU time: the machine is shared, so user CPU
# seconds are reported beside the rate (docs/policy-suanli.md, "Speed").
# Env: B (build dir, default build), BENCH_JOBS (default 1000000),
# SIM_BENCH_REPEAT (runs, the fastest reported; default 3),
# SUANLI_PARAMS (policy parameters, default the policy's defaults).
# Output goes to $B/bench/.
set -e
B=${B:-build}
OUT=$B/bench
SCN=scenarios/xinjiang-chongqing/scenario.yaml
JOBS=${BENCH_JOBS:-1000000}
LIBS="-lyaml -ljansson -lsqlite3 -lmicrohttpd -lcurl -lsodium -lz -lm -lpthread"
mkdir -p "$OUT"
if ! nm "$B/libsuanli.a" 2>/dev/null | grep -q ' D sl_policy_suanli$\| R sl_policy_suanli$'; then
	echo "sim_suanli: the suanli policy is not in the library yet; skipped"
	exit 0
fi
cc -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Isrc/lib -O2 -g -Wall -Wextra -Werror \
	-o "$OUT/sim_suanli_bench" bench/sim_suanli_bench.c "$B/libsuanli.a" $LIBS

big=$OUT/trace-$JOBS.csv
[ -s "$big" ] || "$B/suanli" trace gen "$SCN" --jobs "$JOBS" --seed 1 --load 0.7 -o "$big" >/dev/null
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
echo "trace: $big ($(sed -n 's/^# \([0-9]* jobs\).*/\1/p' "$big"))"
line=$("$OUT/sim_suanli_bench" "$SCN" "$big" ${SUANLI_PARAMS:+"$SUANLI_PARAMS"})
echo "$line"
echo "$line" | tr ' ' '\n' | awk -F= '
	{ v[$1] = $2 }
	END { printf "suanli: %.0f jobs/s simulated per CPU second (%.2f s user + %.2f s system for %d jobs); trace read %.2f s CPU\n",
	             v["rate_cpu"], v["sim_user_s"], v["sim_sys_s"], v["jobs"], v["read_cpu_s"] }'
