#include "sim/checkers/all_checkers.h"

namespace edgecache::sim {

std::vector<std::unique_ptr<Checker>> make_checkers(CheckContext& context) {
  std::vector<std::unique_ptr<Checker>> checkers;
  checkers.push_back(make_single_leader_checker(context));
  checkers.push_back(make_leader_liveness_checker(context));
  checkers.push_back(make_answered_once_checker(context));
  checkers.push_back(make_served_bytes_checker(context));
  checkers.push_back(make_cache_budget_checker(context));
  checkers.push_back(make_single_origin_fetch_checker(context));
  checkers.push_back(make_replication_checker(context));
  checkers.push_back(make_disk_recovery_checker(context));
  return checkers;
}

}  // namespace edgecache::sim
