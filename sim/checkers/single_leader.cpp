// Safety: at most one leader among edges that can reach each other, once elections have had time to settle.
//
// Bully lets two leaders coexist briefly (a Coordinator in flight, a partition just healed), so the check
// fires only when two running leaders with open links both ways have overlapped for longer than
// checks.leader_overlap_limit_ms, judged after every event and once more at the end of the run.

#include <map>
#include <set>

#include "sim/checkers/all_checkers.h"

namespace edgecache::sim {
namespace {

class SingleLeaderChecker final : public Checker {
 public:
  using Checker::Checker;
  const char* name() const override { return "single_leader"; }

  void after_edge_event(TimeUs /*now*/, NodeId edge, const EdgeObservable& view) override {
    if (view.status().role == Role::leader) {
      leaders_.insert(edge);
    } else {
      leaders_.erase(edge);
    }
  }

  void on_host_event(TimeUs /*now*/, NodeId node, HostEvent event) override {
    if (event == HostEvent::crashed || event == HostEvent::restarted) leaders_.erase(node);
  }

  void after_event(TimeUs now) override {
    if (leaders_.size() < 2 && overlaps_.empty()) return;
    const HostStates& world = context_.world;
    std::map<std::pair<NodeId, NodeId>, Overlap> still;
    for (auto a = leaders_.begin(); a != leaders_.end(); ++a) {
      for (auto b = std::next(a); b != leaders_.end(); ++b) {
        bool together = world.is_running(*a) && world.is_running(*b) && world.link_open(*a, *b) &&
                        world.link_open(*b, *a);
        if (!together) continue;
        auto key = std::make_pair(*a, *b);
        auto known = overlaps_.find(key);
        Overlap overlap = known == overlaps_.end() ? Overlap{now, false} : known->second;
        if (!overlap.reported && now - overlap.since_us > ms_to_us(context_.checks.leader_overlap_limit_ms)) {
          overlap.reported = true;
          violation(now, host(*b),
                    host(*a) + " and " + host(*b) + " have both led, able to reach each other, since t=" +
                        std::to_string(overlap.since_us / 1000) + " ms");
        }
        still.emplace(key, overlap);
      }
    }
    overlaps_ = std::move(still);
  }

  // The check above runs only when an event happens, and a quiet cluster (the classic protocol sends no
  // heartbeats) can let two leaders outlast the limit with no event after it; judge them once more at the end.
  void finish(TimeUs now, TimeUs /*quiet_since_us*/) override { after_event(now); }

 private:
  struct Overlap {
    TimeUs since_us;
    bool reported;
  };
  std::set<NodeId> leaders_;
  std::map<std::pair<NodeId, NodeId>, Overlap> overlaps_;
};

}  // namespace

std::unique_ptr<Checker> make_single_leader_checker(CheckContext& context) {
  return std::make_unique<SingleLeaderChecker>(context);
}

}  // namespace edgecache::sim
