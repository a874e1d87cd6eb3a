# Shared helpers of the Docker tests, sourced by each tests/docker/*.sh script.
#
# Method: each test brings up its own copy of docker/docker-compose.yml under a compose project name that
# holds the test's name and PID, with its own container names (the project name as prefix), network name and
# host ports chosen by Docker (published on 127.0.0.1 only), so tests that run at the same time, or next to a
# user's own cluster, never share a container, a network, a volume or a port. The canonical serves small
# images generated into a temporary directory, so every byte served can be compared with the file it came
# from. An EXIT trap prints the services' logs when the test failed and then removes everything the project
# created, whatever happened. Every wait has a bound in seconds, and each step prints the time since the test
# started.

set -euo pipefail

docker_test_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
compose_file=$docker_test_root/docker/docker-compose.yml
image=${EDGECACHE_IMAGE:-edgecache:local}
skip_code=77
test_name=$(basename "$0" .sh)
test_started=$SECONDS
edges=(1 2 3)
image_count=30

say() { printf '[%s +%ds] %s\n' "$test_name" $((SECONDS - test_started)) "$*"; }
fail() {
  say "FAIL: $*"
  exit 1
}
skip() {
  echo "SKIPPED ($test_name): $*"
  exit "$skip_code"
}

# check DESCRIPTION COMMAND...: runs the command; the test fails, naming the description, unless it succeeds.
check() {
  local description=$1
  shift
  if "$@"; then say "ok: $description"; else fail "$description"; fi
}

# check_equal DESCRIPTION EXPECTED ACTUAL
check_equal() {
  if [ "$2" = "$3" ]; then say "ok: $1 ($3)"; else fail "$1: expected '$2', got '$3'"; fi
}

# Skips the test (exit 77, which ctest reports as skipped) where Docker tests cannot or need not run.
require_docker() {
  if [ "${EDGECACHE_SANITIZE:-0}" = 1 ]; then
    skip "the Docker tests run only in the normal build, not under EDGECACHE_SANITIZE=1"
  fi
  command -v docker >/dev/null 2>&1 || skip "the docker command is not installed"
  docker info >/dev/null 2>&1 || skip "no Docker engine is reachable (docker info failed)"
  if docker compose version >/dev/null 2>&1; then
    compose_command=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then
    compose_command=(docker-compose)
  else
    skip "neither 'docker compose' nor 'docker-compose' is installed"
  fi
  command -v curl >/dev/null 2>&1 || fail "curl is not installed (tools/install-deps installs it)"
}

# Requires the image built by the docker:images setup test.
require_image() {
  docker image inspect "$image" >/dev/null 2>&1 ||
    fail "image $image is missing: the setup test docker:images (tests/docker/build_images.sh) did not build it"
}

compose() { "${compose_command[@]}" -f "$compose_file" "$@"; }

# Prepares a unique project, its images directory and the cleanup trap. Call once, before anything starts.
setup_project() {
  export COMPOSE_PROJECT_NAME="ecdock${test_name//[^a-z0-9]/}$$"
  export EDGECACHE_NETWORK_NAME="${COMPOSE_PROJECT_NAME}_distributed-net"
  export EDGECACHE_CONTAINER_PREFIX="${COMPOSE_PROJECT_NAME}_"
  export EDGECACHE_IMAGE=$image
  export EDGECACHE_PUBLISH_ADDRESS=127.0.0.1
  export EDGECACHE_CANONICAL_PORT= EDGECACHE_EDGE_1_PORT= EDGECACHE_EDGE_2_PORT= EDGECACHE_EDGE_3_PORT=
  images_dir=$(mktemp -d "${TMPDIR:-/tmp}/edgecache-docker-images.XXXXXX")
  work_dir=$(mktemp -d "${TMPDIR:-/tmp}/edgecache-docker-work.XXXXXX")
  export EDGECACHE_IMAGES_SOURCE=$images_dir
  trap cleanup_project EXIT
  say "project $COMPOSE_PROJECT_NAME, compose: ${compose_command[*]}"
}

cleanup_project() {
  local status=$?
  trap - EXIT
  set +e
  if [ "$status" != 0 ] && [ "$status" != "$skip_code" ]; then
    say "failed (exit $status); last log lines of every service:"
    compose logs --no-color --tail 40 2>&1 | sed 's/^/    /'
  fi
  local started=$SECONDS
  # Unpause first: a paused container cannot be stopped.
  for container in $(docker ps -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" --filter status=paused); do
    docker unpause "$container" >/dev/null
  done
  compose --profile client down -v --remove-orphans --timeout 5 >/dev/null 2>&1
  rm -rf "$images_dir" "$work_dir"
  say "cleanup took $((SECONDS - started)) s; total $((SECONDS - test_started)) s"
  exit "$status"
}

# Writes image_count files image{N}.jpg with pseudo-random bytes, sizes from 1 KiB up to about 600 KiB, readable
# by the container's non-root user.
generate_images() {
  local id size
  for id in $(seq 1 "$image_count"); do
    size=$(((id * id * 677) % (600 * 1024) + 1024))
    head -c "$size" /dev/urandom >"$images_dir/image$id.jpg"
  done
  chmod 755 "$images_dir"
  chmod 644 "$images_dir"/*
}

# Starts the four daemons and waits until Docker reports every one healthy (bounded). With sample_images=1
# the canonical uses the compose file's default, a named volume it fills with generated sample images.
start_cluster() {
  if [ "${sample_images:-0}" = 1 ]; then
    unset EDGECACHE_IMAGES_SOURCE
  else
    generate_images
  fi
  local started=$SECONDS
  compose up -d --no-build >"$work_dir/up.log" 2>&1 || { cat "$work_dir/up.log"; fail "compose up failed"; }
  wait_healthy 90
  local service
  for service in canonical-server edge-server-1 edge-server-2 edge-server-3; do published "$service" >/dev/null; done
  say "cluster healthy in $((SECONDS - started)) s"
}

container_of() { compose ps -q "$1"; }

health_of() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$(container_of "$1")" 2>/dev/null; }

# wait_healthy BOUND_S: every daemon healthy within BOUND_S seconds, or the test fails.
wait_healthy() {
  local bound_s=$1 deadline=$((SECONDS + $1)) service unhealthy
  while :; do
    unhealthy=()
    for service in canonical-server edge-server-1 edge-server-2 edge-server-3; do
      [ "$(health_of "$service")" = healthy ] || unhealthy+=("$service")
    done
    [ ${#unhealthy[@]} -eq 0 ] && return 0
    [ $SECONDS -ge $deadline ] && fail "not healthy within $bound_s s: ${unhealthy[*]}"
    sleep 1
  done
}

# http_port SERVICE: the daemon's client port inside its container.
client_port() {
  case "$1" in
    canonical-server) echo 9000 ;;
    edge-server-*) echo $((8000 + ${1#edge-server-})) ;;
  esac
}

# published SERVICE: host:port where Docker published the service's client port. Asked once per service
# (compose starts slowly) and remembered; the ports stay as long as the containers do.
declare -A published_address=()
published() {
  if [ -z "${published_address[$1]:-}" ]; then
    published_address[$1]=$(compose port "$1" "$(client_port "$1")" 2>/dev/null | tail -n 1)
    [ -n "${published_address[$1]}" ] || fail "compose port: $1 has no published client port"
  fi
  echo "${published_address[$1]}"
}

# forget_published SERVICE: after a container restart, Docker publishes on a new host port.
forget_published() { unset "published_address[$1]"; }

# inside_get SERVICE PATH: GET PATH from inside the service's own container (works while it is disconnected
# from the network, when its published port is unreachable); prints the body; fails if nobody answers.
inside_get() {
  local port
  port=$(client_port "$1")
  docker exec "$(container_of "$1")" bash -c '
    exec 3<>/dev/tcp/127.0.0.1/'"$port"' || exit 1
    printf "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" "'"$2"'" >&3
    timeout 3 cat <&3' | tr -d '\r' | sed '1,/^$/d'
}

# status_of EDGE_NUMBER: the edge's /status JSON, through its published port, or from inside its container
# when that does not answer (a disconnected container loses its published ports); empty when neither does.
status_of() {
  curl -s --max-time 1 "http://$(published "edge-server-$1")/status" 2>/dev/null ||
    inside_get "edge-server-$1" /status 2>/dev/null || true
}

# leader_of EDGE_NUMBER: the leader id the edge's /status names ("null" when it has none, empty on no answer).
leader_of() { status_of "$1" | grep -o '"leader":[^,}]*' | cut -d: -f2 || true; }

# leader_count: how many edges report the leader role.
leader_count() {
  local edge
  for edge in "${edges[@]}"; do status_of "$edge" | grep -o '"role":"[a-z]*"' || true; done | grep -c '"role":"leader"' || true
}

leaders_of() {
  local edge out=()
  for edge in "$@"; do out+=("$edge:$(leader_of "$edge")"); done
  echo "${out[*]}"
}

now_ms() { date +%s%3N; }

# The common start of a cluster test: an engine and the image, a project of its own, the cluster up, and
# all three edges following edge 3. Call once, first.
start_led_cluster() {
  require_docker
  require_image
  setup_project
  start_cluster
  wait_leaders 30 3 1 2 3
}

# wait_leaders BOUND_S EXPECTED_LEADER EDGE...: waits until each named edge's /status names the expected
# leader; prints how long it took in milliseconds (polling every 0.2 s plus a docker exec per edge); fails
# after BOUND_S seconds with what each edge said.
wait_leaders() {
  local bound_s=$1 expected=$2
  shift 2
  local started_ms deadline_ms edge agreed
  started_ms=$(now_ms)
  deadline_ms=$((started_ms + bound_s * 1000))
  while :; do
    agreed=1
    for edge in "$@"; do
      [ "$(leader_of "$edge")" = "$expected" ] || agreed=0
    done
    if [ $agreed = 1 ]; then
      say "ok: edges $* follow leader $expected after $(($(now_ms) - started_ms)) ms (bound $bound_s s)"
      return 0
    fi
    [ "$(now_ms)" -ge $deadline_ms ] && fail "edges $* do not all follow $expected within $bound_s s: $(leaders_of "$@")"
    sleep 0.2
  done
}

# The election bound the compose file's timeouts imply: leader silence, a higher edge's answer, the
# coordinator, plus 2 s for Docker itself (name resolution, reconnects) on a loaded machine.
election_bound_s() {
  local ms=$((${EDGECACHE_LEADER_TIMEOUT_MS:-500} + ${EDGECACHE_ANSWER_TIMEOUT_MS:-200} + ${EDGECACHE_COORDINATOR_TIMEOUT_MS:-600} + 2000))
  echo $(((ms + 999) / 1000))
}

# fetch SERVICE ID OUTPUT: GET /images/ID on the service's published port into OUTPUT; prints the HTTP status.
fetch() {
  curl -s --max-time 5 -o "$3" -w '%{http_code}' "http://$(published "$1")/images/$2" || true
}

# has_client: the image holds the edgecache-client CLI (written in net/ alongside this work).
has_client() { docker run --rm --entrypoint sh "$image" -c 'command -v edgecache-client' >/dev/null 2>&1; }
