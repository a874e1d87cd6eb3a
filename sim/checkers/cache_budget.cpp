// No edge's cache ever holds more bytes than its budget. Checked after every event the edge handles; an
// edge over budget is reported once, and again only if it recovers and goes over again.

#include <set>

#include "sim/checkers/all_checkers.h"

namespace edgecache::sim {
namespace {

class CacheBudgetChecker final : public Checker {
 public:
  using Checker::Checker;
  const char* name() const override { return "cache_budget"; }

  void after_edge_event(TimeUs now, NodeId edge, const EdgeObservable& view) override {
    EdgeStatus status = view.status();
    bool over = status.cache_bytes > status.cache_budget_bytes;
    if (over && over_.insert(edge).second) {
      violation(now, host(edge),
                "cache holds " + std::to_string(status.cache_bytes) + " bytes, over its budget of " +
                    std::to_string(status.cache_budget_bytes));
    } else if (!over) {
      over_.erase(edge);
    }
  }

 private:
  std::set<NodeId> over_;
};

}  // namespace

std::unique_ptr<Checker> make_cache_budget_checker(CheckContext& context) {
  return std::make_unique<CacheBudgetChecker>(context);
}

}  // namespace edgecache::sim
