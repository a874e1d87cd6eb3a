#!/usr/bin/env bash
# Failover: while the client container runs a load through all three edges, `docker kill` (SIGKILL) of the
# leader, edge 3. Edges 1 and 2 must follow edge 2 within the election bound the configured timeouts imply,
# and the client run, which fails over to the next edge, must end with no failed request.
source "$(dirname "$0")/lib.sh"
require_docker
require_image
has_client || fail "the image holds no edgecache-client; this test needs the client's load command"
setup_project
start_cluster
wait_leaders 30 3 1 2 3

duration_s=12
say "client load for $duration_s s through all edges; the leader dies 3 s into it"
compose run --rm -T client edgecache-client load --concurrency 4 --rate 100 --duration-s "$duration_s" \
  --ids uniform --images "$image_count" >"$work_dir/load.log" 2>&1 &
load_pid=$!
# The leader dies 3 s into the run: wait for the client's container to be running first (bounded).
deadline=$((SECONDS + 60))
until [ -n "$(docker ps -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" --filter label=com.docker.compose.oneoff=True)" ]; do
  [ $SECONDS -ge $deadline ] && fail "the client container did not start within 60 s"
  kill -0 "$load_pid" 2>/dev/null || { cat "$work_dir/load.log"; fail "the client run ended before the kill"; }
  sleep 0.2
done
sleep 3
docker kill "$(container_of edge-server-3)" >/dev/null
say "killed edge-server-3 (the leader)"
wait_leaders "$(election_bound_s)" 2 1 2

load_status=0
wait "$load_pid" || load_status=$?
sed 's/^/    client: /' "$work_dir/load.log"
check_equal "the client run during the kill ends with no failed request (exit status)" 0 "$load_status"
