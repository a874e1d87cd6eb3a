#!/bin/bash
# The container's HEALTHCHECK: healthy when GET /healthz on this daemon's HTTP port answers 200 within
# 3 seconds. Bash's /dev/tcp does the request, so the runtime image needs no curl.
# Usage: edgecache-healthcheck [HOST:PORT]   (default: EDGECACHE_HTTP_LISTEN, a 0.0.0.0 host asked on 127.0.0.1)
set -euo pipefail
address=${1:-${EDGECACHE_HTTP_LISTEN:-}}
if [ -z "$address" ]; then
  echo "edgecache-healthcheck: no address: give HOST:PORT or set EDGECACHE_HTTP_LISTEN" >&2
  exit 1
fi
port=${address##*:}
host=${address%:*}
case "$host" in "" | 0.0.0.0 | "[::]") host=127.0.0.1 ;; esac
timeout_s=3
exec 3<>"/dev/tcp/$host/$port" || { echo "edgecache-healthcheck: cannot connect to $host:$port" >&2; exit 1; }
printf 'GET /healthz HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$host" >&3
if ! IFS= read -r -t "$timeout_s" status_line <&3; then
  echo "edgecache-healthcheck: no answer from $host:$port within $timeout_s s" >&2
  exit 1
fi
case "$status_line" in
  "HTTP/1.1 200"*) echo "healthy: $host:$port/healthz"; exit 0 ;;
  *) echo "edgecache-healthcheck: $host:$port/healthz answered '${status_line%$'\r'}'" >&2; exit 1 ;;
esac
