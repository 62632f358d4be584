#!/usr/bin/env bash
# Follow-up and the pool at a big site's size, on a real anchangd with the demo project and, put
# straight into the store, 100,000 owned customers and 1,000,000 follow-ups (with their grades,
# owners, 100,000 visits and 5,000 deals): the three dashboards' loads (wrk, -c1, p50/p99), and one
# nightly recycling run of the pool over them (time and customers moved).
# Usage: tests/bench/followup_bench.sh BUILD_DIR (scripts/bench).
set -euo pipefail
source "$(dirname "$0")/demo_kernel.sh" "$1" registration,followup,pool

start; stop # schema, demo project
now=$(($(date +%s) * 1000))
day=86400000
sqlite3 "$work/data/anchang.db" <<SQL
PRAGMA synchronous = OFF;
CREATE TEMP TABLE consultants AS SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, id FROM users WHERE username LIKE 'consultant%';
CREATE TEMP TABLE n AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) SELECT i FROM n;
-- Customers: first visits spread over 120 days; every tenth one's protection lapsed yesterday.
INSERT INTO core_customers (id, project_id, name, owner_id, source, first_visit_at, last_visit_at, visits, protection_until, created_at, updated_at)
SELECT 1000000 + i, 1, '客户' || i, (SELECT id FROM consultants WHERE k = i % (SELECT COUNT(*) FROM consultants)),
       CASE i % 3 WHEN 0 THEN 'natural' WHEN 1 THEN 'channel' ELSE 'referral' END,
       $now - (i % 120) * $day, $now - (i % 30) * $day, 1 + i % 3,
       CASE WHEN i % 10 = 0 THEN $now - $day ELSE $now + 20 * $day END, $now - (i % 120) * $day, $now FROM n;
INSERT INTO core_persons (project_id, customer_id, phone, name, relation, created_at)
SELECT 1, 1000000 + i, printf('186%08d', i), '客户' || i, 'self', $now FROM n;
INSERT INTO followup_owners (project_id, customer_id, owner_id, since) SELECT 1, id, owner_id, first_visit_at FROM core_customers WHERE id >= 1000000;
INSERT INTO followup_profiles (project_id, customer_id, grade, graded_at, updated_at)
SELECT 1, 1000000 + i, CASE i % 4 WHEN 0 THEN 'A' WHEN 1 THEN 'B' WHEN 2 THEN 'C' ELSE NULL END, $now - (i % 60) * $day, $now FROM n;
INSERT INTO followup_contacts (project_id, customer_id, kind, owner_id, at)
SELECT 1, id, 'visit', owner_id, first_visit_at FROM core_customers WHERE id >= 1000000;
INSERT INTO followup_contacts (project_id, customer_id, kind, owner_id, at)
SELECT 1, id, 'deal', owner_id, first_visit_at + 10 * $day FROM core_customers WHERE id >= 1000000 AND id % 20 = 0;
-- A million follow-ups: ten per customer over the last 120 days, grades moving now and then.
WITH RECURSIVE m(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM m WHERE j < 9)
INSERT INTO followup_records (project_id, customer_id, consultant_id, consultant_name, method, template, content, grade_before, grade_after, valid, created_at)
SELECT 1, c.id, c.owner_id, '顾问', CASE (c.id + m.j) % 3 WHEN 0 THEN 'phone' WHEN 1 THEN 'wechat' ELSE 'visit' END,
       CASE WHEN (c.id + m.j) % 5 = 0 THEN 'invite' ELSE NULL END, '电话回访：客户关注户型与价格，约周末复访',
       CASE (c.id + m.j) % 4 WHEN 0 THEN 'B' WHEN 1 THEN 'C' ELSE 'A' END, CASE (c.id + m.j + 1) % 4 WHEN 0 THEN 'B' WHEN 1 THEN 'C' ELSE 'A' END,
       1, $now - ((c.id * 7 + m.j * 13) % 120) * $day
FROM core_customers c, m WHERE c.id >= 1000000;
SQL
# KEEP_DB=path keeps a copy of the loaded store, to look at a slow query with sqlite3.
[ -n "${KEEP_DB:-}" ] && cp "$work/data/anchang.db" "$KEEP_DB"
start
echo "customers: $(sqlite3 "$work/data/anchang.db" 'SELECT COUNT(*) FROM core_customers')," \
     "follow-ups: $(sqlite3 "$work/data/anchang.db" 'SELECT COUNT(*) FROM followup_records')"
month="from=$((now - 30 * day))&to=$now"
for dashboard in "manager /api/v1/projects/1/followup/dashboard/site?$month" "supervisor /api/v1/projects/1/followup/dashboard/team?$month" \
                 "consultant1 /api/v1/projects/1/followup/dashboard/mine"; do
  set -- $dashboard
  echo -n "dashboard of $1, -c1: "
  ANCHANG_TOKEN="$(token "$1")" DASHBOARD="$2" wrk -t1 -c1 -d15s --latency -s "$(dirname "$0")/dashboard.lua" "http://127.0.0.1:$port" | summary
done

# The nightly recycling, started by hand and timed by the kernel's record of the run.
admin=$(token admin)
curl -s -X POST -H "Authorization: Bearer $admin" "localhost:$port/api/v1/jobs/pool/recycle/run" -d '{"project_id":1}' > /dev/null
for _ in $(seq 600); do
  run=$(curl -s -H "Authorization: Bearer $admin" "localhost:$port/api/v1/jobs/runs?plugin=pool&job=recycle&project_id=1&limit=1")
  python3 -c "import json,sys; r=json.loads(sys.argv[1])['runs']; sys.exit(0 if r and r[0]['outcome'] != 'running' else 1)" "$run" && break
  sleep 1
done
python3 -c "import json,sys; r=json.loads(sys.argv[1])['runs'][0]; print('nightly recycling: %s, %d customers into the pool in %.1f s' % (r['outcome'], r['items'], (r['ended_at'] - r['started_at']) / 1000))" "$run"
