#!/usr/bin/env bash
# Registrations per second through POST /api/v1/projects/1/visits with 100,000 existing
# customers, and the front desk's phone look-up among 1,000,000 customers, on a real anchangd
# with the demo project. Usage: tests/bench/registration_bench.sh BUILD_DIR (scripts/bench);
# REGISTER_ONLY=1 skips the look-up part; BATCH_AGE_MS=0 turns group commit off (each transaction
# commits alone) for a same-binary comparison.
set -euo pipefail
source "$(dirname "$0")/demo_kernel.sh" "$1" registration \
  --set store.synchronous="${SYNCHRONOUS:-FULL}" --set store.batchAgeMs="${BATCH_AGE_MS:-10}"

# Customers straight into the store, the way a migration from the old system would load them.
add_customers() { # FROM TO ID_BASE (ids far above those registrations create)
  sqlite3 "$work/data/anchang.db" <<SQL
PRAGMA synchronous = OFF;
WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i < $2)
INSERT INTO core_customers (id, project_id, name, owner_id, source, first_visit_at, last_visit_at, visits, protection_until, created_at, updated_at)
SELECT $3 + i, 1, '老客户' || i, 4 + (i % 6), 'natural', 1700000000000, 1700000000000, 1, 1700000000000, 1700000000000, 1700000000000 FROM n;
WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i < $2)
INSERT INTO core_persons (project_id, customer_id, phone, name, relation, created_at)
SELECT 1, $3 + i, printf('185%08d', i), '老客户' || i, 'self', 1700000000000 FROM n;
SQL
}

echo "store.synchronous=${SYNCHRONOUS:-FULL}"
start; stop                      # schema and demo project
add_customers 0 99999 10000000
start
echo "customers: $(sqlite3 "$work/data/anchang.db" 'SELECT COUNT(*) FROM core_customers')"
for connections in 1 8; do
  echo -n "register, -c$connections: "
  ANCHANG_TOKEN=$(token receptionist) PHONE_OFFSET=$((connections * 1000000)) wrk -t1 -c$connections -d15s --latency \
    -s "$(dirname "$0")/register.lua" "http://127.0.0.1:$port" | summary
done
# One query, so visits the last requests of wrk committed after it stopped are counted once.
echo "visits registered: $(sqlite3 "$work/data/anchang.db" \
  'SELECT COUNT(*) || ", numbers " || MIN(number) || "-" || MAX(number) || ", gaps " || (MAX(number) - MIN(number) + 1 - COUNT(*)) FROM registration_visits')"

stop
# REGISTER_ONLY=1: the registration figures alone (comparing two builds run after run).
[ "${REGISTER_ONLY:-0}" = 1 ] && exit 0

add_customers 100000 999999 20000000
start
echo "customers: $(sqlite3 "$work/data/anchang.db" 'SELECT COUNT(*) FROM core_customers')"
for connections in 1 8; do
  echo -n "lookup, -c$connections: "
  ANCHANG_TOKEN=$(token receptionist) CUSTOMERS=1000000 wrk -t1 -c$connections -d15s --latency -s "$(dirname "$0")/lookup.lua" "http://127.0.0.1:$port" | summary
done
echo -n "SQLite alone, the same indexed look-up: "
python3 - "$work/data/anchang.db" <<'PY'
import random, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
random.seed(42)
phones = ["185%08d" % random.randrange(0, 2000000) for _ in range(20000)]
samples = []
for p in phones:
    t = time.perf_counter()
    db.execute("SELECT customer_id FROM core_persons WHERE project_id = 1 AND phone = ?", (p,)).fetchall()
    samples.append((time.perf_counter() - t) * 1e6)
samples.sort()
print("p50 %.1f us, p99 %.1f us (Python sqlite3, same file)" % (samples[len(samples) // 2], samples[int(len(samples) * 0.99)]))
PY
