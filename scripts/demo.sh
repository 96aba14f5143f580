#!/bin/sh
# make demo: the built-in Xinjiang–Chongqing network, a generated one-week
# trace, and every policy side by side.  The week starts 2025-06-16, after the
# Hami–Chongqing UHVDC came into service (2025-06-10) and in the season when
# Xinjiang curtails solar at midday, so both show in the accounting.
set -e
S=${SUANLI:-build/suanli}
SCN=scenarios/xinjiang-chongqing/scenario.yaml
OUT=build/demo
mkdir -p "$OUT"

echo "== suanli scenario check $SCN"
"$S" scenario check "$SCN"
echo
echo "== suanli scenario show $SCN"
"$S" scenario show "$SCN"
echo
START=2025-06-16T00:00:00+08:00
echo "== suanli trace gen $SCN --days 7 --seed 1 --load 0.7 --start $START -o $OUT/week.csv"
"$S" trace gen "$SCN" --days 7 --seed 1 --load 0.7 --start "$START" -o "$OUT/week.csv"
echo
P=nearest,round-robin,least-loaded,cheapest,greenest,suanli
echo "== suanli simulate $SCN --trace $OUT/week.csv --policy $P --out $OUT/results"
"$S" simulate "$SCN" --trace "$OUT/week.csv" --policy "$P" --out "$OUT/results"
