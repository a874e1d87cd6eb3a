#!/usr/bin/env bash
# Partition: `docker network disconnect` of the leader, edge 3, from distributed-net. Edges 1 and 2 elect
# edge 2 within the election bound; the isolated edge keeps serving its own port and, under Bully, leads
# itself (reported). After `docker network connect` (with the service name as alias, as compose gives it)
# the three edges converge on one leader, edge 3.
source "$(dirname "$0")/lib.sh"
start_led_cluster

edge3=$(container_of edge-server-3)
docker network disconnect "$EDGECACHE_NETWORK_NAME" "$edge3"
say "disconnected edge-server-3 from $EDGECACHE_NETWORK_NAME"
wait_leaders "$(election_bound_s)" 2 1 2
isolated_status=$(inside_get edge-server-3 /status)
say "the isolated edge 3 reports: $isolated_status"
check "the isolated edge 3 still answers /status" test -n "$isolated_status"
say "the isolated edge 3 believes the leader is $(leader_of 3) (Bully: itself)"

docker network connect --alias edge-server-3 "$EDGECACHE_NETWORK_NAME" "$edge3"
say "reconnected edge-server-3"
wait_leaders 20 3 1 2 3
check_equal "exactly one edge has the leader role after the heal" 1 "$(leader_count)"
