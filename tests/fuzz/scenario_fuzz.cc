// Fuzz target `scenario`: the scenario loader (sim/scenario.h) on arbitrary text, as `sim`, `sim sweep`
// and `sim real` read a user's file. It must answer with a scenario or an error value; an exception that
// escapes it, a crash or a hang is a bug.
//
// Method: load the text. Exactly one of a scenario and an error comes back, and an error names its field
// and reason. A loaded scenario must survive its own writer: scenario_to_json is documented so that loading
// its output gives back an equal scenario, which minimized failures and trace headers rely on.

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/assert.h"
#include "sim/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgecache::sim;
  const ScenarioResult loaded = parse_scenario(std::string(reinterpret_cast<const char*>(data), size));
  EC_ASSERT(loaded.scenario.has_value() != loaded.error.has_value(), "a load gives a scenario or an error");
  if (loaded.error) {
    EC_ASSERT(!loaded.error->reason.empty(), "a scenario error says why");
    return 0;
  }
  const std::string written = scenario_to_json(*loaded.scenario).dump();
  const ScenarioResult reloaded = parse_scenario(written);
  EC_ASSERT(reloaded.scenario.has_value(), "a written scenario loads");
  EC_ASSERT(*reloaded.scenario == *loaded.scenario, "a written scenario loads as the scenario written");
  return 0;
}
