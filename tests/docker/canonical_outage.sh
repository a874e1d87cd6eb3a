#!/usr/bin/env bash
# Origin outage: images 1-10 are fetched through edge 1 (so it caches them); then the canonical container is
# stopped. Edge 1 still serves images 1-10 with the canonical's bytes, and answers 503 for images 21-30,
# which no edge has fetched.
source "$(dirname "$0")/lib.sh"
start_led_cluster

for id in $(seq 1 10); do
  status=$(fetch edge-server-1 "$id" "$work_dir/got")
  [ "$status" = 200 ] || fail "warming: edge 1 image $id: HTTP $status"
done
say "edge 1 cached images 1-10"
compose stop --timeout 5 canonical-server >/dev/null 2>&1
say "stopped canonical-server"
for id in $(seq 1 10); do
  status=$(fetch edge-server-1 "$id" "$work_dir/got")
  [ "$status" = 200 ] || fail "canonical down: cached image $id: HTTP $status, expected 200"
  cmp -s "$images_dir/image$id.jpg" "$work_dir/got" || fail "canonical down: cached image $id: bytes differ"
done
say "ok: cached images 1-10 still served with the canonical's bytes"
for id in $(seq 21 30); do
  status=$(fetch edge-server-1 "$id" "$work_dir/got")
  [ "$status" = 503 ] || fail "canonical down: uncached image $id: HTTP $status, expected 503"
done
say "ok: uncached images 21-30 answer 503"
