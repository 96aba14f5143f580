#!/bin/sh
# `suanli scenario check|show` on good and bad files: output lines, located
# diagnostics, exit codes (0 valid, 1 invalid, 2 usage, 3 unreadable), CSV
# paths relative to the YAML file, --help.  TAP output; run from the repo
# root.  Binary: $SUANLI, else B= from make's command line, else build/.
set -u
BUILD=$(printf '%s\n' "${MAKEFLAGS:-}" | tr ' ' '\n' | sed -n 's/^B=//p' | tail -1)
S=${SUANLI:-${BUILD:-build}/suanli}
case $S in /*) ;; *) S=$(pwd)/$S ;; esac
G=tests/fixtures/scenario/good.yaml
T=$(mktemp -d /tmp/suanli-scenario-cli.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
n=0
result() { # result DESC STATUS [detail]
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1${3:+ ($3)}"; fi
}
# run CMD...: stdout in $T/out, stderr in $T/err, exit status in $rc
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; }
rc_is() { # rc_is WANT DESC
	[ "$rc" -eq "$1" ]; result "$2" $? "exit $rc, want $1"
}
has() { # has FILE TEXT DESC: FILE contains the fixed string TEXT
	grep -qF -- "$2" "$1"; result "$3" $? "\"$2\" not in $(head -c 300 "$1")"
}

# a valid file
run "$S" scenario check "$G"
rc_is 0 "check good.yaml exits 0"
has "$T/out" "$G: ok (3 sites, 3 zones, 2 origins, 3 tariffs, 1 interconnect, 2 data rules, 3 job classes, 48 steps of 1h)" "check prints the ok line with counts"

# CSV series are read relative to the YAML file, whatever the cwd
cp -r tests/fixtures/scenario "$T/copy"
run sh -c "cd / && '$S' scenario check '$T/copy/series.yaml'"
rc_is 0 "CSV paths resolve relative to the scenario file"
has "$T/out" "series.yaml: ok (1 site" "series.yaml ok line"

# one error, located
sed 's/^    pue: 1.2$/    pue: 0.9/' "$G" >"$T/bad.yaml"
run "$S" scenario check "$T/bad.yaml"
rc_is 1 "invalid file exits 1"
has "$T/out" "$T/bad.yaml:60:10: sites[0].pue: expected a number >= 1, got 0.9" "diagnostic names file:line:col, key path, expected and found"
has "$T/out" "$T/bad.yaml: invalid (1 error)" "summary line counts the errors"

# every error is printed, one per line, in file order
sed -e 's/^    pue: 1.2$/    pu: 1.2/' -e 's/^    zone: CQ$/    zone: CQQ/' \
    -e 's/^    cores: 4000$/    cores: lots/' -e 's/^  step: 1h$/  step: 7m/' "$G" >"$T/many.yaml"
run "$S" scenario check "$T/many.yaml"
rc_is 1 "file with several errors exits 1"
[ "$(grep -c "^$T/many.yaml:[0-9]*:[0-9]*: " "$T/out")" -eq 5 ]
result "all five errors are printed" $? "$(cat "$T/out")"
has "$T/out" "many.yaml:60:5: sites[0].pu: unknown key \"pu\" (did you mean \"pue\"?)" "unknown key with a did-you-mean hint"
has "$T/out" "many.yaml:51:5: sites[0]: missing required key \"pue\"" "missing key named at its mapping"
has "$T/out" "many.yaml:64:11: sites[1].zone: unknown zone \"CQQ\" (did you mean \"CQ\"?)" "unknown reference with a hint"
has "$T/out" "many.yaml:72:12: sites[2].cores: expected an integer >= 0, got \"lots\"" "wrong type names expected and found"
first=$(sed -n 1p "$T/out")
case $first in *":7:9: time.step:"*) s=0 ;; *) s=1 ;; esac
result "diagnostics are in file order" $s "$first"

# YAML syntax, empty file, unreadable
printf 'scenario: x\ntime: [1, 2\n' >"$T/syntax.yaml"
run "$S" scenario check "$T/syntax.yaml"
rc_is 1 "YAML syntax error exits 1"
has "$T/out" "syntax.yaml:3:1: time[2]: YAML syntax error" "YAML syntax error is located"
: >"$T/empty.yaml"
run "$S" scenario check "$T/empty.yaml"
rc_is 1 "empty file exits 1"
has "$T/out" "empty.yaml:1:1: the file is empty" "empty file is reported"
run "$S" scenario check "$T/missing.yaml"
rc_is 3 "unreadable file exits 3"
has "$T/err" "missing.yaml: cannot open: No such file or directory" "unreadable file names the file and the reason"
run "$S" scenario check "$G" "$T/bad.yaml"
rc_is 1 "good + invalid exits 1"
has "$T/out" "$G: ok" "the good file is still reported ok"
run "$S" scenario check "$T/bad.yaml" "$T/missing.yaml" "$G"
rc_is 3 "an unreadable file wins over an invalid one"

# show
run "$S" scenario show "$G"
rc_is 0 "show exits 0"
has "$T/out" "HAMI" "show lists the sites"
has "$T/out" "XJ_TOU" "show lists the tariffs"
run "$S" scenario show "$G" --json
rc_is 0 "show --json exits 0"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" 2>/dev/null
	result "show --json prints valid JSON" $?
fi
has "$T/out" "\"HAMI\"" "show --json names the sites"
run "$S" scenario show "$T/bad.yaml"
rc_is 1 "show of an invalid file exits 1"
has "$T/err" "bad.yaml:60:10: sites[0].pue:" "show prints the diagnostics on stderr"
[ ! -s "$T/out" ]; result "show of an invalid file prints nothing on stdout" $?
run "$S" scenario show "$T/missing.yaml"
rc_is 3 "show of an unreadable file exits 3"

# usage and help
run "$S" scenario
rc_is 2 "scenario without a sub-verb is a usage error"
run "$S" scenario frob
rc_is 2 "unknown sub-verb is a usage error"
has "$T/err" "frob" "unknown sub-verb names itself"
run "$S" scenario check
rc_is 2 "check without FILE is a usage error"
run "$S" scenario check --bogus "$G"
rc_is 2 "check with an unknown option is a usage error"
run "$S" scenario show "$G" "$G"
rc_is 2 "show with two files is a usage error"
run "$S" scenario show
rc_is 2 "show without FILE is a usage error"
for args in "--help" "check --help" "show --help"; do
	run "$S" scenario $args
	rc_is 0 "scenario $args exits 0"
	has "$T/out" "usage: suanli scenario" "scenario $args prints usage"
done

# the built-in scenario validates
X=scenarios/xinjiang-chongqing/scenario.yaml
if [ -f "$X" ]; then
	run "$S" scenario check "$X"
	rc_is 0 "the xinjiang-chongqing scenario validates"
fi
