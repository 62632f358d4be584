#!/usr/bin/env bash
# Plugins must not bake in SQLite where PostgreSQL will stand (docs/store.md, "Portable SQL"):
# a new row's id comes back with RETURNING, not SQLite's last insert rowid, and none of the
# SQLite-only forms appears in their SQL or migrations.
set -euo pipefail
cd "$(dirname "$0")/../.."
status=0
if matches=$(grep -rnE '\.lastId\b' --include='*.cpp' --include='*.h' --include='*.hpp' plugins sdk/examples tests/fixtures); then
  echo "last_id is SQLite's; write INSERT ... RETURNING id:"; echo "$matches"; status=1
fi
if matches=$(grep -rniE "AUTOINCREMENT|INSERT OR REPLACE|INSERT OR IGNORE|datetime\('now'\)|\bifnull\(|last_insert_rowid" \
    --include='*.sql' --include='*.cpp' --include='*.h' plugins sdk/examples); then
  echo "SQLite-only SQL:"; echo "$matches"; status=1
fi
[ $status -eq 0 ] && echo "plugins' SQL is portable"
exit $status
