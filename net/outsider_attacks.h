#pragma once
// The attacks an outsider can make on a peer port with the frame format but without the cluster key, as
// bytes: hellos claiming real and unknown ids, the authenticated handshake with a made-up proof, and the
// forged messages that once poisoned caches and stalled elections (a Coordinator with the largest epoch,
// pull orders, spoofed and unrequested image replies, forged inventories). Pure functions; the outsider
// test (tests/net/outsider_test.cpp) and edgecache-peer-probe send them and judge the answers.

#include <optional>
#include <string>
#include <vector>

#include "core/types.h"

namespace edgecache::net {

struct OutsiderAttack {
  std::string name;  // Says what is sent, e.g. "plain hello as node 3, then forged messages".
  std::string bytes;
  // Whether a node that requires the key answers with its challenge before closing (an authenticated hello
  // for it from a configured id); otherwise it closes without a byte.
  bool challenge_expected = false;
};

// The attacks on node `target`, claiming each of `claimed_ids` in turn.
std::vector<OutsiderAttack> outsider_attacks(NodeId target, const std::vector<NodeId>& claimed_ids,
                                             const std::vector<NodeId>& configured_ids);

// Judges what `target` sent back before closing the connection: nothing if that is a refusal, else a
// sentence saying what went wrong.
std::optional<std::string> judge_outsider_reply(const OutsiderAttack& attack, NodeId target, const std::string& reply);

}  // namespace edgecache::net
