// Liveness: after the last fault and a quiet period, the edges in each connected group agree on one leader,
// the group's highest id, at one epoch. (Bully's promise: the highest live id leads.)

#include "sim/checkers/all_checkers.h"

namespace edgecache::sim {
namespace {

class LeaderLivenessChecker final : public Checker {
 public:
  using Checker::Checker;
  const char* name() const override { return "leader_liveness"; }

  void finish(TimeUs now, TimeUs quiet_since_us) override {
    if (!quiet_long_enough(now, quiet_since_us)) return;
    for (const std::vector<NodeId>& group : connected_edge_groups()) {
      NodeId highest = group.back();
      const EdgeObservable* top = context_.edge_view(highest);
      Epoch epoch = top != nullptr ? top->status().epoch : 0;
      for (NodeId edge : group) {
        const EdgeObservable* view = context_.edge_view(edge);
        if (view == nullptr) continue;
        EdgeStatus status = view->status();
        if (status.leader != highest) {
          violation(now, host(edge),
                    "follows " + (status.leader ? host(*status.leader) : std::string("no leader")) + " (" +
                        role_name(status.role) + "), but the highest live edge in its group is " + host(highest));
        } else if (status.epoch != epoch) {
          violation(now, host(edge),
                    "is at epoch " + std::to_string(status.epoch) + " but its leader " + host(highest) +
                        " is at epoch " + std::to_string(epoch));
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Checker> make_leader_liveness_checker(CheckContext& context) {
  return std::make_unique<LeaderLivenessChecker>(context);
}

}  // namespace edgecache::sim
