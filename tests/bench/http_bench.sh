#!/usr/bin/env bash
# GET /api/v1/health on anchangd beside nginx returning a static 200, same machine, same wrk
# flags; then anchangd again with 5,000 idle keep-alive connections held open, and with 500
# slow senders trickling requests.
# Usage: tests/bench/http_bench.sh BUILD_DIR   (scripts/bench calls it)
set -euo pipefail
build="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null; sleep 0.5; rm -rf "$work"' EXIT
WRK_FLAGS=(-t1 -d10s --latency)
RUNS=${RUNS:-3}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# nginx: the same answer as /api/v1/health, from memory, with its usual access log.
nginx_port=$(free_port)
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 20000; }
http {
  access_log $work/nginx/access.log;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    location = /api/v1/health { default_type application/json; return 200 '{"status":"ok"}'; }
  }
}
CONF
/usr/sbin/nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &

# anchangd: default settings (access log on), no plugins, its own data folder.
echo "# bench" > "$work/bench.properties"
"$build/bin/anchangd" --config "$work/bench.properties" --data-dir "$work/data" --plugins-dir "$work/none" --port 0 \
  --set bus.external=false --set licence.file=/nonexistent --set licence.publicKey="$root/config/licence/vendor.pub" \
  > "$work/anchangd.log" 2>&1 &
for _ in $(seq 100); do [ -f "$work/data/run/anchangd.json" ] && break; sleep 0.1; done
anchang_port=$(python3 -c "import json;print(json.load(open('$work/data/run/anchangd.json'))['http_port'])")
sleep 0.5

# Prints "requests/s p50 p99" for one wrk run.
run_wrk() {
  wrk "${WRK_FLAGS[@]}" -c"$2" "http://127.0.0.1:$1/api/v1/health" | awk '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    END {print rps, p50, p99}'
}

# Median of RUNS runs, by requests/s.
median_of_runs() {
  for _ in $(seq "$RUNS"); do run_wrk "$1" "$2"; done | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'
}

echo "wrk ${WRK_FLAGS[*]} -cN, median of $RUNS runs: requests/s, latency p50, p99"
for connections in 64 256; do
  nginx=$(median_of_runs "$nginx_port" "$connections");     echo "-c$connections nginx static 200            $nginx"
  anchang=$(median_of_runs "$anchang_port" "$connections"); echo "-c$connections anchangd /api/v1/health     $anchang"
  awk -v a="${anchang%% *}" -v n="${nginx%% *}" -v c="$connections" 'BEGIN {printf "-c%s anchangd / nginx = %.2f\n", c, a / n}'
done
python3 "$(dirname "$0")/idle_connections.py" 127.0.0.1 "$anchang_port" 5000 > "$work/idle.log" &
for _ in $(seq 300); do grep -q holding "$work/idle.log" 2>/dev/null && break; sleep 0.1; done
idle=$(median_of_runs "$anchang_port" 64);   echo "-c64 anchangd, 5000 idle keep-alive   $idle"
kill %python3 2>/dev/null || true

# 500 slow senders, each trickling a request a byte every two seconds: /api/v1/health as one
# desk sees it meanwhile (latency is the figure here, not throughput).
python3 "$(dirname "$0")/slow_connections.py" 127.0.0.1 "$anchang_port" 500 > "$work/slow.log" &
for _ in $(seq 300); do grep -q trickling "$work/slow.log" 2>/dev/null && break; sleep 0.1; done
sleep 3
slow=$(median_of_runs "$anchang_port" 1);    echo "-c1 anchangd, 500 slow senders        $slow"
