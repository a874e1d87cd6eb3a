#!/usr/bin/env bash
# Builds the edgecache image, starts the cluster (canonical-server and edge-server-1..3) with
# docker/docker-compose.yml, waits until Docker reports every service healthy, and prints the URLs and what
# to try next. Run from anywhere; works with `docker compose` (v2) or `docker-compose` (1.29).
#
# Usage: docker/start-system.sh [--no-build]
# Environment: any setting of docker/docker-compose.yml (see docs/docker.md), and
#   EDGECACHE_START_TIMEOUT_S   how long to wait for every service to be healthy (default 120)
#
# Without a registry (no stock debian images and none pullable) the Debian base images are made locally
# by tools/docker-base (debootstrap + docker import; needs root, once, a few minutes).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
compose_file=$root/docker/docker-compose.yml
timeout_s=${EDGECACHE_START_TIMEOUT_S:-120}
build=1
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "start-system: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf 'start-system: %s\n' "$*"; }
die() { printf 'start-system: error: %s\n' "$*" >&2; exit 1; }
started=$SECONDS

command -v docker >/dev/null 2>&1 || die "docker is not installed (Debian: apt-get install docker.io docker-compose)"
docker info >/dev/null 2>&1 || die "no Docker engine is reachable; start it (systemctl start docker) or check your permissions"
# docker-compose 1.29 uses the legacy builder, which keeps the containers of failed steps without --force-rm;
# compose v2 builds with BuildKit, which keeps none.
if docker compose version >/dev/null 2>&1; then
  compose_name="docker compose"
  build_flags=()
elif command -v docker-compose >/dev/null 2>&1; then
  compose_name=docker-compose
  build_flags=(--force-rm)
else
  die "neither 'docker compose' nor 'docker-compose' is installed"
fi
read -r -a compose <<<"$compose_name"
compose+=(-f "$compose_file")

if [ "$build" = 1 ]; then
  base=${EDGECACHE_BASE_IMAGE:-debian:bookworm}
  runtime=${EDGECACHE_RUNTIME_IMAGE:-debian:bookworm-slim}
  for wanted in "$base" "$runtime"; do
    docker image inspect "$wanted" >/dev/null 2>&1 && continue
    say "base image $wanted is missing; trying to pull it (60 s at most)"
    if ! timeout 60 docker pull "$wanted" >/dev/null 2>&1; then
      [ "$(uname -s)" = Linux ] || die "cannot pull $wanted and tools/docker-base (debootstrap) needs Linux"
      say "no registry; making the Debian base images with tools/docker-base"
      "$root/tools/docker-base"
    fi
  done
  say "building the edgecache image (the first build compiles the daemons: several minutes)"
  "${compose[@]}" build ${build_flags[@]+"${build_flags[@]}"} canonical-server
fi

say "starting the cluster"
"${compose[@]}" up -d --no-build canonical-server edge-server-1 edge-server-2 edge-server-3

services=(canonical-server edge-server-1 edge-server-2 edge-server-3)
deadline=$((SECONDS + timeout_s))
while :; do
  waiting=()
  for service in "${services[@]}"; do
    id=$("${compose[@]}" ps -q "$service")
    health=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id" 2>/dev/null || echo missing)
    [ "$health" = healthy ] || waiting+=("$service:$health")
  done
  [ ${#waiting[@]} -eq 0 ] && break
  if [ $SECONDS -ge $deadline ]; then
    "${compose[@]}" logs --tail 20 >&2 || true
    die "not healthy after $timeout_s s: ${waiting[*]} (logs above; docs/docker.md, Troubleshooting)"
  fi
  sleep 1
done

host=localhost
cat <<EOT

edgecache is up and healthy ($((SECONDS - started)) s).

  service            URL (HTTP and the original RPC on the same port)
  canonical-server   http://$host:${EDGECACHE_CANONICAL_PORT:-9000}
  edge-server-1      http://$host:${EDGECACHE_EDGE_1_PORT:-8001}
  edge-server-2      http://$host:${EDGECACHE_EDGE_2_PORT:-8002}
  edge-server-3      http://$host:${EDGECACHE_EDGE_3_PORT:-8003}

Try next (compose commands from $root, whose .env names the compose file):
  curl -s http://$host:8001/status                  who leads (edge 3, the highest id)
  curl -s -o image1.png http://$host:8001/images/1  an image through edge 1
  curl -sI http://$host:8002/images/1               its size (HEAD), now a cache hit
  curl -s http://$host:8003/metrics                 Prometheus metrics
  $compose_name run --rm client          the interactive client (1) get_image 2) get_image_size 3) exit)
  $compose_name logs -f                  one short line per event from every service
  $compose_name exec edge-server-1 ping canonical-server
  $compose_name down -v                  stop and remove everything (docs/docker.md, Complete reset)
EOT
