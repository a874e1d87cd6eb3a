#!/usr/bin/env bash
# The original system's README, typed at the repository root exactly as it writes its commands: no -f, no -p,
# no variable that changes a name; the root .env names the compose file and the project. Each line is
# checked against what the README says it does: `up -d` starts containers named canonical-server and
# edge-server-1..3 on ports 9000 and 8001-8003, all healthy; `run --rm client` answers get_image and
# get_image_size for ids 123 and 456 with the canonical's sizes; `logs -f` follows short human lines from
# every service (and from one service when named); `ps` lists the four; `docker network ls` shows
# distributed-net; `exec edge-server-1 ping canonical-server` gets replies; `down` removes the containers and
# the network; the complete reset (`down && docker system prune -f && up -d --build`) serves again.
#
# Method: the README's `docker-compose` is called as written. A line meant for a terminal gets one: `exec`
# (which asks Docker for a tty) and `ping` (which runs until Ctrl-C) run under `script`, and Ctrl-C is typed
# into that terminal after a few replies, as a person would; `run` reads the menu choices from a pipe; `logs -f`
# is stopped by `timeout` after a few seconds. Because the names are the defaults, the test skips when a
# container, network or volume of those names exists that it did not make, or when the ports are taken; and
# because `docker system prune -f` removes every stopped container and unused network on the engine, it
# skips when there are any it did not make. Dangling images and build cache, which the prune also removes,
# are caches: the tagged images (edgecache:local, the Debian base images) survive it. The build stage's
# layers are untagged, so the reset compiles the daemons again, as on a user's machine (no tag keeps them for
# the test). When the base images were made by tools/docker-base (they carry its packages label), the reset
# must also work offline: its build output must show no package download or installation (no apt-get ran),
# and the build stage must report its packages installed already. An EXIT trap removes the containers,
# network and volumes of the project `edgecache`.
source "$(dirname "$0")/lib.sh"
require_docker
require_image
command -v docker-compose >/dev/null 2>&1 || skip "the README's docker-compose command is not installed"
command -v script >/dev/null 2>&1 || fail "script (util-linux) is not installed; it gives exec and ping a terminal"

# Bounds in seconds.
healthy_bound_s=120
logs_follow_s=5
ping_run_s=3
command_bound_s=60
# The reset rebuilds the image; with the build stage's layers gone it compiles the daemons again.
reset_bound_s=2400

services=(canonical-server edge-server-1 edge-server-2 edge-server-3)
declare -A port_of=([canonical-server]=9000 [edge-server-1]=8001 [edge-server-2]=8002 [edge-server-3]=8003)
project=edgecache

# What the repository's .env sets must decide every name, whatever the calling shell exports.
for variable in $(compgen -e); do
  case "$variable" in
    EDGECACHE_SANITIZE) ;;
    COMPOSE_* | EDGECACHE_*) unset "$variable" ;;
  esac
done
cd "$docker_test_root"
work_dir=$(mktemp -d "${TMPDIR:-/tmp}/edgecache-readme.XXXXXX")

# The engine's state this test must not touch, or that the README's names would collide with.
for name in "${services[@]}"; do
  [ -z "$(docker ps -aq --filter "name=^/$name\$")" ] || skip "a container named $name exists already (not made by this test)"
done
[ -z "$(docker network ls -q --filter name='^distributed-net$')" ] || skip "a network named distributed-net exists already"
[ -z "$(docker volume ls -q --filter "label=com.docker.compose.project=$project")" ] ||
  skip "volumes of the compose project $project exist already (a cluster of yours?): $(docker volume ls -q --filter "label=com.docker.compose.project=$project" | tr '\n' ' ')"
[ -z "$(docker ps -aq --filter "label=com.docker.compose.project=$project")" ] || skip "containers of the compose project $project exist already"
for port in 9000 8001 8002 8003; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then skip "port $port is in use"; fi
done
stopped=$(docker ps -aq --filter status=exited --filter status=created --filter status=dead)
[ -z "$stopped" ] || skip "docker system prune -f would remove stopped containers this test did not make: $(docker ps -a --format '{{.Names}}' --filter status=exited --filter status=created --filter status=dead | tr '\n' ' ')"
unused_networks=()
for network in $(docker network ls --format '{{.Name}}'); do
  case "$network" in bridge | host | none) continue ;; esac
  [ "$(docker network inspect -f '{{len .Containers}}' "$network")" = 0 ] && unused_networks+=("$network")
done
[ ${#unused_networks[@]} -eq 0 ] || skip "docker system prune -f would remove networks this test did not make: ${unused_networks[*]}"

cleanup() {
  local status=$?
  trap - EXIT
  set +e
  if [ "$status" != 0 ] && [ "$status" != "$skip_code" ]; then
    say "failed (exit $status); last log lines of every service:"
    docker-compose logs --no-color --tail 30 2>&1 | sed 's/^/    /'
  fi
  docker-compose --profile client down -v --remove-orphans --timeout 5 >/dev/null 2>&1
  rm -rf "$work_dir"
  say "cleanup done; total $((SECONDS - test_started)) s"
  exit "$status"
}
trap cleanup EXIT

# readme LINE...: runs one README line as written (through bash, so `&&` works), bounded, with its output in
# $work_dir/out; the test fails if it fails.
readme() {
  say "\$ $*"
  if ! timeout "${bound_s:-$command_bound_s}" bash -c "$*" >"$work_dir/out" 2>&1; then
    sed 's/^/    /' "$work_dir/out"
    fail "'$*' failed"
  fi
}

# The four containers, by the README's names, healthy within the bound; each answers on its README port.
wait_readme_cluster() {
  local deadline=$((SECONDS + healthy_bound_s)) name waiting
  while :; do
    waiting=()
    for name in "${services[@]}"; do
      [ "$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$name" 2>/dev/null)" = healthy ] || waiting+=("$name")
    done
    [ ${#waiting[@]} -eq 0 ] && break
    [ $SECONDS -ge $deadline ] && fail "not healthy within $healthy_bound_s s: ${waiting[*]}"
    sleep 1
  done
  for name in "${services[@]}"; do
    check_equal "$name is of the compose project $project" "$project" \
      "$(docker inspect -f '{{index .Config.Labels "com.docker.compose.project"}}' "$name")"
    check_equal "$name answers on host port ${port_of[$name]}" 200 \
      "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:${port_of[$name]}/healthz")"
  done
}

# canonical_size ID: the size in bytes of the canonical's file for image ID.
canonical_size() { docker exec canonical-server stat -c %s "/var/lib/edgecache/images/image$1.png"; }

# The interactive client, fed from a pipe: get_image then get_image_size for 123 and 456, then exit.
check_interactive_client() {
  say "\$ docker-compose run --rm client    (typing: 1 123, 2 123, 1 456, 2 456, 3)"
  printf '1\n123\n2\n123\n1\n456\n2\n456\n3\n' | timeout "$command_bound_s" docker-compose run --rm client >"$work_dir/client" 2>&1 ||
    { sed 's/^/    /' "$work_dir/client"; fail "docker-compose run --rm client failed"; }
  grep -q '1) get_image' "$work_dir/client" || { cat "$work_dir/client"; fail "the client showed no menu"; }
  local id size
  for id in 123 456; do
    size=$(canonical_size "$id")
    # The prompts end without a newline, so an answer follows them on the same line.
    grep -q "image $id: $size bytes from edge-server-[123]:800[123], saved to \./downloaded_image_$id\.jpg\$" <(tr -d '\r' <"$work_dir/client") ||
      { cat "$work_dir/client"; fail "get_image $id did not report the canonical's $size bytes"; }
    grep -q "image $id: $size bytes (edge-server-[123]:800[123])\$" <(tr -d '\r' <"$work_dir/client") ||
      { cat "$work_dir/client"; fail "get_image_size $id did not answer the canonical's $size bytes"; }
    docker-compose run --rm -T client cat "/downloads/downloaded_image_$id.jpg" >"$work_dir/downloaded" 2>/dev/null
    docker exec canonical-server cat "/var/lib/edgecache/images/image$id.png" >"$work_dir/original"
    cmp -s "$work_dir/original" "$work_dir/downloaded" || fail "downloaded_image_$id.jpg differs from the canonical's image$id.png"
    say "ok: image $id: get_image saved the canonical's $size bytes, get_image_size answered $size"
  done
}

# --- docker-compose up -d canonical-server edge-server-1 edge-server-2 edge-server-3
started=$SECONDS
readme docker-compose up -d canonical-server edge-server-1 edge-server-2 edge-server-3
wait_readme_cluster
say "ok: the four containers are up and healthy under the README's names and ports ($((SECONDS - started)) s)"
count=$(docker exec canonical-server sh -c 'ls /var/lib/edgecache/images | wc -l')
check "the sample set holds ids 1..1000 at least ($count files)" test "$count" -ge 1000
volume_kib=$(docker exec canonical-server du -sk /var/lib/edgecache/images | cut -f1)
say "the images volume holds $count files, $((volume_kib / 1024)) MiB"

# --- docker-compose run --rm client
check_interactive_client

# --- docker-compose logs -f: it follows (still running when stopped) and shows human lines from every service.
say "\$ docker-compose logs -f    (stopped after $logs_follow_s s)"
status=0
timeout "$logs_follow_s" docker-compose logs -f >"$work_dir/logs" 2>&1 || status=$?
check_equal "docker-compose logs -f was still following when stopped (timeout's exit status)" 124 "$status"
sed -i 's/\x1b\[[0-9;]*m//g; s/\r$//' "$work_dir/logs"
time_node_level='[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} (canonical|edge-[123]) (DEBUG|INFO|WARN|ERROR) '
for name in "${services[@]}"; do
  lines=$(grep -cE "^$name +\| $time_node_level" "$work_dir/logs" || true)
  check "docker-compose logs -f shows human lines from $name ($lines)" test "$lines" -gt 0
done
check "no JSON lines by default" test -z "$(grep -E '^[a-z0-9-]+ +\| \{' "$work_dir/logs" || true)"
check "the log tells who leads" grep -qE "^edge-server-1 +\| .* INFO leader elected: edge-3 \(epoch [0-9]+\)$" "$work_dir/logs"
check "the log shows the miss and origin fetch of image 123" grep -qE "INFO miss: image 123, fetching it from the canonical$" "$work_dir/logs"
check "the log shows the canonical's answer" grep -qE "^canonical-server +\| .* canonical INFO sent image 123 to edge-[123] \($(canonical_size 123) bytes\)$" "$work_dir/logs"
check "the log shows replication of image 123" grep -qE "INFO replicated image 123 from edge-[123] \([0-9]+ bytes\)$" "$work_dir/logs"
say "a sample of what docker-compose logs -f shows:"
grep -E "image 123|leader elected" "$work_dir/logs" | head -n 8 | sed 's/^/    /'

# --- docker-compose logs -f SERVICE, for each service
for name in "${services[@]}"; do
  status=0
  timeout "$logs_follow_s" docker-compose logs -f "$name" >"$work_dir/logs" 2>&1 || status=$?
  sed -i 's/\x1b\[[0-9;]*m//g; s/\r$//' "$work_dir/logs"
  others=$(grep -vE "^$name +\| |^Attaching to $name\$" "$work_dir/logs" | grep -c . || true)
  lines=$(grep -cE "^$name +\| $time_node_level" "$work_dir/logs" || true)
  if [ "$status" != 124 ] || [ "$lines" = 0 ] || [ "$others" != 0 ]; then
    head -n 20 "$work_dir/logs"
    fail "docker-compose logs -f $name: exit $status (124 means following), $lines lines of its own, $others of others"
  fi
  say "ok: docker-compose logs -f $name follows $lines human lines of $name alone"
done

# --- docker-compose ps
readme docker-compose ps
for name in "${services[@]}"; do
  grep -qE "^$name +.* Up \(healthy\)" "$work_dir/out" || { cat "$work_dir/out"; fail "docker-compose ps does not list $name as Up (healthy)"; }
done
say "ok: docker-compose ps lists the four, Up (healthy)"

# --- docker network ls
readme docker network ls
check "docker network ls shows distributed-net" grep -qE "^[0-9a-f]+ +distributed-net +bridge " "$work_dir/out"

# --- docker-compose exec edge-server-1 ping canonical-server, in a terminal, stopped with Ctrl-C.
say "\$ docker-compose exec edge-server-1 ping canonical-server    (Ctrl-C after $ping_run_s s)"
status=0
(sleep "$ping_run_s"; printf '\003') |
  timeout "$command_bound_s" script -qec "docker-compose exec edge-server-1 ping canonical-server" /dev/null >"$work_dir/ping" 2>&1 ||
  status=$?
tr -d '\r' <"$work_dir/ping" >"$work_dir/ping.txt"
if [ "$status" != 0 ] || ! grep -qE "^PING canonical-server " "$work_dir/ping.txt" ||
  ! grep -qE "^[0-9]+ bytes from .* icmp_seq=1 " "$work_dir/ping.txt" ||
  ! grep -qE "[0-9]+ packets transmitted, [1-9][0-9]* received" "$work_dir/ping.txt"; then
  cat "$work_dir/ping.txt"
  fail "ping from edge-server-1 to canonical-server: exit $status, or no reply"
fi
say "ok: edge-server-1 pings canonical-server: $(grep -E 'packets transmitted' "$work_dir/ping.txt")"

# --- docker-compose down
readme docker-compose down
for name in "${services[@]}"; do
  check_equal "docker-compose down removed $name" "" "$(docker ps -aq --filter "name=^/$name\$")"
done
check_equal "docker-compose down removed distributed-net" "" "$(docker network ls -q --filter name='^distributed-net$')"

# --- the complete reset
tagged_images=("$image" debian:bookworm debian:bookworm-slim)
for tagged in "${tagged_images[@]}"; do
  docker image inspect "$tagged" >/dev/null 2>&1 || fail "image $tagged is missing before the reset"
done
offline_bases=1
for base in debian:bookworm debian:bookworm-slim; do
  [ -n "$(docker image inspect -f '{{index .Config.Labels "org.edgecache.docker-base.packages"}}' "$base")" ] || offline_bases=0
done
started=$SECONDS
bound_s=$reset_bound_s readme "docker-compose down && docker system prune -f && docker-compose up -d --build"
reset_s=$((SECONDS - started))
grep -E '^Total reclaimed space' "$work_dir/out" | sed 's/^/    prune: /' || true
# apt-get's own output: fetched or refreshed indexes and packages, unpacking and configuring. The Dockerfile's
# RUN lines name apt-get (the fallback for stock images), so its name alone proves nothing.
apt_activity=$(grep -E '^(Get|Hit|Ign|Err):[0-9]+ |Reading package lists|^(Unpacking|Setting up) ' "$work_dir/out" || true)
if [ "$offline_bases" = 1 ]; then
  if [ -n "$apt_activity" ]; then
    printf '%s\n' "$apt_activity" | head -n 10 | sed 's/^/    /'
    fail "the complete reset ran apt-get (above): it needs Debian's archive, although the base images hold the packages"
  fi
  say "ok: the complete reset ran no apt-get: with tools/docker-base's images it needs no network"
  if grep -q 'Building CXX object' "$work_dir/out"; then
    check "the reset's build stage found its packages installed" grep -q 'build packages installed already' "$work_dir/out"
  fi
else
  say "the base images are stock ones (not made by tools/docker-base): the reset may fetch packages ($(printf '%s' "$apt_activity" | grep -c . || true) apt lines)"
fi
for tagged in "${tagged_images[@]}"; do
  docker image inspect "$tagged" >/dev/null 2>&1 || fail "the reset removed the image $tagged"
done
say "ok: the images ${tagged_images[*]} survive the reset"
if grep -q 'Building\|Step [0-9]' "$work_dir/out"; then
  compiled=$(grep -c 'Building CXX object' "$work_dir/out" || true)
  say "the reset rebuilt the image in $reset_s s ($compiled C++ files compiled; 0 means every layer came from the cache)"
else
  say "the reset took $reset_s s and built nothing"
fi
wait_readme_cluster
say "ok: after the complete reset the cluster is healthy again ($((SECONDS - started)) s in all)"
check_interactive_client
