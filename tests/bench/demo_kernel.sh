# Sourced by the module benchmarks: a real anchangd on the demo project in a fresh folder.
#   source demo_kernel.sh BUILD_DIR MODULES [--set key=value ...]
# gives $root, $work (removed on exit), start / stop (the kernel; $port once started), token USER
# (a demo login's bearer token) and summary (a wrk report as one line: requests/s, p50/p90/p99).
# For side-by-side runs: KERNEL_ARGS="--set=http.threads=8 ..." adds settings, and
# KERNEL_PRELOAD=/path/lib.so starts the kernel with LD_PRELOAD (another allocator, say).
build="$1"
modules="$2"
shift 2
settings=()
for setting in "$@"; do settings+=("$setting"); done
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
pid=""
stop() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; pid=""; }
trap 'stop; [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
echo "# bench" > "$work/bench.properties"
"$build/bin/anchang-licence" keygen "$work/vendor" > /dev/null
"$build/bin/anchang-licence" issue --key "$work/vendor/vendor.key" --customer bench --modules "$modules" --projects 3 \
  --expires 2099-12-31 --out "$work/vendor/licence.json"

start() {
  rm -f "$work/data/run/anchangd.json"
  ${KERNEL_PRELOAD:+env LD_PRELOAD=$KERNEL_PRELOAD} "$build/bin/anchangd" --config "$work/bench.properties" --data-dir "$work/data" --plugins-dir "$build/plugins" --port 0 \
    --set bus.external=false --set licence.file="$work/vendor/licence.json" --set licence.publicKey="$work/vendor/vendor.pub" \
    --set demo.seed="$root/config/demo/kernel.json" --set plugins.core.demo_seed="$root/config/demo/core.json" \
    "${settings[@]}" ${KERNEL_ARGS:-} > "$work/anchangd.log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do [ -f "$work/data/run/anchangd.json" ] && break; sleep 0.1; done
  port=$(python3 -c "import json;print(json.load(open('$work/data/run/anchangd.json'))['http_port'])")
}

token() {
  curl -s -X POST "localhost:$port/api/v1/auth/login" -d "{\"username\":\"$1\",\"password\":\"demo1234\"}" |
    python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])'
}

summary() { awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +90%/ {p90=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
                 END {printf "%s requests/s, latency p50 %s p90 %s p99 %s%s\n", rps, p50, p90, p99, bad ? ", non-2xx " bad : ""}'; }
