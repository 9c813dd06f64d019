#!/usr/bin/env bash
# make demo: starts wasim (the WhatsApp simulator, with a simulated phone for
# +1 555 010 0001) and wagate pointed at it, links wagate by QR through
# wasim's admin API — the phone "scans" the QR wagate shows — and prints what
# to try. Everything listens on 127.0.0.1; state lives in .demo/ and
# survives a restart (the second run logs in without a QR). Ctrl-C stops both.
# Usage: scripts/demo.sh BUILD_DIR   (DEMO_LINK=manual: print the link command)
set -euo pipefail

build_dir=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
demo="$root/.demo"
phone=15550100001
api_key=demo-key-0123456789abcdef
mkdir -p "$demo/wasim" "$demo/wagate"

wasim_pid=""
wagate_pid=""
stop() {
  if [ -n "$wagate_pid" ]; then kill "$wagate_pid" 2>/dev/null; wait "$wagate_pid" 2>/dev/null; fi
  if [ -n "$wasim_pid" ]; then kill "$wasim_pid" 2>/dev/null; wait "$wasim_pid" 2>/dev/null; fi
  echo "demo: stopped"
}
trap stop EXIT
trap 'exit 0' INT TERM

# wasim prints one JSON line with its ports and root key, then logs to stderr.
# Own sessions (setsid): Ctrl-C reaches this script only, which then stops
# both by PID, in order.
coproc WASIM { exec setsid "$root/$build_dir/sim/wasim" --host 127.0.0.1 --ws-port 0 --admin-port 0 \
  --media-port 0 --data "$demo/wasim" 2>"$demo/wasim.log"; }
wasim_pid=$WASIM_PID
read -r -t 20 info <&"${WASIM[0]}" || { echo "demo: wasim did not start:"; cat "$demo/wasim.log"; exit 1; }
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$info" "$1"; }
ws_url=$(field wsUrl)
admin_url=$(field adminUrl)
root_key=$(field rootPublicKey)
curl -fsS -X POST "$admin_url/admin/accounts" -H 'content-type: application/json' \
  -d "{\"phone\":\"$phone\",\"name\":\"Demo Phone\"}" >/dev/null || true

WAGATE_API_KEY=$api_key WAGATE_WA_URL=$ws_url WAGATE_WA_ROOT_KEY=$root_key \
  WAGATE_DATA_DIR="$demo/wagate" WAGATE_PUSH_NAME="wagate demo" \
  setsid "$root/$build_dir/src/app/wagate" --host 127.0.0.1 --port 0 \
  --db "sqlite:$demo/wagate/wagate.db" >"$demo/wagate.log" 2>&1 &
wagate_pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$demo/wagate.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "demo: wagate did not start:"; cat "$demo/wagate.log"; exit 1; }
base="http://127.0.0.1:$port"
auth=(-H "x-api-key: $api_key")

state=$(curl -fsS "${auth[@]}" "$base/whatsapp/session/connect" -X POST)
status=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["status"])' "$state")
if [ "$status" = qr-ready ]; then
  qr=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["qr"])' "$state")
  link_cmd="curl -s -X POST $admin_url/admin/accounts/$phone/scan -H 'content-type: application/json' -d '{\"qr\":\"$qr\"}'"
  if [ "${DEMO_LINK:-auto}" = manual ]; then
    echo "demo: wagate shows a QR; link it with the simulated phone:"
    echo "  $link_cmd"
  else
    echo "demo: wagate shows a QR; the simulated phone of +$phone scans it"
    eval "$link_cmd" >/dev/null
  fi
fi
for _ in $(seq 1 200); do
  status=$(curl -fsS "${auth[@]}" "$base/whatsapp/session/status" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
  [ "$status" = open ] && break
  [ "${DEMO_LINK:-auto}" = manual ] && [ "$status" = qr-ready ] && { sleep 1; continue; }
  sleep 0.1
done

cat <<INFO

  wagate      $base   (API key: $api_key)
  status      curl -s -H 'x-api-key: $api_key' $base/whatsapp/session/status
  QR as PNG   curl -s -H 'x-api-key: $api_key' -H 'accept: image/png' $base/whatsapp/session/qr -o qr.png
  OpenAPI     $base/docs/openapi.json
  Socket.IO   $base/socket.io/  (auth: { token: "$api_key" })
  wasim       $ws_url  (admin: $admin_url/admin/info)
  devices     curl -s $admin_url/admin/accounts/$phone/devices
  logs        $demo/wagate.log  $demo/wasim.log

  session: $status — Ctrl-C stops wasim and wagate; state stays in .demo/
INFO
wait "$wagate_pid"
