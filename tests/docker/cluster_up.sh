#!/usr/bin/env bash
# The cluster comes up healthy; images fetched through each edge's published port, and through the client
# container on distributed-net, equal the canonical's files byte for byte; /status on every edge names the
# highest edge id, 3, as leader; the client service's default command, the original's menu, downloads
# and sizes images; a second fetch of an image is a cache hit on that edge (/metrics); an edge
# restarted by Docker reloads its cache from its volume (--data-dir).
source "$(dirname "$0")/lib.sh"
start_led_cluster

for edge in 1 2 3; do
  for id in $(seq "$edge" 3 "$image_count"); do
    status=$(fetch "edge-server-$edge" "$id" "$work_dir/got")
    [ "$status" = 200 ] || fail "edge $edge image $id: HTTP $status"
    cmp -s "$images_dir/image$id.jpg" "$work_dir/got" || fail "edge $edge image $id: bytes differ from the canonical's file"
  done
  say "ok: edge $edge served images $(seq -s, "$edge" 3 "$image_count") with the canonical's bytes"
done
status=$(fetch canonical-server 7 "$work_dir/canonical7")
check_equal "the canonical serves image 7" 200 "$status"
check "the canonical's bytes equal its file" cmp -s "$images_dir/image7.jpg" "$work_dir/canonical7"

hits_before=$(curl -s --max-time 5 "http://$(published edge-server-1)/metrics" | awk '/^edgecache_.*hits[_a-z]* / {sum += $2} END {print sum + 0}')
fetch edge-server-1 1 "$work_dir/again" >/dev/null
hits_after=$(curl -s --max-time 5 "http://$(published edge-server-1)/metrics" | awk '/^edgecache_.*hits[_a-z]* / {sum += $2} END {print sum + 0}')
check "a second fetch of image 1 on edge 1 is a cache hit ($hits_before -> $hits_after hits)" test "$hits_after" -gt "$hits_before"

if has_client; then
  for edge in 1 2 3; do
    id=$((edge + 3))
    compose run --rm -T -e "EDGECACHE_EDGES=edge-server-$edge:800$edge" client \
      edgecache-client get "$id" -o "/downloads/image$id.jpg" >"$work_dir/client.log" 2>&1 ||
      { cat "$work_dir/client.log"; fail "edgecache-client get $id through edge $edge failed"; }
    compose run --rm -T client cat "/downloads/image$id.jpg" >"$work_dir/client$id"
    cmp -s "$images_dir/image$id.jpg" "$work_dir/client$id" || fail "client container: image $id through edge $edge differs"
  done
  say "ok: the client container fetched through each edge the canonical's bytes into the downloads volume"
  # The service's default command is the original's menu: get image 5, ask the size of image 6, exit.
  printf '1\n5\n2\n6\n3\n' | compose run --rm -T client >"$work_dir/interactive.log" 2>&1 ||
    { cat "$work_dir/interactive.log"; fail "the interactive client failed"; }
  grep -q "1) get_image" "$work_dir/interactive.log" || { cat "$work_dir/interactive.log"; fail "the interactive client showed no menu"; }
  compose run --rm -T client cat /downloads/downloaded_image_5.jpg >"$work_dir/interactive5" 2>/dev/null
  check "the interactive client saved downloaded_image_5.jpg with the canonical's bytes" cmp -s "$images_dir/image5.jpg" "$work_dir/interactive5"
  check "the interactive client printed the size of image 6" grep -q "$(stat -c %s "$images_dir/image6.jpg")" "$work_dir/interactive.log"
else
  fail "the image holds no edgecache-client, so the client container cannot be checked"
fi

items() { status_of "$1" | grep -o '"cache_items":[0-9]*' | cut -d: -f2; }
items_before=$(items 1)
compose restart --timeout 5 edge-server-1 >/dev/null 2>&1
forget_published edge-server-1
published edge-server-1 >/dev/null
wait_healthy 60
items_after=$(items 1)
check "edge 1 restarted with its cache volume still holds its items ($items_before -> $items_after)" \
  test "${items_after:-0}" -gt 0 -a "${items_after:-0}" -ge "${items_before:-1}"
status=$(fetch edge-server-1 4 "$work_dir/after-restart")
check_equal "edge 1 serves image 4 after the restart" 200 "$status"
check "image 4 after the restart has the canonical's bytes" cmp -s "$images_dir/image4.jpg" "$work_dir/after-restart"
