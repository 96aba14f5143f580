#!/bin/sh
# make bench: dispatch throughput to one real Slurm 22.05 cluster — plain
# `sbatch` in a loop against suanli's `slurm` executor (submit → slurmrestd
# over TCP+JWT → Slurm job id back as a SUBMITTED event), on the same
# cluster, same host.  Prints both rates and their ratio; asserts nothing.
# Needs root (the cluster's daemons run as root); skipped otherwise.
# Env: B (build dir, default build), SLURM_BENCH_JOBS (default 200),
# SLURM_BENCH_WAIT_END=1 also times until every suanli job has ended.
# The executor's driver is compiled from the C text below against
# $B/libsuanli.a; everything is written under $B/bench/slurm/.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
B=${B:-build}
N=${SLURM_BENCH_JOBS:-200}
OUT=$B/bench/slurm
SC=scripts/slurm-cluster.sh
LIBS="-lyaml -ljansson -lsqlite3 -lmicrohttpd -lcurl -lsodium -lz -lm -lpthread"
if [ "$(id -u)" != 0 ]; then echo "slurm_dispatch: needs root for the Slurm daemons; skipped"; exit 0; fi
if ! nm "$B/libsuanli.a" 2>/dev/null | grep -q ' D sl_exec_slurm$\| R sl_exec_slurm$'; then
	echo "slurm_dispatch: the slurm executor is not in $B/libsuanli.a; skipped"; exit 0
fi
rm -rf "$OUT"; mkdir -p "$OUT"
D=$(mktemp -d /tmp/suanli-bench.XXXXXX) || exit 1
chmod 755 "$D"
trap '"$SC" down "$D/c" >/dev/null 2>&1; rm -rf "$D"' EXIT
trap 'exit 1' INT TERM

cat >"$OUT/slurm_dispatch.c" <<'EOF'
/* slurm_dispatch URL TOKEN_FILE PARTITION JOBS_DIR N WAIT_END: submit N
 * `true` jobs through the slurm executor; print when Slurm had accepted all
 * of them (every SUBMITTED event seen) and, with WAIT_END, when all ended. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "serve/exec.h"
#include "serve/exec_slurm.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run the executor's loop until the counters reach want (or 600 s pass). */
static int pump(sl_exec *ex, int *submitted, int *ended, int want_sub, int want_end)
{
	double give_up = now_s() + 600;
	while ((*submitted < want_sub || *ended < want_end) && now_s() < give_up) {
		sl_exec_event ev[64];
		sl_err e = {0};
		int n = sl_exec_poll(ex, ev, 64, &e);
		if (n < 0)
			return fprintf(stderr, "poll: %s\n", e.msg), -1;
		for (int i = 0; i < n; i++) {
			*submitted += ev[i].state == SL_EXEC_SUBMITTED;
			*ended += sl_exec_state_terminal(ev[i].state);
			if (ev[i].state == SL_EXEC_FAILED)
				fprintf(stderr, "job %lld failed: %s\n", (long long)ev[i].job_id, ev[i].msg);
		}
		int64_t t = sl_exec_timeout_ms(ex);
		struct pollfd p = {sl_exec_fd(ex), POLLIN, 0};
		poll(&p, 1, t < 0 || t > 100 ? 100 : (int)t);
	}
	return *submitted >= want_sub && *ended >= want_end ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc != 7)
		return fprintf(stderr, "usage: slurm_dispatch URL TOKEN PART DIR N WAIT_END\n"), 2;
	char o[4][512], tag[32];
	snprintf(o[0], sizeof o[0], "url=%s", argv[1]);
	snprintf(o[1], sizeof o[1], "token_file=%s", argv[2]);
	snprintf(o[2], sizeof o[2], "partition=%s", argv[3]);
	snprintf(tag, sizeof tag, "tag=bench%d", (int)getpid());
	const char *opts[] = {o[0], o[1], o[2], tag, "cluster=bench", "poll_ms=100", NULL};
	sl_clock clk = sl_clock_system();
	sl_exec_config cfg = {.clock = &clk, .jobs_dir = argv[4], .options = opts};
	sl_exec ex;
	sl_err e = {0};
	if (sl_exec_start(&ex, &sl_exec_slurm, &cfg, &e))
		return fprintf(stderr, "start: %s\n", e.msg), 1;
	int n = (int)strtol(argv[5], NULL, 10), wait_end = (int)strtol(argv[6], NULL, 10);
	int sub = 0, end = 0;
	const char *cmd[] = {"true", NULL};
	double t0 = now_s();
	for (int i = 1; i <= n; i++) {
		sl_exec_spec s = {.job_id = i, .argv = cmd, .cores = 1, .stdout_path = "/dev/null",
		                  .stderr_path = "/dev/null"};
		if (sl_exec_submit(&ex, &s, &e))
			return fprintf(stderr, "submit: %s\n", e.msg), 1;
	}
	double t_call = now_s();
	if (pump(&ex, &sub, &end, n, 0))
		return fprintf(stderr, "only %d of %d accepted\n", sub, n), 1;
	double t1 = now_s();
	printf("suanli_calls_s=%.4f suanli_accepted_s=%.3f", t_call - t0, t1 - t0);
	if (wait_end) {
		if (pump(&ex, &sub, &end, n, n))
			return fprintf(stderr, "only %d of %d ended\n", end, n), 1;
		printf(" suanli_ended_s=%.3f", now_s() - t0);
	}
	printf("\n");
	sl_exec_stop(&ex);
	return 0;
}
EOF
# shellcheck disable=SC2086
cc -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Isrc/lib -O2 -g -Wall -Wextra -Werror \
	-o "$OUT/slurm_dispatch" "$OUT/slurm_dispatch.c" "$B/libsuanli.a" $LIBS || exit 1

# one cluster with room to run the jobs (8 advertised CPUs on this host)
for base in 6700 6720 6740 6760 6780; do
	SLURM_CLUSTER_CPUS=8 "$SC" up bench "$base" "$D/c" >"$D/env" 2>"$D/up.log"
	rc=$?
	[ $rc = 3 ] && continue
	break
done
[ "${rc:-1}" = 0 ] || { echo "slurm_dispatch: cluster did not start:"; cat "$D/up.log"; exit 1; }
. "$D/env"
export SLURM_CONF
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); $(sinfo -V)"
echo "cluster: 1 node, 8 CPUs advertised, slurmrestd at $SLURM_REST_URL (JWT); $N jobs per run"

# warm up: the first scheduler pass and the first connections are not the subject
sbatch --parsable -o /dev/null --wrap true >/dev/null

t0=$(date +%s.%N)
fails=0
for _ in $(seq "$N"); do sbatch --parsable -o /dev/null --wrap true >/dev/null 2>&1 || fails=$((fails + 1)); done
t1=$(date +%s.%N)
scancel --full $(squeue -h -o %i) 2>/dev/null
sleep 1
mkdir -p "$D/jobs"
line=$("$OUT/slurm_dispatch" "$SLURM_REST_URL" "$SLURM_REST_TOKEN_FILE" "$SLURM_PARTITION" \
	"$D/jobs" "$N" "${SLURM_BENCH_WAIT_END:-0}") || { echo "slurm_dispatch: the executor run failed"; exit 1; }
awk -v a="$t0" -v b="$t1" -v n="$N" -v f="$fails" -v line="$line" 'BEGIN {
	split(line, kv, " "); for (i in kv) { split(kv[i], p, "="); v[p[1]] = p[2] }
	sb = n / (b - a); su = n / v["suanli_accepted_s"]
	printf "sbatch loop:     %d jobs in %.2f s = %.0f submissions/s (%d failed)\n", n, b - a, sb, f
	printf "suanli executor: %d jobs accepted by Slurm in %.2f s = %.0f submissions/s (submit calls took %.1f ms in all)\n",
	       n, v["suanli_accepted_s"], su, v["suanli_calls_s"] * 1000
	if ("suanli_ended_s" in v) printf "suanli executor: all %d jobs ended after %.1f s\n", n, v["suanli_ended_s"]
	printf "ratio suanli/sbatch: %.2f\n", su / sb
}'
