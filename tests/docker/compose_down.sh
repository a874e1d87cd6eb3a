#!/usr/bin/env bash
# Complete reset, in the default setup (the canonical fills its empty images volume with generated sample
# images): after the cluster ran and the client container wrote a download, `compose down -v` (with the
# client profile) leaves no container, no network and no volume of the project behind.
source "$(dirname "$0")/lib.sh"
require_docker
require_image
setup_project
sample_images=1 start_cluster
content_type=$(curl -s --max-time 5 -o "$work_dir/sample1" -w '%{http_code} %{content_type}' "http://$(published edge-server-1)/images/1")
check_equal "the canonical generated sample images into its empty volume (image 1 through edge 1)" "200 image/png" "$content_type"
compose run --rm -T client edgecache-client get 1 -o /downloads/image1.png >"$work_dir/client.log" 2>&1 ||
  { cat "$work_dir/client.log"; fail "the client container could not fetch image 1"; }
label="label=com.docker.compose.project=$COMPOSE_PROJECT_NAME"
say "before: $(docker ps -aq --filter "$label" | wc -l) containers, $(docker volume ls -q --filter "$label" | wc -l) volumes"
started=$SECONDS
compose --profile client down -v --timeout 5 >"$work_dir/down.log" 2>&1 || { cat "$work_dir/down.log"; fail "compose down -v failed"; }
say "compose down -v took $((SECONDS - started)) s"
check_equal "containers left" 0 "$(docker ps -aq --filter "$label" | wc -l)"
check_equal "volumes left" 0 "$(docker volume ls -q --filter "$label" | wc -l)"
check_equal "networks left" 0 "$(docker network ls -q --filter "name=^${EDGECACHE_NETWORK_NAME}\$" | wc -l)"
