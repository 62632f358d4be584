#!/usr/bin/env bash
# Channel reporting under load, on a real anchangd with the demo project and 1,000,000 earlier
# reports in the store: reports/s through the broker portal and through the signed agency API,
# and registrations at the desk carrying a report code beside the same registrations without one
# (the difference is the code's check: decode, MAC, window, phone). p50/p99 from wrk.
# Usage: tests/bench/channel_bench.sh BUILD_DIR (scripts/bench).
set -euo pipefail
source "$(dirname "$0")/demo_kernel.sh" "$1" registration,channel \
  --set plugins.channel.demo_seed="$(cd "$(dirname "$0")/../.." && pwd)/config/demo/channel.json"

start; stop # schema, demo project, channel companies
# A million earlier reports of 链家·滨江's agent, lapsed long ago, straight into the store.
sqlite3 "$work/data/anchang.db" <<'SQL'
PRAGMA synchronous = OFF;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
INSERT INTO channel_reports (project_id, company_id, agent_id, customer_name, phone, phone_key, expected_visit_at, notes, status,
                             protection_mode, protected_until, code_valid_until, reported_at)
SELECT 1, 1, 1, '历史客户' || i, printf('185%08d', i), printf('185%08d', i), 1700000000000, '', 'expired', 'report_visit_deal',
       1700000000000, 1700000000000, 1690000000000 FROM n;
SQL
start
echo "reports in the store: $(sqlite3 "$work/data/anchang.db" 'SELECT COUNT(*) FROM channel_reports')"
agent=$(token agent1)
manager=$(token manager)

for connections in 1 8; do
  echo -n "portal report, -c$connections: "
  ANCHANG_TOKEN="$agent" PHONE_OFFSET=$((connections * 1000000)) wrk -t1 -c$connections -d15s --latency \
    -s "$(dirname "$0")/report.lua" "http://127.0.0.1:$port" | summary
done

# The agency API: requests signed beforehand (timestamps stay inside the 5-minute window).
key=$(curl -s -X POST -H "Authorization: Bearer $manager" "localhost:$port/api/v1/projects/1/channel/companies/1/api-keys")
python3 - "$key" "$work/agency.tsv" <<'PY'
import hashlib, hmac, json, sys, time
key = json.loads(sys.argv[1]); path = "/api/v1/projects/1/channel/agency/reports"
now = int(time.time() * 1000)
with open(sys.argv[2], "w") as out:
    for i in range(300000):
        body = json.dumps({"agent": {"phone": "13900000001"}, "customer_name": "机构客户", "phone": "188%08d" % i,
                           "expected_visit_at": now + 3 * 3600 * 1000}, ensure_ascii=False, separators=(",", ":"))
        nonce = "bench-%016d" % i
        message = "\n".join(["POST", path, str(now), nonce, hashlib.sha256(body.encode()).hexdigest()]).encode()
        signature = hmac.new(key["secret"].encode(), message, hashlib.sha256).hexdigest()
        out.write("\t".join([path, "-", key["key_id"], str(now), nonce, signature, body]) + "\n")
PY
run=0
for connections in 1 8; do
  echo -n "agency API report, -c$connections: "
  # Lines no earlier run sent: a nonce is taken once.
  sed -n "$(( run * 150000 + 1 )),$(( (run + 1) * 150000 ))p" "$work/agency.tsv" > "$work/agency-$connections.tsv"
  run=$((run + 1))
  REQUESTS="$work/agency-$connections.tsv" wrk -t1 -c$connections -d15s --latency -s "$(dirname "$0")/presigned.lua" "http://127.0.0.1:$port" | summary
done

# The desk: registrations with the report code of a fresh report each, beside registrations without.
python3 - "$port" "$agent" "$(token receptionist)" "$work" <<'PY'
import json, sys, time, urllib.request
port, agent, desk, work = sys.argv[1:5]
def post(path, body, token):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(request))
expected = int(time.time() * 1000) + 3 * 3600 * 1000
with open(f"{work}/with-code.tsv", "w") as coded, open(f"{work}/without-code.tsv", "w") as plain:
    for i in range(3000):
        phone = "189%08d" % i
        report = post("/api/v1/projects/1/channel/reports", {"customer_name": "带看客户", "phone": phone, "expected_visit_at": expected}, agent)
        body = {"phone": phone, "name": "带看客户", "questionnaire": {"layout": "三室"}, "extensions": {"channel": {"code": report["code"]}}}
        coded.write("\t".join(["/api/v1/projects/1/visits", "Bearer " + desk, "-", "-", "-", "-", json.dumps(body, ensure_ascii=False, separators=(",", ":"))]) + "\n")
        body = {"phone": "184%08d" % i, "name": "自然客户", "questionnaire": {"layout": "三室"}}
        plain.write("\t".join(["/api/v1/projects/1/visits", "Bearer " + desk, "-", "-", "-", "-", json.dumps(body, ensure_ascii=False, separators=(",", ":"))]) + "\n")
PY
for kind in without-code with-code; do
  echo -n "desk registration $kind, -c1: "
  REQUESTS="$work/$kind.tsv" wrk -t1 -c1 -d10s --latency -s "$(dirname "$0")/presigned.lua" "http://127.0.0.1:$port" | summary
done
echo "confirmed at the desk: $(sqlite3 "$work/data/anchang.db" "SELECT COUNT(*) FROM channel_reports WHERE status = 'visited'")"
