#!/usr/bin/env bash
# Face risk control, end to end: the engine alone on the shared photos (face_measure: detect +
# embed per photo, distances, blur, simulated masks, a 100,000-embedding scan), then a real
# anchangd whose project holds 100,000 embeddings answering the desk's capture — consent, upload,
# detect, embed, match against all of them, store — timed from the client, with the kernel's
# resident memory before and after the gallery is loaded.
#   tests/bench/face/face_bench.sh BUILD_DIR   (CAPTURES=40, GALLERY=100000)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
images="$here/../../../../shared/face/images"
models="${ANCHANG_MODELS_DIR:-$here/../../../var/models}"
if [ ! -d "$images" ]; then echo "skipped: no shared face photos at $images"; exit 0; fi
"$1/bin/anchang_face_measure" "$images" "$models" "${RUNS:-10}"

source "$here/../demo_kernel.sh" "$1" registration,face --set "plugins.face.models_dir=$models"
start
stop # the schema is there; now the gallery, straight into the store
python3 - "$work/data/anchang.db" "${GALLERY:-100000}" <<'PY'
import base64, random, sqlite3, struct, sys, time
db = sqlite3.connect(sys.argv[1])
count = int(sys.argv[2])
rng = random.Random(15)
now = int(time.time() * 1000)
def vector():
    v = [rng.gauss(0, 1) for _ in range(128)]
    n = sum(x * x for x in v) ** 0.5
    return base64.b64encode(struct.pack('<128f', *[x / n for x in v])).decode().rstrip('=')
with db:
    for i in range(count):
        phone = '1390000%04d' % (i % 10000)
        c = db.execute("INSERT INTO face_consents (project_id, phone, name, decision, notice_version, created_by, created_at) VALUES (1, ?, 'bench', 'accepted', '2026-12-v2', 0, ?)", (phone, now - 86400000)).lastrowid
        k = db.execute("INSERT INTO face_captures (project_id, consent_id, phone, name, width, height, faces, source, created_by, created_at) VALUES (1, ?, ?, 'bench', 640, 480, 1, 'natural', 0, ?)", (c, phone, now - 86400000)).lastrowid
        db.execute("INSERT INTO face_embeddings (project_id, capture_id, face_index, box, vector, expires_at) VALUES (1, ?, 0, '{}', ?, ?)", (k, vector(), now + 300 * 86400000))
print(f"seeded {count} embeddings")
PY
start
for _ in $(seq 100); do grep -q "face gallery" "$work/anchangd.log" && break; sleep 0.1; done
grep -o "face gallery: [0-9]* embeddings" "$work/anchangd.log"
desk="$(token receptionist)"
python3 - "$port" "$desk" "$images" "${CAPTURES:-40}" "$pid" <<'PY'
import http.client, json, os, statistics, sys, time
port, token, images, runs, pid = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
photos = [open(os.path.join(images, f), 'rb').read() for f in sorted(os.listdir(images)) if f.endswith('.jpg') and not f.startswith('multi') and os.path.getsize(os.path.join(images, f)) < 1_000_000]
def rss():
    for line in open(f'/proc/{pid}/status'):
        if line.startswith('VmRSS'): return int(line.split()[1]) / 1024
def call(method, path, body, kind='application/json'):
    c = http.client.HTTPConnection('127.0.0.1', port)
    c.request(method, path, body, {'Authorization': 'Bearer ' + token, 'Content-Type': kind})
    r = c.getresponse(); data = r.read(); c.close()
    return r.status, data
times, matched = [], 0
for i in range(runs):
    status, body = call('POST', '/api/v1/projects/1/face/consents', json.dumps({'phone': '1370000%04d' % i, 'name': 'bench', 'decision': 'accepted', 'notice_version': '2026-12-v2'}))
    consent = json.loads(body)['consent']['id']
    start = time.perf_counter()
    status, body = call('POST', f'/api/v1/projects/1/face/captures?consent={consent}', photos[i % len(photos)], 'image/jpeg')
    times.append((time.perf_counter() - start) * 1000)
    assert status == 201, body
    matched += json.loads(body)['faces'][0]['match'] is not None
times.sort()
print(f"capture over HTTP against the gallery ({runs} photos of {len(photos)}): p50 {statistics.median(times):.0f} ms, p99 {times[min(len(times)-1, int(0.99*len(times)))]:.0f} ms, max {times[-1]:.0f} ms; {matched} matched an earlier capture; anchangd resident {rss():.0f} MB")
PY
stop
start
sleep 1
python3 - "$pid" <<'PY'
import sys
pid = sys.argv[1]
print("anchangd resident after a restart with the gallery loaded:", [l.split()[1] for l in open(f'/proc/{pid}/status') if l.startswith('VmRSS')][0], "kB")
PY
