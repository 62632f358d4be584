#!/usr/bin/env bash
# Registrations per second through POST /api/v1/projects/1/visits with 100,000 existing
# customers, and the front desk's phone look-up among 1,000,000 customers, on a real anchangd
# with the demo project. Usage: tests/bench/registration_bench.sh BUILD_DIR (scripts/bench);
# REGISTER_ONLY=1 skips the look-up part; BATCH_AGE_MS=0 turns group commit off (each transaction
# commits alone) for a same-binary comparison.
set -euo pipefail
build="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
pid=""
stop() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; pid=""; }
trap 'stop; rm -rf "$work"' EXIT
echo "# bench" > "$work/bench.properties"
"$build/bin/anchang-licence" keygen "$work/vendor" > /dev/null
"$build/bin/anchang-licence" issue --key "$work/vendor/vendor.key" --customer bench --modules registration --projects 3 \
  --expires 2099-12-31 --out "$work/vendor/licence.json"

start() {
  rm -f "$work/data/run/anchangd.json"
  "$build/bin/anchangd" --config "$work/bench.properties" --data-dir "$work/data" --plugins-dir "$build/plugins" --port 0 \
    --set bus.external=false --set licence.file="$work/vendor/licence.json" --set licence.publicKey="$work/vendor/vendor.pub" \
    --set demo.seed="$root/config/demo/kernel.json" --set plugins.core.demo_seed="$root/config/demo/core.json" \
    --set store.synchronous="${SYNCHRONOUS:-FULL}" --set store.batchAgeMs="${BATCH_AGE_MS:-10}" \
    > "$work/anchangd.log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do [ -f "$work/data/run/anchangd.json" ] && break; sleep 0.1; done
  port=$(python3 -c "import json;print(json.load(open('$work/data/run/anchangd.json'))['http_port'])")
}

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

token() {
  curl -s -X POST "localhost:$port/api/v1/auth/login" -d '{"username":"receptionist","password":"demo1234"}' |
    python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])'
}

summary() { awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +90%/ {p90=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
                 END {printf "%s requests/s, latency p50 %s p90 %s p99 %s%s\n", rps, p50, p90, p99, bad ? ", non-2xx " bad : ""}'; }

echo "store.synchronous=${SYNCHRONOUS:-FULL}"
start; stop                      # schema and demo project
add_customers 0 99999 10000000
start
echo "customers: $(sqlite3 "$work/data/anchang.db" 'SELECT COUNT(*) FROM core_customers')"
for connections in 1 8; do
  echo -n "register, -c$connections: "
  ANCHANG_TOKEN=$(token) PHONE_OFFSET=$((connections * 1000000)) wrk -t1 -c$connections -d15s --latency \
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
  ANCHANG_TOKEN=$(token) CUSTOMERS=1000000 wrk -t1 -c$connections -d15s --latency -s "$(dirname "$0")/lookup.lua" "http://127.0.0.1:$port" | summary
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
