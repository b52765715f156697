#!/bin/sh
# Checks the chain of registro-de-cambios.jsonl with standard tools (sh, sha256sum, cut).
# Prints "OK <entries> <last hash>", or "ERROR <n>" for the first entry that does not follow
# the one before it.
file="${1:-registro-de-cambios.jsonl}"
prev=0000000000000000000000000000000000000000000000000000000000000000
n=0
while IFS= read -r line; do
  n=$((n + 1))
  case "$line" in
    *"\"prev\":\"$prev\""*) ;;
    *) echo "ERROR $n"; exit 1 ;;
  esac
  prev=$(printf '%s' "$line" | sha256sum | cut -d' ' -f1)
done < "$file"
echo "OK $n $prev"
