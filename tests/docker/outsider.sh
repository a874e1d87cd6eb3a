#!/usr/bin/env bash
# An outsider on distributed-net, in a container that holds no cluster key, plays every attack of
# net/outsider_attacks.h (edgecache-peer-probe: hellos claiming real and unknown ids, made-up proofs, a
# Coordinator with the largest epoch, pull orders, spoofed image replies, forged inventories) against every
# daemon's peer port. Each attack is refused; the leader and every edge's epoch stay where they were; every
# edge still serves the canonical's bytes; each daemon counted the refusals in /metrics.
source "$(dirname "$0")/lib.sh"
start_led_cluster

epoch_of() { status_of "$1" | grep -o '"epoch":[0-9]*' | cut -d: -f2; }
declare -A epoch_before
for edge in 1 2 3; do epoch_before[$edge]=$(epoch_of "$edge"); done

for target in canonical-server:100 edge-server-1:1 edge-server-2:2 edge-server-3:3; do
  host=${target%%:*}
  id=${target##*:}
  # The probe's container mounts no cluster-key volume and is given no secret: it is a stranger that only
  # knows the network and the frame format.
  if ! docker run --rm --network "$EDGECACHE_NETWORK_NAME" --entrypoint edgecache-peer-probe "$image" \
    "$host:7000" "$id" 1,2,3,100 555 >"$work_dir/probe-$host.log" 2>&1; then
    cat "$work_dir/probe-$host.log"
    fail "edgecache-peer-probe against $host found an attack that was not refused"
  fi
  say "ok: $host refused all $(grep -c '^refused' "$work_dir/probe-$host.log") attacks"
done

wait_leaders 5 3 1 2 3 >/dev/null
for edge in 1 2 3; do
  check_equal "edge $edge's epoch is unchanged" "${epoch_before[$edge]}" "$(epoch_of "$edge")"
  refused=$(curl -s --max-time 5 "http://$(published "edge-server-$edge")/metrics" |
    awk '/^edgecache_peer_(auth|unknown_id)_refused_total / {sum += $2} END {print sum + 0}')
  check "edge $edge counted the refusals in /metrics ($refused)" test "$refused" -ge 8
  for id in 1 5 9; do
    status=$(fetch "edge-server-$edge" "$id" "$work_dir/got")
    [ "$status" = 200 ] || fail "edge $edge image $id after the attacks: HTTP $status"
    cmp -s "$images_dir/image$id.jpg" "$work_dir/got" || fail "edge $edge image $id after the attacks: bytes differ"
  done
done
say "ok: every edge serves the canonical's bytes after the attacks"
