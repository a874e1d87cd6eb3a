#!/usr/bin/env bash
# One scenario, both worlds, on Docker: `sim real --network docker` runs scenarios/partition_heal.json with
# every daemon in a container of the edgecache image, the partition done by moving edge-3's container to a
# Docker network of its own and the heal by moving it back. The real run, judged from the containers' node
# traces, must reach the simulator's verdict. EDGECACHE_SIM names the sim binary (set by ctest).
source "$(dirname "$0")/lib.sh"
require_docker
require_image
[ -x "${EDGECACHE_SIM:-}" ] || fail "EDGECACHE_SIM does not name the sim binary"

work=$(mktemp -d "${TMPDIR:-/tmp}/edgecache-real-docker.XXXXXX")
trap 'rm -rf "$work"' EXIT
report=$work/report.json
say "running scenarios/partition_heal.json on Docker (about 25 s)"
status=0
EDGECACHE_IMAGE=$image "$EDGECACHE_SIM" real "$docker_test_root/scenarios/partition_heal.json" --network docker --json \
  --work-dir "$work/run" >"$report" 2>"$work/stderr" || status=$?
if [ "$status" -gt 1 ]; then
  cat "$work/stderr" "$work/run/logs/docker.log" 2>/dev/null | tail -n 40
  fail "sim real exited $status"
fi
field() { python3 -c "import json,sys; d=json.load(open('$report')); print($1)"; }
check_equal "it ran on Docker" "Docker containers" "$(field 'd["network"]')"
check_equal "every fault was done for real" 0 "$(field 'd["unsupported_faults"]')"
check_equal "the real run passed its checks" True "$(field 'd["real"]["passed"]')"
check_equal "the real and simulated verdicts agree" True "$(field 'd["agree"]')"
check_equal "edge-3 leads again after the heal" edge-3 "$(field 'd["real"]["final_leader"]')"
check "the partition moved edge-3's container" grep -q "edge-3 to" <<<"$(field 'd["faults"][0]')"
# The Docker tests take turns (one cluster at a time), so any ecr* container or network left now is this run's.
check_equal "no container of the run is left" "" "$(docker ps -aq --filter name=ecr)"
check_equal "no network of the run is left" "" "$(docker network ls -q --filter name=ecr)"
