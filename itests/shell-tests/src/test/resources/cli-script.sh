#!/bin/sh
# What an integrator's script looks like: one-shot commands, and decisions on their exit statuses
# (0 success, 2 usage error, 3 invalid input, 4 run failed, 130 cancelled) and on their output.
# Usage: cli-script.sh <lethe-home>   (runs in that folder; forget.jsonl is there)
set -u
lethe="$1/bin/lethe"
cd "$1" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }

"$lethe" unlearn:run ascent --model tiny --forget forget.jsonl --set steps=lots 2>err.txt
status=$?
[ "$status" -eq 3 ] || fail "a setting of the wrong type exits 3, not $status"
grep -q "'steps'" err.txt || fail "the error names the setting: $(cat err.txt)"

out=$("$lethe" unlearn:run ascent --model tiny --forget forget.jsonl --set steps=4 --seed 11 --quiet) \
  || fail "the run exits $?: $out"
case "$out" in
  "committed tiny:"*) ;;
  *) fail "a quiet run prints only what it committed: $out" ;;
esac
model=$(printf '%s\n' "$out" | sed -n 's/^committed \([^ ]*\) .*/\1/p')
"$lethe" unlearn:model "$model" >model.txt || fail "unlearn:model $model exits $?"
grep -q "parent    tiny:1" model.txt || fail "$model descends from tiny:1: $(cat model.txt)"
"$lethe" unlearn:report last --format csv --out run.csv || fail "the report exits $?"
head -1 run.csv | grep -q '^run,kind,method,' || fail "run.csv starts with its header: $(head -1 run.csv)"
echo "OK $model"
