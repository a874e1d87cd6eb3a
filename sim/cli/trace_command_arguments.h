#pragma once
// The command line of the commands that read a real run's node traces (check, replay-node, from-trace):
// trace files, flags with a value and switches, in any order.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace edgecache::sim {

struct TraceCommandArguments {
  std::vector<std::string> paths;               // The trace files, in the order given.
  std::map<std::string, std::string> values;    // Each flag of `value_flags` given, with its value.
  std::set<std::string> switches;               // Each flag of `switch_flags` given.
};

// Parses the arguments of `command` (named in messages). On an unknown option, a flag without its value or
// no trace file, prints the reason to stderr and returns nothing.
std::optional<TraceCommandArguments> parse_trace_command_arguments(const std::string& command,
                                                                   const std::vector<std::string>& args,
                                                                   const std::set<std::string>& value_flags,
                                                                   const std::set<std::string>& switch_flags);

}  // namespace edgecache::sim
