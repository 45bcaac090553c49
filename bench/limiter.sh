#!/usr/bin/env bash
# Cost of the rate limiter per request, measured side by side: the packaged service twice, limits on (one Redis
# script per request, nothing refused) and off, driven alternately by hey with the same load. Also the Redis
# side alone: the token-bucket script run by redis-benchmark.
#
#   ./mvnw package -DskipTests && bench/limiter.sh            (ROUNDS, SECONDS_PER_RUN, CONNECTIONS to change)
#
# Only 127.0.0.1 is used: PostgreSQL and Redis must be up (as for the tests); database chatbot_bench is created.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
CONNECTIONS=${CONNECTIONS:-16}
JAR=target/quarkus-app/quarkus-run.jar
ON_PORT=18181
OFF_PORT=18182
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

[ -f "$JAR" ] || { echo "No $JAR: run ./mvnw package -DskipTests first" >&2; exit 1; }
if ! command -v hey >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hey >/dev/null
fi
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

start() { # port, then env assignments
  local port=$1; shift
  env "$@" PORT="$port" DB_NAME=chatbot_bench CHATBOT_DATABASE_CREATE_IF_MISSING=true \
    CHATBOT_CURSOR_SECRET=bench QUARKUS_SHUTDOWN_DELAY=0s \
    "$JAVA" -Xmx512m -jar "$JAR" >"$WORK/app-$port.log" 2>&1 &
}
ready() {
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$1/q/health/ready" >/dev/null && return 0
    sleep 0.5
  done
  echo "service on port $1 did not become ready" >&2; tail -20 "$WORK/app-$1.log" >&2; exit 1
}

# Limits so high that nothing is refused: what is measured is the cost of asking, not of refusing.
start $ON_PORT CHATBOT_RATE_LIMIT_READ_RATE=1000000000 CHATBOT_RATE_LIMIT_READ_CAPACITY=1000000000 \
  CHATBOT_RATE_LIMIT_TENANT_READ_RATE=1000000000 CHATBOT_RATE_LIMIT_TENANT_READ_CAPACITY=1000000000
ready $ON_PORT
start $OFF_PORT CHATBOT_RATE_LIMIT_ENABLED=false
ready $OFF_PORT

# One identified caller with no conversations: the request is the limiter plus one indexed query.
URL_PATH=/api/v1/conversations?limit=1
run() { # port, output
  hey -z "${SECONDS_PER_RUN}s" -c "$CONNECTIONS" -H "X-User-ID: bench-user" "http://127.0.0.1:$1$URL_PATH" >"$2"
}
for port in $ON_PORT $OFF_PORT; do # warm-up (JIT), not counted
  hey -z 5s -c "$CONNECTIONS" -H "X-User-ID: bench-user" "http://127.0.0.1:$port$URL_PATH" >/dev/null
done
curl -s -D - -o /dev/null -H "X-User-ID: bench-user" "http://127.0.0.1:$ON_PORT$URL_PATH" | grep -i '^ratelimit-limit' >/dev/null \
  || { echo "limits are not applied on port $ON_PORT" >&2; exit 1; }
for round in $(seq 1 "$ROUNDS"); do
  run $ON_PORT "$WORK/on-$round.txt"
  run $OFF_PORT "$WORK/off-$round.txt"
done

stat() { # file pattern, field: rps | p50 | p99 | non200 -> median over rounds
  local values=()
  for f in $1; do
    case $2 in
      rps) values+=("$(awk '/Requests\/sec/ {print $2}' "$f")") ;;
      p50) values+=("$(awk '/ 50% in/ {print $3 * 1000}' "$f")") ;;
      p99) values+=("$(awk '/ 99% in/ {print $3 * 1000}' "$f")") ;;
      non200) values+=("$(awk '/\[[0-9]+\]/ && $1 != "[200]" {n += $2} END {print n + 0}' "$f")") ;;
    esac
  done
  printf '%s\n' "${values[@]}" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}
ON_RPS=$(stat "$WORK/on-*.txt" rps); OFF_RPS=$(stat "$WORK/off-*.txt" rps)
ON_P50=$(stat "$WORK/on-*.txt" p50); OFF_P50=$(stat "$WORK/off-*.txt" p50)
ON_P99=$(stat "$WORK/on-*.txt" p99); OFF_P99=$(stat "$WORK/off-*.txt" p99)
NON200=$(( $(stat "$WORK/on-*.txt" non200) + $(stat "$WORK/off-*.txt" non200) ))

# The script alone, as Redis runs it: every call refills and takes from two buckets of random callers.
SHA=$(redis-cli -h 127.0.0.1 SCRIPT LOAD "$(cat src/main/resources/redis/token-buckets.lua)")
SCRIPT_RPS=$(redis-benchmark -h 127.0.0.1 -q -n 200000 -c "$CONNECTIONS" -r 100000 \
  EVALSHA "$SHA" 2 "chatbot:rl:{bench}:read:user:__rand_int__" "chatbot:rl:{bench}:read:tenant" "" take \
  100 20 1 1000 200 1 | awk '{for (i = 1; i <= NF; i++) if ($i == "requests") print $(i - 1)}' | tail -1)
redis-cli -h 127.0.0.1 --scan --pattern 'chatbot:rl:{bench}:*' | xargs -r -n 500 redis-cli -h 127.0.0.1 DEL >/dev/null

echo
echo "Rate limiter cost: GET $URL_PATH, $CONNECTIONS connections, $ROUNDS x ${SECONDS_PER_RUN}s per side, alternating;"
echo "medians over rounds; $(nproc) cores; $(date -u +%F)"
printf '%-22s %12s %12s %8s\n' "" "limits on" "limits off" "on/off"
printf '%-22s %12.0f %12.0f %8.2f\n' "requests/s" "$ON_RPS" "$OFF_RPS" "$(echo "$ON_RPS / $OFF_RPS" | bc -l)"
printf '%-22s %12.2f %12.2f %8.2f\n' "p50 latency (ms)" "$ON_P50" "$OFF_P50" "$(echo "$ON_P50 / $OFF_P50" | bc -l)"
printf '%-22s %12.2f %12.2f %8.2f\n' "p99 latency (ms)" "$ON_P99" "$OFF_P99" "$(echo "$ON_P99 / $OFF_P99" | bc -l)"
printf '%-22s %12s\n' "non-200 answers" "$NON200"
printf '%-22s %12s\n' "script alone (calls/s)" "${SCRIPT_RPS:-n/a}"
[ "$NON200" -eq 0 ] || { echo "some requests failed" >&2; exit 1; }
