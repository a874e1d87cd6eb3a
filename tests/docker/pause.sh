#!/usr/bin/env bash
# Pause: `docker pause` of the leader, edge 3 (its processes freeze with their beliefs, as SIGSTOP). Edges 1
# and 2 elect edge 2 within the election bound. After `docker unpause` the woken edge finds a newer epoch;
# at the end all three edges follow one leader, and exactly one edge has the leader role.
source "$(dirname "$0")/lib.sh"
start_led_cluster

docker pause "$(container_of edge-server-3)" >/dev/null
say "paused edge-server-3 (the leader)"
wait_leaders "$(election_bound_s)" 2 1 2
sleep 2
docker unpause "$(container_of edge-server-3)" >/dev/null
say "unpaused edge-server-3"
wait_leaders 20 3 1 2 3
check_equal "exactly one edge has the leader role at the end" 1 "$(leader_count)"
