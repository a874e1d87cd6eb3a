#include "net/client/client_options.h"

#include <charconv>
#include <sstream>

#include <boost/program_options.hpp>

#include "core/parse_number.h"
#include "net/http_routes.h"

namespace edgecache::net::client {

namespace po = boost::program_options;

namespace {

struct BadFlag {
  std::string message;
};

[[noreturn]] void bad_flag(const std::string& flag, const std::string& why) { throw BadFlag{"--" + flag + " " + why}; }

std::uint64_t parse_count(const std::string& flag, const std::string& text, std::uint64_t low, std::uint64_t high) {
  const std::optional<std::uint64_t> value = parse_decimal_in(text, low, high);
  if (!value) {
    bad_flag(flag, "expects a whole number in " + std::to_string(low) + ".." + std::to_string(high) + ", got '" + text + "'");
  }
  return *value;
}

double parse_positive(const std::string& flag, const std::string& text, bool allow_zero) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty() || !(value > 0 || (allow_zero && value == 0))) {
    bad_flag(flag, std::string("expects a ") + (allow_zero ? "non-negative" : "positive") + " number, got '" + text + "'");
  }
  return value;
}

std::vector<Address> parse_edges(const std::string& text) {
  std::vector<Address> edges;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    const std::optional<Address> address = parse_address(item);
    if (!address) bad_flag("edges", "expects HOST:PORT,HOST:PORT,...; '" + item + "' is not HOST:PORT");
    edges.push_back(*address);
  }
  if (edges.empty()) bad_flag("edges", "(or EDGECACHE_EDGES) is required: HOST:PORT,HOST:PORT,...");
  return edges;
}

ImageId parse_id(const std::string& text) {
  const std::optional<ImageId> id = parse_image_id(text);
  if (!id) throw BadFlag{"image id must be a plain decimal number, got '" + text + "'"};
  return *id;
}

po::options_description client_option_descriptions() {
  po::options_description options("edgecache-client [options] [interactive | get ID [-o FILE] | size ID | status | load]");
  // clang-format off
  options.add_options()
    ("help,h", "print this help and exit")
    ("edges", po::value<std::string>(), "every edge as HOST:PORT,HOST:PORT,... in index order (or EDGECACHE_EDGES)")
    ("routing", po::value<std::string>()->default_value("modulo"), "modulo (id mod N) | rendezvous")
    ("protocol", po::value<std::string>()->default_value("http"), "http | rpc (the original protocol)")
    ("output,o", po::value<std::string>(), "get: output file ('-' for stdout); default downloaded_image_{id}.jpg")
    ("output-dir", po::value<std::string>()->default_value("."), "get and interactive: where downloads go")
    ("concurrency", po::value<std::string>()->default_value("8"), "load: concurrent requests")
    ("rate", po::value<std::string>()->default_value("0"), "load: total requests per second, 0 for as fast as possible")
    ("duration-s", po::value<std::string>()->default_value("10"), "load: how long to run")
    ("requests", po::value<std::string>(), "load: stop after this many requests (default: duration only)")
    ("ids", po::value<std::string>()->default_value("uniform"), "load: uniform | zipf")
    ("images", po::value<std::string>()->default_value("100"), "load: ids are 1..images")
    ("zipf-exponent", po::value<std::string>()->default_value("1.0"), "load: the Zipf exponent s (weight 1/k^s)")
    ("seed", po::value<std::string>()->default_value("1"), "load: seed for the id sequence")
    ("size-only", po::bool_switch(), "load: ask sizes (HEAD / get_image_size) instead of images")
    ("size-fraction", po::value<std::string>()->default_value("0"), "load: fraction of requests that ask only the size, 0..1")
    ("trace", po::value<std::string>()->default_value(""), "load: write the client's node trace (docs/real-traces.md) to this file")
    ("command", po::value<std::vector<std::string>>(), "the command and its arguments");
  // clang-format on
  return options;
}

std::string help_text() {
  std::ostringstream text;
  text << client_option_descriptions() << "\n"
       << "Commands:\n"
       << "  interactive (default)  the original menu: 1) get_image 2) get_image_size 3) exit\n"
       << "  get ID [-o FILE]       download an image, verified against its ETag\n"
       << "  size ID                print an image's size\n"
       << "  status                 every edge's /status as a table\n"
       << "  load                   generate load; prints throughput, latency percentiles, outcomes\n"
       << "Exit codes: 0 ok, 1 request failed on every edge (or failures in a load run), 2 usage,\n"
       << "            3 image not found, 4 body failed verification, 5 output file not writable\n";
  return text.str();
}

}  // namespace

ClientOptionsResult parse_client_options(const std::vector<std::string>& args, const EnvironmentLookup& lookup) {
  try {
    po::positional_options_description positional;
    positional.add("command", -1);
    po::variables_map values;
    po::store(po::command_line_parser(args).options(client_option_descriptions()).positional(positional).run(), values);
    if (values.count("help") != 0) return ClientHelp{help_text()};

    ClientOptions options;
    std::string edges;
    if (values.count("edges") != 0) {
      edges = values["edges"].as<std::string>();
    } else if (auto from_environment = lookup("EDGECACHE_EDGES")) {
      edges = *from_environment;
    }
    options.cluster.edges = parse_edges(edges);
    const std::string routing = values["routing"].as<std::string>();
    if (routing == "modulo") {
      options.cluster.routing = RoutingMode::modulo;
    } else if (routing == "rendezvous") {
      options.cluster.routing = RoutingMode::rendezvous;
    } else {
      bad_flag("routing", "expects modulo or rendezvous, got '" + routing + "'");
    }
    const std::string protocol = values["protocol"].as<std::string>();
    if (protocol == "http") {
      options.cluster.protocol = ClientProtocolChoice::http;
    } else if (protocol == "rpc") {
      options.cluster.protocol = ClientProtocolChoice::rpc;
    } else {
      bad_flag("protocol", "expects http or rpc, got '" + protocol + "'");
    }
    options.output_dir = values["output-dir"].as<std::string>();
    if (values.count("output") != 0) options.output_file = values["output"].as<std::string>();

    LoadOptions& load = options.load;
    load.concurrency = parse_count("concurrency", values["concurrency"].as<std::string>(), 1, max_load_concurrency);
    load.rate_per_s = parse_positive("rate", values["rate"].as<std::string>(), true);
    load.duration_s = parse_positive("duration-s", values["duration-s"].as<std::string>(), false);
    if (values.count("requests") != 0) {
      load.request_count = parse_count("requests", values["requests"].as<std::string>(), 1, UINT64_MAX);
    }
    const std::string ids = values["ids"].as<std::string>();
    if (ids == "uniform") {
      load.ids = IdDistribution::uniform;
    } else if (ids == "zipf") {
      load.ids = IdDistribution::zipf;
    } else {
      bad_flag("ids", "expects uniform or zipf, got '" + ids + "'");
    }
    load.images = parse_count("images", values["images"].as<std::string>(), 1, max_load_images);
    load.zipf_exponent = parse_positive("zipf-exponent", values["zipf-exponent"].as<std::string>(), true);
    load.seed = parse_count("seed", values["seed"].as<std::string>(), 0, UINT64_MAX);
    load.size_fraction = parse_positive("size-fraction", values["size-fraction"].as<std::string>(), true);
    if (load.size_fraction > 1) bad_flag("size-fraction", "must be between 0 and 1, got " + values["size-fraction"].as<std::string>());
    if (values["size-only"].as<bool>()) load.size_fraction = 1;
    load.trace_path = values["trace"].as<std::string>();

    const std::vector<std::string> command =
        values.count("command") != 0 ? values["command"].as<std::vector<std::string>>() : std::vector<std::string>{};
    const std::string name = command.empty() ? "interactive" : command[0];
    auto expect_arguments = [&](std::size_t count) {
      if (command.size() != count + 1) {
        throw BadFlag{"'" + name + "' takes " + std::to_string(count) + " argument" + (count == 1 ? "" : "s")};
      }
    };
    if (name == "interactive") {
      if (!command.empty()) expect_arguments(0);
      options.command = ClientCommand::interactive;
    } else if (name == "get") {
      expect_arguments(1);
      options.command = ClientCommand::get;
      options.image_id = parse_id(command[1]);
    } else if (name == "size") {
      expect_arguments(1);
      options.command = ClientCommand::size;
      options.image_id = parse_id(command[1]);
    } else if (name == "status") {
      expect_arguments(0);
      options.command = ClientCommand::status;
    } else if (name == "load") {
      expect_arguments(0);
      options.command = ClientCommand::load;
    } else {
      throw BadFlag{"unknown command '" + name + "' (interactive, get, size, status, load)"};
    }
    return options;
  } catch (const BadFlag& bad) {
    return ClientOptionsError{bad.message};
  } catch (const po::error& error) {
    return ClientOptionsError{error.what()};
  }
}

}  // namespace edgecache::net::client
