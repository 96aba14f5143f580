#!/bin/sh
# make demo: the built-in Xinjiang–Chongqing network, a generated one-week
# trace, and the baseline policies side by side.
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
echo "== suanli trace gen $SCN --days 7 --seed 1 --load 0.7 -o $OUT/week.csv"
"$S" trace gen "$SCN" --days 7 --seed 1 --load 0.7 -o "$OUT/week.csv"
echo
echo "== suanli simulate $SCN --trace $OUT/week.csv --policy nearest,round-robin,least-loaded,cheapest,greenest --out $OUT/results"
"$S" simulate "$SCN" --trace "$OUT/week.csv" \
	--policy nearest,round-robin,least-loaded,cheapest,greenest --out "$OUT/results"
