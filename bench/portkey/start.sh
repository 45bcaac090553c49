#!/usr/bin/env bash
# Start the Portkey AI gateway (@portkey-ai/gateway 1.15.2) in the foreground,
# listening only on 127.0.0.1:PORT.   Usage: bench/portkey/start.sh PORT
set -euo pipefail
PORT="${1:?usage: $0 PORT}"
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -d "$DIR/node_modules/@portkey-ai/gateway" ]; then
  npm ci --prefix "$DIR" --silent --no-fund --no-audit >&2
fi
# --headless: no web UI / log-stream routes. No per-request console logging exists
# in the gateway; stdout only carries the startup banner.
exec node "$DIR/serve.mjs" "--port=$PORT" --headless
