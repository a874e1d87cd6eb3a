// Footguns banned by a test (after TigerBeetle's tidy). Node logic in core/ may include only the standard
// library and core/ itself, and must not read a clock, start a thread, sleep, touch files or draw global
// randomness: everything goes through Env, or the simulator would be lying. The simulator in sim/ must not
// read a clock or draw randomness outside its seeded streams either; only the command-line front ends
// (main, run, bench, sweep and minimize commands) may time themselves.
//
// Method: read every source file under core/ and sim/ as text and match forbidden patterns line by line.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Finding {
  std::string file;
  int line;
  std::string text;
};

std::vector<Finding> scan(const fs::path& folder, const std::regex& forbidden, const std::set<std::string>& exempt) {
  std::vector<Finding> findings;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    std::string extension = entry.path().extension().string();
    if (extension != ".h" && extension != ".cpp") continue;
    if (exempt.count(entry.path().filename().string()) != 0) continue;
    std::ifstream file(entry.path());
    std::string text;
    int number = 0;
    while (std::getline(file, text)) {
      ++number;
      if (std::regex_search(text, forbidden)) findings.push_back({entry.path().string(), number, text});
    }
  }
  return findings;
}

std::string describe(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& finding : findings) out += finding.file + ":" + std::to_string(finding.line) + ": " + finding.text + "\n";
  return out;
}

const fs::path source_dir = EDGECACHE_SOURCE_DIR;

// The patterns, named once so the self-test below exercises the very ones the scans use.
const char* const foreign_quoted_include = R"re(#\s*include\s*"(?!core/))re";
const char* const foreign_angled_include = R"re(#\s*include\s*<([^>]*/|[^>]*\.h>))re";
const char* const banned_standard_include =
    R"re(#\s*include\s*<(thread|future|mutex|shared_mutex|condition_variable|atomic|random|chrono|ctime|fstream|filesystem|iostream|cstdio|csignal|stop_token|semaphore|barrier|latch)>)re";
const char* const banned_core_call =
    R"re((system_clock|steady_clock|high_resolution_clock|\bstd::rand\b|\bsrand\b|\brand\(|\btime\(|\bsleep|usleep|nanosleep|std::thread|std::async|getenv|fopen|std::hash<|unordered_))re";
const char* const banned_sim_call =
    R"re((system_clock|steady_clock|high_resolution_clock|\bstd::rand\b|\bsrand\b|\brand\(|\btime\(|random_device|std::mt19937|#\s*include\s*<random>|std::thread|std::async|std::hash<|unordered_))re";

}  // namespace

TEST_CASE("core includes only the standard library and its own headers", "[tidy]") {
  // Any quoted include must be core/; any angle include must be a standard header (no slash, no .h).
  auto quoted = scan(source_dir / "core", std::regex(foreign_quoted_include), {});
  auto angled = scan(source_dir / "core", std::regex(foreign_angled_include), {});
  // assert.h prints the failed condition before aborting; it is the one user of <cstdio>.
  auto banned = scan(source_dir / "core", std::regex(banned_standard_include), {"assert.h"});
  INFO(describe(quoted) + describe(angled) + describe(banned));
  CHECK(quoted.empty());
  CHECK(angled.empty());
  CHECK(banned.empty());
}

TEST_CASE("core reads no clock, sleeps in no thread and draws no global randomness", "[tidy]") {
  auto findings = scan(source_dir / "core", std::regex(banned_core_call), {});
  INFO(describe(findings));
  CHECK(findings.empty());
}

TEST_CASE("the simulator reads no clock and draws no randomness outside its seeded streams", "[tidy]") {
  // daemon_random.cpp redraws a real daemon's std::mt19937_64 stream from the seed its trace recorded.
  auto findings = scan(source_dir / "sim", std::regex(banned_sim_call), {"main.cpp", "run_command.cpp", "bench_command.cpp", "sweep_command.cpp", "minimize_command.cpp", "daemon_random.cpp"});
  // sim/real/ is not the simulator: it runs real daemons in real time (`sim real`), so it sleeps and reads
  // clocks by design.
  std::erase_if(findings, [](const Finding& finding) { return finding.file.find("/sim/real/") != std::string::npos; });
  INFO(describe(findings));
  CHECK(findings.empty());
}

TEST_CASE("the tidy patterns catch what they are meant to", "[tidy]") {
  // A check that cannot fail is a defect: feed the patterns the lines they exist to reject.
  std::regex clock(banned_core_call);
  CHECK(std::regex_search("auto t = std::chrono::steady_clock::now();", clock));
  CHECK(std::regex_search("int r = rand();", clock));
  CHECK_FALSE(std::regex_search("std::uint64_t random_u64() override;", clock));
  CHECK(std::regex_search("std::unordered_map<int, int> table;", clock));
  CHECK(std::regex_search("std::this_thread::sleep_for(1s);", clock));
  std::regex sim_clock(banned_sim_call);
  CHECK(std::regex_search("std::random_device device;", sim_clock));
  CHECK(std::regex_search("#include <random>", sim_clock));
  std::regex foreign_angled(foreign_angled_include);
  CHECK(std::regex_search("#include <boost/asio.hpp>", foreign_angled));
  CHECK(std::regex_search("#include <unistd.h>", foreign_angled));
  CHECK_FALSE(std::regex_search("#include <vector>", foreign_angled));
  std::regex foreign_quoted(foreign_quoted_include);
  CHECK(std::regex_search("#include \"net/socket.h\"", foreign_quoted));
  CHECK_FALSE(std::regex_search("#include \"core/env.h\"", foreign_quoted));
  CHECK(std::regex_search("#include <thread>", std::regex(banned_standard_include)));
}
