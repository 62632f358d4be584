#!/usr/bin/env bash
# A range-for over an element of a temporary dangles: in `for (x : request(...)["users"])` the
# temporary json dies before the loop body runs (C++20; fixed only in C++23). This bug reached
# this code base several times, so the build refuses the pattern: keep the temporary in a
# variable first.
set -euo pipefail
cd "$(dirname "$0")/../.."
pattern='for \([^;]*: [^;]*\)\[("|[a-z])'
if matches=$(grep -rnE "$pattern" --include='*.cpp' --include='*.h' --include='*.hpp' kernel plugins sdk tests); then
  echo "range-for over an element of a temporary (store the temporary in a variable first):"
  echo "$matches"
  exit 1
fi
echo "no range-for over a temporary's element"
