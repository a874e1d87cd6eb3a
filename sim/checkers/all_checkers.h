#pragma once
// Factories for the individual checkers; make_checkers() in all_checkers.cpp lists them in report order.

#include <memory>

#include "sim/checkers/checker.h"

namespace edgecache::sim {

std::unique_ptr<Checker> make_single_leader_checker(CheckContext& context);
std::unique_ptr<Checker> make_leader_liveness_checker(CheckContext& context);
std::unique_ptr<Checker> make_answered_once_checker(CheckContext& context);
std::unique_ptr<Checker> make_served_bytes_checker(CheckContext& context);
std::unique_ptr<Checker> make_cache_budget_checker(CheckContext& context);
std::unique_ptr<Checker> make_single_origin_fetch_checker(CheckContext& context);
std::unique_ptr<Checker> make_replication_checker(CheckContext& context);
std::unique_ptr<Checker> make_disk_recovery_checker(CheckContext& context);

}  // namespace edgecache::sim
