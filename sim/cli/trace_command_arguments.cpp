#include "sim/cli/trace_command_arguments.h"

#include <cstdio>

#include "sim/cli/commands.h"

namespace edgecache::sim {

std::optional<TraceCommandArguments> parse_trace_command_arguments(const std::string& command,
                                                                   const std::vector<std::string>& args,
                                                                   const std::set<std::string>& value_flags,
                                                                   const std::set<std::string>& switch_flags) {
  TraceCommandArguments parsed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (value_flags.count(arg) != 0) {
      std::optional<std::string> value = flag_value(args, i);
      if (!value) return std::nullopt;
      parsed.values[arg] = *value;
    } else if (switch_flags.count(arg) != 0) {
      parsed.switches.insert(arg);
    } else if (arg.starts_with("-")) {
      std::fprintf(stderr, "%s: unknown option (see sim --help)\n", arg.c_str());
      return std::nullopt;
    } else {
      parsed.paths.push_back(arg);
    }
  }
  if (parsed.paths.empty()) {
    std::fprintf(stderr, "%s: no trace given (see sim --help)\n", command.c_str());
    return std::nullopt;
  }
  return parsed;
}

}  // namespace edgecache::sim
