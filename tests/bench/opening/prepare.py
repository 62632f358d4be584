#!/usr/bin/env python3
"""Prepares an opening storm on a running anchangd (tests/bench/opening/opening_bench.sh).

Qualifies N buyers, publishes and draws a formal round open now, signs every buyer in with a
texted code (caught by a webhook receiver here, as an SMS gateway would get it), and writes the
storm's requests: buyer i asks for unit (i * 7919) mod units, so each unit is wanted by N/units
buyers at once and all but one of them must be refused.

Usage: prepare.py PORT MANAGER_TOKEN WEBHOOK_PORT BUYERS OUT_DIR
Writes OUT_DIR/selections.tsv (the storm), OUT_DIR/trigger.tsv (one more selection, for the
viewers' run) and OUT_DIR/round.json.
"""
import http.client
import http.server
import json
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

port, manager, hook_port, buyers, out = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
codes = {}
codes_ready = threading.Condition()


class Sms(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        found = re.search(r"[0-9]{6}", body.get("text", ""))
        if found:
            with codes_ready:
                codes[body["recipient"]["phone"]] = found.group(0)
                codes_ready.notify_all()
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", hook_port), Sms)
threading.Thread(target=server.serve_forever, daemon=True).start()
local = threading.local()


def call(method, path, body=None, token=manager):
    if not hasattr(local, "conn"):
        local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    local.conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    answer = local.conn.getresponse()
    data = answer.read()
    return answer.status, json.loads(data) if data else None


def phone(i):
    return "137%08d" % i


def qualify(i):
    status, body = call("POST", "/api/v1/projects/1/selection/buyers",
                        {"buyer_no": "S%05d" % i, "name": "买受人%d" % i, "phone": phone(i), "group": "general", "deposit": 50000})
    assert status == 201, body


def sign_in(i):
    asking = {"phone": phone(i), "project_id": 1, "role": "buyer"}
    status, body = call("POST", "/api/v1/auth/code", asking, token=None)
    assert status == 202, body
    with codes_ready:
        codes_ready.wait_for(lambda: phone(i) in codes, timeout=60)
    status, body = call("POST", "/api/v1/auth/code/verify", dict(asking, code=codes[phone(i)]), token=None)
    assert status == 200, body
    return body["token"]


started = time.time()
with ThreadPoolExecutor(8) as pool:
    list(pool.map(qualify, range(buyers + 1)))
print("qualified %d buyers in %.1f s" % (buyers + 1, time.time() - started), flush=True)
now = int(time.time() * 1000)
status, round_ = call("POST", "/api/v1/projects/1/selection/rounds",
                      {"name": "压力测试", "kind": "formal", "groups": ["general"], "starts_at": now - 60000, "ends_at": now + 6 * 3600000})
assert status == 201, round_
rid = round_["id"]
status, body = call("POST", "/api/v1/projects/1/selection/rounds/%d/publish" % rid, {})
assert status == 200, body
status, body = call("POST", "/api/v1/projects/1/selection/rounds/%d/draw" % rid, {"digits": "20261205"})
assert status == 200, body
status, board = call("GET", "/api/v1/projects/1/selection/rounds/%d/board" % rid)
units = board["units"]
print("round %d: %d buyers, %d units" % (rid, body["buyers"], len(units)), flush=True)
started = time.time()
with ThreadPoolExecutor(8) as pool:
    tokens = list(pool.map(sign_in, range(buyers + 1)))
print("signed %d buyers in with texted codes in %.1f s" % (len(tokens), time.time() - started), flush=True)
server.shutdown()

path = "/api/v1/projects/1/selection/rounds/%d/selections" % rid


def line(i, unit):
    body = json.dumps({"unit_id": unit["unit_id"], "price": unit["price"], "request_id": "storm-%d" % i})
    return "POST\t%s\t%s\t%s\n" % (path, tokens[i], body)


with open(out + "/selections.tsv", "w") as f:
    for i in range(buyers):
        f.write(line(i, units[(i * 7919) % len(units)]))
# The viewers' trigger: the last buyer, who takes no part in the storm, on the first unit.
with open(out + "/trigger.tsv", "w") as f:
    f.write(line(buyers, units[0]))
with open(out + "/round.json", "w") as f:
    json.dump({"id": rid, "units": len(units), "buyers": buyers, "viewer_token": tokens[buyers], "ends_at": now + 6 * 3600000}, f)
