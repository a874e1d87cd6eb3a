// Footguns banned by a test (after TigerBeetle's tidy). Node logic in core/ may include only the standard
// library and core/ itself, and must not read a clock, start a thread, sleep, touch files or draw global
// randomness: everything goes through Env, or the simulator would be lying. The simulator in sim/ must not
// read a clock or draw randomness outside its seeded streams either; only the command front ends in
// sim/cli/ and sim/real/ may time themselves. Every folder has a rank, and includes point only down.
//
// Method: read every source file under core/, sim/ and net/ as text and match forbidden patterns line by
// line, collect its quoted includes into a graph and walk it, or collect its function definitions by name.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Finding {
  std::string file;
  int line;
  std::string text;
};

std::vector<Finding> scan(const fs::path& folder, const std::regex& forbidden) {
  std::vector<Finding> findings;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    std::string extension = entry.path().extension().string();
    if (extension != ".h" && extension != ".cpp") continue;
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
const char* const banned_sim_clock_call =
    R"re((system_clock|steady_clock|high_resolution_clock|\btime\(|std::thread|std::async|std::hash<|unordered_))re";
const char* const banned_sim_random =
    R"re((\bstd::rand\b|\bsrand\b|\brand\(|random_device|std::mt19937|#\s*include\s*<random>))re";

// True if `file` (a path) lies in one of `folders` (paths relative to the source root) or below it.
bool in_folder(const std::string& file, std::initializer_list<const char*> folders) {
  const std::string relative = fs::relative(file, source_dir).generic_string();
  for (const char* folder : folders) {
    if (relative.rfind(std::string(folder) + "/", 0) == 0) return true;
  }
  return false;
}

// The rooms of the house, each with its rank: a file may include headers from its own folder or from a
// folder of lower rank, never from a higher one and never from another folder of the same rank. core/ is
// the ground floor; sim/trace/ is what both worlds may share; the simulated world, its checkers and the
// scenario and cluster on top follow; the tools for recorded real runs and the viewer sit above the
// simulator, the command front ends above those, and `sim real` (which needs net/) at the top.
struct FolderRank {
  const char* folder;
  int rank;
};
constexpr FolderRank folder_ranks[] = {
    {"core", 0},          {"sim/trace", 1}, {"sim/world", 2},  {"sim/checkers", 3}, {"sim", 4},
    {"sim/recorded", 5},  {"sim/view", 5},  {"sim/search", 5}, {"sim/cli", 6},      {"sim/real", 7},
    {"net", 2},           {"net/client", 3},
};

std::optional<int> folder_rank(const std::string& folder) {
  for (const FolderRank& entry : folder_ranks) {
    if (folder == entry.folder) return entry.rank;
  }
  return std::nullopt;
}

// Source-root-relative file -> the project headers it includes (quoted includes), both sorted.
using IncludeGraph = std::map<std::string, std::vector<std::string>>;

std::string folder_of(const std::string& file) { return fs::path(file).parent_path().generic_string(); }

IncludeGraph read_include_graph(const fs::path& root, const std::vector<std::string>& folders) {
  const std::regex quoted_include(R"re(^\s*#\s*include\s*"([^"]+)")re");
  IncludeGraph graph;
  for (const std::string& folder : folders) {
    for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
      const std::string extension = entry.path().extension().string();
      if (!entry.is_regular_file() || (extension != ".h" && extension != ".cpp")) continue;
      std::vector<std::string>& includes = graph[fs::relative(entry.path(), root).generic_string()];
      std::ifstream file(entry.path());
      std::string line;
      std::smatch match;
      while (std::getline(file, line)) {
        if (std::regex_search(line, match, quoted_include)) includes.push_back(match[1]);
      }
      std::sort(includes.begin(), includes.end());
    }
  }
  return graph;
}

// Every include that points sideways or up the ranks, as "FILE includes HEADER (why)", in file order.
// Generated headers (under sim/view/ in the build tree) and headers outside every ranked folder are judged
// by the folder their path names.
std::vector<std::string> upward_includes(const IncludeGraph& graph) {
  std::vector<std::string> found;
  for (const auto& [file, includes] : graph) {
    const std::string from = folder_of(file);
    const std::optional<int> from_rank = folder_rank(from);
    if (!from_rank) continue;  // Reported by the "every source folder has a rank" test.
    for (const std::string& header : includes) {
      const std::string to = folder_of(header);
      if (to == from) continue;
      const std::optional<int> to_rank = folder_rank(to);
      if (to_rank && *to_rank < *from_rank) continue;
      found.push_back(file + " includes " + header + " (folder " + to + ", rank " +
                      (to_rank ? std::to_string(*to_rank) : std::string("none")) + ", not below " + from + "'s " +
                      std::to_string(*from_rank) + ")");
    }
  }
  return found;
}

// A cycle of includes as the list of files around it (the first repeated at the end), or empty if none.
std::vector<std::string> find_include_cycle(const IncludeGraph& graph) {
  enum class Mark { unvisited, on_path, done };
  std::map<std::string, Mark> marks;
  std::vector<std::string> path;
  std::vector<std::string> cycle;
  std::function<bool(const std::string&)> visit = [&](const std::string& file) {
    Mark& mark = marks[file];
    if (mark == Mark::done) return false;
    if (mark == Mark::on_path) {
      cycle.assign(std::find(path.begin(), path.end(), file), path.end());
      cycle.push_back(file);
      return true;
    }
    mark = Mark::on_path;
    path.push_back(file);
    if (const auto found = graph.find(file); found != graph.end()) {
      for (const std::string& header : found->second) {
        if (visit(header)) return true;
      }
    }
    path.pop_back();
    marks[file] = Mark::done;
    return false;
  };
  for (const auto& [file, includes] : graph) {
    if (visit(file)) return cycle;
  }
  return {};
}

// The lines of the file at `path`.
std::vector<std::string> read_lines(const fs::path& path) {
  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(line);
  return lines;
}

// Every C++ source and header below `folders` (relative to the source root), as root-relative paths, sorted.
std::vector<std::string> cpp_files(const std::vector<std::string>& folders) {
  std::vector<std::string> files;
  for (const std::string& folder : folders) {
    for (const auto& entry : fs::recursive_directory_iterator(source_dir / folder)) {
      const std::string extension = entry.path().extension().string();
      if (entry.is_regular_file() && (extension == ".h" || extension == ".cpp")) {
        files.push_back(fs::relative(entry.path(), source_dir).generic_string());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A file longer than this holds more than one idea, unless it says why it does not split: a comment line
// "tidy: long file: REASON" among its first 20 lines.
constexpr std::size_t max_file_lines = 600;
// A function longer than this does too many things (TigerBeetle's limit is 70; this code base's longest
// command front ends stay under this one).
constexpr std::size_t max_function_lines = 100;

bool says_why_it_is_long(const std::vector<std::string>& lines) {
  for (std::size_t i = 0; i < lines.size() && i < 20; ++i) {
    if (lines[i].find("tidy: long file: ") != std::string::npos) return true;
  }
  return false;
}

struct FunctionSpan {
  std::size_t first_line = 0;  // 1-based.
  std::size_t lines = 0;
  std::string name;
};

// The function definitions at namespace scope in `lines`. This code base does not indent namespace bodies,
// so such a definition starts in column 0 with a name and a parenthesis, opens its body within a few lines
// and closes it with a lone "}" in column 0; member functions defined inside a class body are indented and
// belong to the class's own budget.
std::vector<FunctionSpan> function_spans(const std::vector<std::string>& lines) {
  static const std::regex starts_definition(R"re(^(?!namespace\b|class\b|struct\b|enum\b|union\b|using\b|typedef\b|template\b|extern\b|static_assert\b)[A-Za-z_].*\()re");
  static const std::regex name_before_parenthesis(R"re(([A-Za-z_][\w:~]*)\s*\()re");
  constexpr std::size_t max_signature_lines = 8;
  std::vector<FunctionSpan> spans;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!std::regex_search(lines[i], starts_definition)) continue;
    std::size_t open = i;
    while (open < lines.size() && open < i + max_signature_lines && lines[open].find('{') == std::string::npos &&
           (lines[open].empty() || lines[open].back() != ';')) {
      ++open;
    }
    if (open >= lines.size() || lines[open].find('{') == std::string::npos) continue;
    if (!lines[open].empty() && lines[open].back() == ';') continue;  // A declaration or an initialized variable.
    std::smatch name;
    std::regex_search(lines[i], name, name_before_parenthesis);
    std::size_t close = open;
    if (lines[open].back() != '}') {
      while (close < lines.size() && lines[close] != "}" && lines[close] != "};") ++close;
    }
    spans.push_back({i + 1, close - i + 1, name[1]});
    i = close;
  }
  return spans;
}

// Free functions (namespace scope, no "Class::" in the name, not main) defined in more than one folder,
// one "NAME: FILE:LINE FILE:LINE ..." per name (the first definition in each folder), sorted by name. Either
// the same helper was written twice, or two helpers share a name too generic to say what each does.
// `sources` maps root-relative paths to their lines.
std::vector<std::string> helpers_defined_in_two_folders(const std::map<std::string, std::vector<std::string>>& sources) {
  std::map<std::string, std::map<std::string, std::string>> places;  // Name -> folder -> "file:line".
  for (const auto& [file, lines] : sources) {
    for (const FunctionSpan& span : function_spans(lines)) {
      if (span.name.empty() || span.name.find("::") != std::string::npos || span.name == "main") continue;
      places[span.name].emplace(folder_of(file), file + ":" + std::to_string(span.first_line));
    }
  }
  std::vector<std::string> found;
  for (const auto& [name, folders] : places) {
    if (folders.size() < 2) continue;
    std::string line = name + ":";
    for (const auto& [folder, place] : folders) line += " " + place;
    found.push_back(line);
  }
  return found;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

}  // namespace

TEST_CASE("core includes only the standard library and its own headers", "[tidy]") {
  // Any quoted include must be core/; any angle include must be a standard header (no slash, no .h).
  auto quoted = scan(source_dir / "core", std::regex(foreign_quoted_include));
  auto angled = scan(source_dir / "core", std::regex(foreign_angled_include));
  // The assertion macro prints the failed condition before aborting: the one use of <cstdio> in core/.
  auto banned = scan(source_dir / "core", std::regex(banned_standard_include));
  std::erase_if(banned, [](const Finding& finding) {
    return fs::path(finding.file).filename() == "assert.h" && finding.text.find("<cstdio>") != std::string::npos;
  });
  INFO(describe(quoted) + describe(angled) + describe(banned));
  CHECK(quoted.empty());
  CHECK(angled.empty());
  CHECK(banned.empty());
}

TEST_CASE("core reads no clock, sleeps in no thread and draws no global randomness", "[tidy]") {
  auto findings = scan(source_dir / "core", std::regex(banned_core_call));
  INFO(describe(findings));
  CHECK(findings.empty());
}

TEST_CASE("the simulator reads no clock and draws no randomness outside its seeded streams", "[tidy]") {
  // The rule holds by folder. sim/cli/ (the command front ends) may time itself, and sim/real/ runs real
  // daemons in real time, so both read clocks and sleep by design; sim/trace/ holds the real daemons' random
  // stream (daemon_random), redrawn from the seed their traces recorded, so <random> is its to use.
  auto findings = scan(source_dir / "sim", std::regex(banned_sim_clock_call));
  auto random = scan(source_dir / "sim", std::regex(banned_sim_random));
  std::erase_if(findings, [](const Finding& finding) { return in_folder(finding.file, {"sim/cli", "sim/real"}); });
  std::erase_if(random, [](const Finding& finding) { return in_folder(finding.file, {"sim/cli", "sim/real", "sim/trace"}); });
  INFO(describe(findings) + describe(random));
  CHECK(findings.empty());
  CHECK(random.empty());
}

TEST_CASE("every source folder has a rank, and includes point only down the ranks", "[tidy]") {
  const IncludeGraph graph = read_include_graph(source_dir, {"core", "sim", "net"});
  std::vector<std::string> unranked;
  for (const auto& [file, includes] : graph) {
    if (!folder_rank(folder_of(file))) unranked.push_back(file);
  }
  INFO("source files in a folder with no rank in folder_ranks: add the folder there\n" + join_lines(unranked));
  CHECK(unranked.empty());
  const std::vector<std::string> upward = upward_includes(graph);
  INFO(join_lines(upward));
  CHECK(upward.empty());
}

TEST_CASE("the include graph has no cycle", "[tidy]") {
  const std::vector<std::string> cycle = find_include_cycle(read_include_graph(source_dir, {"core", "sim", "net"}));
  INFO(join_lines(cycle));
  CHECK(cycle.empty());
}

TEST_CASE("the include graph checks catch an upward include and a cycle", "[tidy]") {
  // A check that cannot fail is a defect: give the checks a graph with exactly the faults they look for.
  const IncludeGraph upward = {{"sim/world/world.h", {"sim/cluster.h"}},
                               {"sim/cluster.h", {"sim/world/world.h"}},
                               {"net/daemon.cpp", {"sim/trace/trace.h", "sim/world/world.h"}},
                               {"sim/view/viewer_page.cpp", {"sim/recorded/node_trace.h"}}};
  const std::vector<std::string> found = upward_includes(upward);
  REQUIRE(found.size() == 3);
  CHECK(found[0] == "net/daemon.cpp includes sim/world/world.h (folder sim/world, rank 2, not below net's 2)");
  CHECK(found[1] == "sim/view/viewer_page.cpp includes sim/recorded/node_trace.h (folder sim/recorded, rank 5, not below sim/view's 5)");
  CHECK(found[2] == "sim/world/world.h includes sim/cluster.h (folder sim, rank 4, not below sim/world's 2)");
  CHECK(find_include_cycle(upward) == std::vector<std::string>{"sim/world/world.h", "sim/cluster.h", "sim/world/world.h"});
  CHECK(find_include_cycle({{"core/a.h", {"core/b.h"}}, {"core/b.h", {}}}).empty());
}

TEST_CASE("the tidy patterns catch what they are meant to", "[tidy]") {
  // A check that cannot fail is a defect: feed the patterns the lines they exist to reject.
  std::regex clock(banned_core_call);
  CHECK(std::regex_search("auto t = std::chrono::steady_clock::now();", clock));
  CHECK(std::regex_search("int r = rand();", clock));
  CHECK_FALSE(std::regex_search("std::uint64_t random_u64() override;", clock));
  CHECK(std::regex_search("std::unordered_map<int, int> table;", clock));
  CHECK(std::regex_search("std::this_thread::sleep_for(1s);", clock));
  std::regex sim_clock(banned_sim_clock_call);
  CHECK(std::regex_search("auto t = std::chrono::system_clock::now();", sim_clock));
  CHECK(std::regex_search("std::unordered_set<int> seen;", sim_clock));
  std::regex sim_random(banned_sim_random);
  CHECK(std::regex_search("std::random_device device;", sim_random));
  CHECK(std::regex_search("#include <random>", sim_random));
  CHECK_FALSE(std::regex_search("Random& random = world.random();", sim_random));
  std::regex foreign_angled(foreign_angled_include);
  CHECK(std::regex_search("#include <boost/asio.hpp>", foreign_angled));
  CHECK(std::regex_search("#include <unistd.h>", foreign_angled));
  CHECK_FALSE(std::regex_search("#include <vector>", foreign_angled));
  std::regex foreign_quoted(foreign_quoted_include);
  CHECK(std::regex_search("#include \"net/socket.h\"", foreign_quoted));
  CHECK_FALSE(std::regex_search("#include \"core/env.h\"", foreign_quoted));
  CHECK(std::regex_search("#include <thread>", std::regex(banned_standard_include)));
}

TEST_CASE("no file is longer than its budget without saying why", "[tidy]") {
  std::vector<std::string> long_files;
  for (const std::string& file : cpp_files({"core", "sim", "net", "tools", "tests"})) {
    const std::vector<std::string> lines = read_lines(source_dir / file);
    if (lines.size() > max_file_lines && !says_why_it_is_long(lines)) {
      long_files.push_back(file + ": " + std::to_string(lines.size()) + " lines");
    }
  }
  INFO("split these, or add a comment \"tidy: long file: REASON\" near the top\n" + join_lines(long_files));
  CHECK(long_files.empty());
}

TEST_CASE("no function is longer than its budget", "[tidy]") {
  // Tests are held to the file budget only: a table-driven test case is long by nature.
  std::vector<std::string> long_functions;
  for (const std::string& file : cpp_files({"core", "sim", "net", "tools"})) {
    for (const FunctionSpan& span : function_spans(read_lines(source_dir / file))) {
      if (span.lines > max_function_lines) {
        long_functions.push_back(file + ":" + std::to_string(span.first_line) + ": " + span.name + " has " +
                                 std::to_string(span.lines) + " lines");
      }
    }
  }
  INFO(join_lines(long_functions));
  CHECK(long_functions.empty());
}

TEST_CASE("no helper is defined twice across folders", "[tidy]") {
  std::map<std::string, std::vector<std::string>> sources;
  for (const std::string& file : cpp_files({"core", "sim", "net", "tools"})) sources[file] = read_lines(source_dir / file);
  const std::vector<std::string> twice = helpers_defined_in_two_folders(sources);
  INFO("merge these into one helper in the lower folder, or rename each for what it does\n" + join_lines(twice));
  CHECK(twice.empty());
}

TEST_CASE("the duplicate helper check catches a name defined in two folders", "[tidy]") {
  // A check that cannot fail is a defect: one helper in two folders, one in two files of the same folder,
  // member functions and main, of which only the first is a finding.
  const std::map<std::string, std::vector<std::string>> sources = {
      {"net/a.cpp", {"namespace edgecache {", "std::string describe(int code) { return {}; }", "int main() {", "}", "}"}},
      {"sim/cli/b.cpp", {"namespace edgecache {", "std::string describe(const Json& value) {", "  return {};", "}",
                         "void Page::render() {", "}", "}"}},
      {"sim/cli/c.cpp", {"bool write_page(int x) { return x > 0; }", "int main() { return 0; }"}},
      {"sim/cli/d.cpp", {"bool write_page(int x) {", "  return x > 1;", "}", "void Page::render() const {", "}"}},
  };
  const std::vector<std::string> twice = helpers_defined_in_two_folders(sources);
  REQUIRE(twice.size() == 1);
  CHECK(twice[0] == "describe: net/a.cpp:2 sim/cli/b.cpp:2");
}

TEST_CASE("every source file is built and every header is included", "[tidy]") {
  // compile_commands.json lists every translation unit some target compiles; a .cpp not in it is dead code
  // that nothing checks. A header no file includes is dead the same way.
  std::ifstream commands_file(fs::path(EDGECACHE_BINARY_DIR) / "compile_commands.json");
  REQUIRE(commands_file);
  const nlohmann::json commands = nlohmann::json::parse(commands_file);
  std::set<std::string> compiled;
  for (const nlohmann::json& command : commands) {
    compiled.insert(fs::relative(fs::weakly_canonical(command.at("file").get<std::string>()), fs::weakly_canonical(source_dir)).generic_string());
  }
  const std::vector<std::string> files = cpp_files({"core", "sim", "net", "tools", "tests"});
  std::set<std::string> included;
  for (const auto& [file, includes] : read_include_graph(source_dir, {"core", "sim", "net", "tools", "tests"})) {
    included.insert(includes.begin(), includes.end());
  }
  std::vector<std::string> dead;
  for (const std::string& file : files) {
    const bool is_header = file.ends_with(".h");
    if (is_header ? included.count(file) == 0 : compiled.count(file) == 0) dead.push_back(file);
  }
  INFO(join_lines(dead));
  CHECK(dead.empty());
}

TEST_CASE("the file and function budgets measure what they claim", "[tidy]") {
  // A check that cannot fail is a defect: a long function, a one-line one and a declaration.
  std::vector<std::string> lines = {"namespace edgecache {", "", "int shortest(int x) { return x; }",
                                    "std::string declared(int x);", "void long_one(int a,", "              int b) {"};
  for (int i = 0; i < 120; ++i) lines.push_back("  ++a;");
  lines.push_back("}");
  lines.push_back("}  // namespace edgecache");
  const std::vector<FunctionSpan> spans = function_spans(lines);
  REQUIRE(spans.size() == 2);
  CHECK(spans[0].name == "shortest");
  CHECK(spans[0].lines == 1);
  CHECK(spans[1].name == "long_one");
  CHECK(spans[1].first_line == 5);
  CHECK(spans[1].lines == 123);
  CHECK(says_why_it_is_long({"// A comment.", "// tidy: long file: one table of every message kind."}));
  CHECK_FALSE(says_why_it_is_long({"// A comment."}));
}
