// Replication is complete after the quiet period: in each connected group of running edges, every edge holds
// every image that any edge of the group holds. Replicas only go into free space, so the check applies to a
// group whose combined images fit in its smallest cache; a group under cache pressure is skipped, and the
// verdict says so.

#include <set>

#include "sim/checkers/all_checkers.h"

namespace edgecache::sim {
namespace {

constexpr std::size_t max_missing_listed = 5;

class ReplicationChecker final : public Checker {
 public:
  using Checker::Checker;
  const char* name() const override { return "replication_complete"; }

  void finish(TimeUs now, TimeUs quiet_since_us) override {
    if (!quiet_long_enough(now, quiet_since_us)) return;
    std::size_t checked = 0;
    std::string pressure;
    for (const std::vector<NodeId>& group : connected_edge_groups()) {
      std::set<ImageId> all;
      std::uint64_t smallest_budget = UINT64_MAX;
      for (NodeId edge : group) {
        const EdgeObservable* view = context_.edge_view(edge);
        for (ImageId image_id : view->cached_images()) all.insert(image_id);
        smallest_budget = std::min(smallest_budget, view->status().cache_budget_bytes);
      }
      std::uint64_t total_bytes = 0;
      for (ImageId image_id : all) {
        if (auto info = context_.catalog.info(image_id)) total_bytes += info->size_bytes;
      }
      if (total_bytes > smallest_budget) {
        pressure = "cache pressure: a group's images take " + std::to_string(total_bytes) +
                   " bytes, more than its smallest budget of " + std::to_string(smallest_budget);
        continue;
      }
      ++checked;
      for (NodeId edge : group) {
        std::vector<ImageId> held = context_.edge_view(edge)->cached_images();
        std::set<ImageId> have(held.begin(), held.end());
        std::vector<ImageId> missing;
        for (ImageId image_id : all) {
          if (have.count(image_id) == 0) missing.push_back(image_id);
        }
        if (missing.empty()) continue;
        std::string listed;
        for (std::size_t i = 0; i < missing.size() && i < max_missing_listed; ++i) {
          listed += (i == 0 ? "" : ", ") + std::to_string(missing[i]);
        }
        if (missing.size() > max_missing_listed) listed += ", ...";
        violation(now, host(edge),
                  "lacks " + std::to_string(missing.size()) + " of the group's " + std::to_string(all.size()) +
                      " images (" + listed + ")");
      }
    }
    if (checked == 0 && !pressure.empty()) skip(pressure);
  }
};

}  // namespace

std::unique_ptr<Checker> make_replication_checker(CheckContext& context) {
  return std::make_unique<ReplicationChecker>(context);
}

}  // namespace edgecache::sim
