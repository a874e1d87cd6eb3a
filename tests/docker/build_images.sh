#!/usr/bin/env bash
# Setup of the Docker tests (ctest fixture docker_images): makes the Debian base images if the engine has
# none, or made them without the Dockerfile's packages (tools/docker-base: debootstrap + docker import, since
# the engine cannot pull), then builds the edgecache image from the current tree with docker/Dockerfile.
# Base images made by tools/docker-base hold every package the Dockerfile installs, so the build then runs
# with `--network none`: it proves that the image builds offline (what the complete reset needs after
# `docker system prune -f`). Layer caching makes a rebuild with unchanged sources take seconds; a cold run
# (no base images) takes several minutes.
source "$(dirname "$0")/lib.sh"
require_docker

started=$SECONDS
"$docker_test_root/tools/docker-base"
say "base images ready in $((SECONDS - started)) s"

started=$SECONDS
log=$(mktemp "${TMPDIR:-/tmp}/edgecache-docker-build.XXXXXX")
trap 'rm -f "$log"' EXIT
# Test runs started at the same time build one after the other: the later one then mostly hits the layer
# cache instead of compiling the same sources again beside the first.
exec 9>/var/tmp/edgecache-docker-build.lock
if ! flock -n 9; then
  say "another image build is running; waiting for it (60 min at most)"
  flock -w 3600 9 || fail "the image build lock /var/tmp/edgecache-docker-build.lock is still held after 60 min"
fi
# Base images labelled by tools/docker-base hold the packages: no network for the build. Stock images
# (pulled from a registry) get the packages from Debian's archive.
base_image=${EDGECACHE_BASE_IMAGE:-debian:bookworm}
runtime_image=${EDGECACHE_RUNTIME_IMAGE:-debian:bookworm-slim}
packages_label() { docker image inspect -f '{{index .Config.Labels "org.edgecache.docker-base.packages"}}' "$1" 2>/dev/null || true; }
network_args=()
if [ -n "$(packages_label "$base_image")" ] && [ -n "$(packages_label "$runtime_image")" ]; then
  network_args=(--network none)
  say "the base images hold the Dockerfile's packages (tools/docker-base): building with --network none"
fi
if ! docker build --force-rm "${network_args[@]}" -f "$docker_test_root/docker/Dockerfile" -t "$image" \
  --build-arg "BASE_IMAGE=${EDGECACHE_BASE_IMAGE:-debian:bookworm}" \
  --build-arg "RUNTIME_IMAGE=${EDGECACHE_RUNTIME_IMAGE:-debian:bookworm-slim}" "$docker_test_root" >"$log" 2>&1; then
  tail -n 60 "$log"
  fail "docker build failed after $((SECONDS - started)) s"
fi
say "image $image built in $((SECONDS - started)) s, size $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.1f MB", $1 / 1e6}')"
if [ ${#network_args[@]} -gt 0 ]; then
  check "the offline build ran no apt-get" test -z "$(grep -E '^(Get|Hit|Err):[0-9]+ |^Reading package lists|^Setting up ' "$log" || true)"
fi
# Earlier versions of this script tagged the build stage (edgecache-build:local) so that `docker system prune
# -f` kept its layers, which hid from tests/docker/original_readme.sh what a user's complete reset does:
# compile again. Remove that tag; the prune then treats the build stage as it does on a user's machine.
build_stage_image=${image%%:*}-build:${image#*:}
if docker image inspect "$build_stage_image" >/dev/null 2>&1; then
  docker image rm "$build_stage_image" >/dev/null && say "removed the tag $build_stage_image left by an earlier version of this test"
fi

# The runtime image holds what it must and nothing it must not.
run_in_image() { docker run --rm --entrypoint bash "$image" -c "$1"; }
check "the daemon runs and prints its help" run_in_image 'edgecache-server --help | grep -q -- --http-listen'
check "the daemon's shared libraries resolve" run_in_image '! ldd /usr/local/bin/edgecache-server | grep -q "not found"'
check "no compiler in the runtime image" run_in_image '! command -v g++ && ! command -v cc && ! command -v c++'
check_equal "the image runs as the non-root user edgecache" edgecache "$(run_in_image 'id -un')"
check "the image declares a HEALTHCHECK" test -n "$(docker image inspect -f '{{if .Config.Healthcheck}}{{.Config.Healthcheck.Test}}{{end}}' "$image")"
