#!/usr/bin/env bash
# The resident memory of the server process itself under load: `hookline serve` (the built
# binary, as an operator runs it) on a temporary data directory and a free loopback port, the
# example handlers uploaded over the admin API, each route driven by wrk, and the server's RSS
# printed after each, then by mapping kind. The load benchmark (`cargo bench --bench load`)
# runs the server inside the benchmark process with its load generator, so its RSS includes
# theirs; this measures the server alone.
#
#   cargo bench -p hookline --bench load --no-run   # builds target/release/hookline
#   plugins/build-all                               # the example plugins
#   host/benches/server-rss.sh                      # SECS=5 CONNECTIONS=32 by default;
#                                                   # VERBOSE=1 also prints RSS after each upload
#
# Needs curl, wrk and python3. Bounded: each route runs SECS seconds; the server is stopped at
# the end (and on any exit).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${HOOKLINE_BIN:-$root/target/release/hookline}"
rust="$root/plugins/target/wasm32-wasip2/release"
dist="$root/plugins/dist"
secs="${SECS:-5}"
connections="${CONNECTIONS:-32}"
for tool in curl wrk python3; do
  command -v "$tool" >/dev/null || { echo "server-rss: $tool is not installed" >&2; exit 1; }
done
[[ -x "$bin" ]] || { echo "server-rss: $bin is missing (cargo bench -p hookline --bench load --no-run)" >&2; exit 1; }

data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
HOOKLINE_ADMIN_EMAIL=bench@hookline.local HOOKLINE_ADMIN_PASSWORD=bench-password-123 \
  HOOKLINE_DATA_DIR="$data" HOOKLINE_HOST=127.0.0.1 HOOKLINE_PORT="$port" \
  "$bin" serve >"$data/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -s "$base/" -o /dev/null && break; sleep 0.1; done

token="$(curl -sf "$base/auth/login" -H 'content-type: application/json' \
  -d '{"email":"bench@hookline.local","password":"bench-password-123"}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["accessToken"])')"
admin() { curl -sf "$@" -H "authorization: Bearer $token" -o /dev/null; }
rss() {
  awk -v label="$1" '/^VmRSS/ {rss=$2} /^VmHWM/ {hwm=$2} END {printf "%-28s RSS %4d MiB (peak %d MiB)\n", label, rss/1024, hwm/1024}' "/proc/$pid/status"
}

rss "started"
# name, binary, instance reuse (0: a fresh instance per call)
plugins=("hello $rust/hello.wasm 0" "hello-js $dist/hello-js.wasm 0" "hello-py $dist/hello-py.wasm 0"
  "hello-js-reuse $dist/hello-js.wasm 100" "hello-py-reuse $dist/hello-py.wasm 100")
routes=()
for entry in "${plugins[@]}"; do
  read -r name file reuse <<<"$entry"
  [[ -f "$file" ]] || { echo "skipping $name: $file is not built (plugins/build-all)"; continue; }
  admin "$base/admin/plugins?name=$name" -H 'content-type: application/wasm' --data-binary "@$file"
  [[ "$reuse" == 0 ]] || admin -X PATCH "$base/admin/plugins/$name" -H 'content-type: application/json' \
    -d "{\"instanceReuse\": $reuse}"
  admin "$base/admin/routes" -H 'content-type: application/json' \
    -d "{\"path\": \"/$name/:name\", \"methods\": [\"GET\"], \"publishedMethods\": [\"GET\"], \"handler\": {\"plugin\": \"$name\"}}"
  routes+=("$name")
  [[ -z "${VERBOSE:-}" ]] || rss "uploaded $name"
done
rss "uploaded"
for name in "${routes[@]}"; do
  rate="$(wrk -t1 -c"$connections" -d"${secs}s" "$base/$name/ada" | awk '/Requests\/sec/ {print $2}')"
  rss "after $name ($rate req/s)"
done
sleep 2
rss "idle"
python3 - "$pid" <<'PY'
import collections, re, sys
rss, count, kind = collections.Counter(), collections.Counter(), None
for line in open(f"/proc/{sys.argv[1]}/smaps"):
    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
        fields = line.split()
        start, end = (int(x, 16) for x in fields[0].split("-"))
        name = fields[5] if len(fields) > 5 else ""
        if name.endswith(".cwasm"):
            kind = "compiled plugins (*.cwasm: code, and interpreter images mapped in pool slots)"
        elif name.startswith("/"):
            kind = name.rsplit("/", 1)[-1]
        elif name:
            kind = name
        elif end - start >= 1 << 30:
            kind = "anonymous, >= 1 GiB reserved (allocator arenas, wasmtime pools)"
        else:
            kind = "anonymous (thread stacks, small heaps)"
        count[kind] += 1
    elif line.startswith("Rss:"):
        rss[kind] += int(line.split()[1])
for kind, kib in rss.most_common():
    if kib >= 1024:
        print(f"  {kib / 1024:6.1f} MiB in {count[kind]:4d} mappings  {kind}")
PY
