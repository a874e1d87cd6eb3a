#include "net/client/commands.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

#include "net/client/edge_status.h"
#include "net/http_routes.h"

namespace edgecache::net::client {

namespace asio = boost::asio;

namespace {

// Runs one coroutine to completion on `context` and returns its value. The caller owns the context and
// declares it before any connection the coroutine uses, so those connections are destroyed first: a socket
// outliving its io_context would touch freed memory when closed.
template <typename T>
T run_to_completion(asio::io_context& context, asio::awaitable<T> task) {
  std::optional<T> value;
  asio::co_spawn(context, std::move(task), [&](std::exception_ptr error, T result) {
    if (error) std::rethrow_exception(error);
    value = std::move(result);
  });
  context.run();
  return std::move(*value);
}

RoutedResult fetch_once(const ClientOptions& options, ImageId image_id, bool size_only) {
  asio::io_context context(1);
  ClientHealth health;
  EdgeConnections connections;
  return run_to_completion(context, fetch_with_failover(options.cluster, health, connections, image_id, size_only));
}

// An edge is named by the address the user gave for it (--edges or EDGECACHE_EDGES, e.g.
// edge-server-2:8002): the one name the client knows for certain, and the one the user can act on.
std::string edge_name(const ClientOptions& options, std::size_t edge) { return options.cluster.edges[edge].to_string(); }

// Reports a failed fetch and returns its exit code.
int report_failure(const ClientOptions& options, const RoutedResult& routed, ImageId image_id, std::ostream& err) {
  const FetchResult& result = routed.result;
  if (result.outcome == FetchOutcome::not_found) {
    err << "image " << image_id << " not found (" << edge_name(options, *routed.edge) << ")\n";
    return exit_not_found;
  }
  err << "image " << image_id << ": every edge failed\n";
  for (const std::string& failure : routed.failures) err << "  " << failure << "\n";
  return result.outcome == FetchOutcome::checksum_mismatch ? exit_verify_failed : exit_request_failed;
}

std::string default_file_name(ImageId image_id) { return "downloaded_image_" + std::to_string(image_id) + ".jpg"; }

// Writes `body` to `path` through a temporary file renamed into place, so a failed write leaves no half file.
bool write_image_file(const std::string& path, const Body& body, std::string& why) {
  const std::string temporary = path + ".part." + std::to_string(::getpid());
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(body->bytes().data()), static_cast<std::streamsize>(body->size()));
    if (!file) {
      why = "cannot write " + temporary;
      return false;
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    why = "cannot rename to " + path + ": " + error.message();
    return false;
  }
  return true;
}

// Downloads `image_id` into `path` (or stdout for "-"); shared by get and the interactive menu.
int download(const ClientOptions& options, ImageId image_id, const std::string& path, std::ostream& out, std::ostream& err) {
  const RoutedResult routed = fetch_once(options, image_id, false);
  if (routed.result.outcome != FetchOutcome::ok) return report_failure(options, routed, image_id, err);
  const Body& body = routed.result.body;
  if (path == "-") {
    std::cout.write(reinterpret_cast<const char*>(body->bytes().data()), static_cast<std::streamsize>(body->size()));
    std::cout.flush();
    err << "image " << image_id << ": " << body->size() << " bytes from " << edge_name(options, *routed.edge) << "\n";
    return exit_ok;
  }
  std::string why;
  if (!write_image_file(path, body, why)) {
    err << why << "\n";
    return exit_io_failed;
  }
  out << "image " << image_id << ": " << body->size() << " bytes from " << edge_name(options, *routed.edge) << ", saved to "
      << path << "\n";
  return exit_ok;
}

int print_size(const ClientOptions& options, ImageId image_id, std::ostream& out, std::ostream& err) {
  const RoutedResult routed = fetch_once(options, image_id, true);
  if (routed.result.outcome != FetchOutcome::ok) return report_failure(options, routed, image_id, err);
  out << "image " << image_id << ": " << *routed.result.size << " bytes (" << edge_name(options, *routed.edge) << ")\n";
  return exit_ok;
}

}  // namespace

int run_get(const ClientOptions& options, std::ostream& out, std::ostream& err) {
  const std::string path = !options.output_file.empty()
                               ? options.output_file
                               : (std::filesystem::path(options.output_dir) / default_file_name(options.image_id)).string();
  return download(options, options.image_id, path, out, err);
}

int run_size(const ClientOptions& options, std::ostream& out, std::ostream& err) {
  return print_size(options, options.image_id, out, err);
}

int run_status(const ClientOptions& options, std::ostream& out, std::ostream&) {
  out << std::left << std::setw(6) << "edge" << std::setw(24) << "address" << std::setw(6) << "id" << std::setw(11) << "role"
      << std::setw(8) << "leader" << std::setw(7) << "epoch" << std::setw(8) << "items" << "bytes\n";
  bool all_up = true;
  for (std::size_t edge = 0; edge < options.cluster.edges.size(); ++edge) {
    out << std::setw(6) << edge << std::setw(24) << options.cluster.edges[edge].to_string();
    const std::optional<nlohmann::json> fetched = fetch_edge_status(options.cluster.edges[edge]);
    if (!fetched) {
      all_up = false;
      out << "down\n";
      continue;
    }
    const nlohmann::json& status = *fetched;
    auto field = [&](const char* name) { return status.contains(name) ? status[name].dump() : std::string("-"); };
    auto text = [&](const char* name) {
      return status.contains(name) && status[name].is_string() ? status[name].get<std::string>() : field(name);
    };
    out << std::setw(6) << field("id") << std::setw(11) << text("role") << std::setw(8) << field("leader") << std::setw(7)
        << field("epoch") << std::setw(8) << field("cache_items") << field("cache_bytes") << "\n";
  }
  return all_up ? exit_ok : exit_request_failed;
}

int run_load(const ClientOptions& options, std::ostream& out, std::ostream& err) {
  const bool on_terminal = ::isatty(STDOUT_FILENO) == 1;
  std::string error;
  const std::optional<LoadReport> loaded = client::run_load(options.cluster, options.load, out, on_terminal, error);
  if (!loaded) {
    err << "--trace: " << error << "\n";
    return exit_io_failed;
  }
  const LoadReport& report = *loaded;
  print_load_report(report, out);
  if (report.outcomes[static_cast<std::size_t>(FetchOutcome::checksum_mismatch)] != 0) return exit_verify_failed;
  return report.failed() == 0 ? exit_ok : exit_request_failed;
}

int run_interactive(const ClientOptions& options, std::istream& in, std::ostream& out, std::ostream& err) {
  while (true) {
    out << "\n1) get_image\n2) get_image_size\n3) exit\nChoose an option: " << std::flush;
    std::string choice;
    if (!std::getline(in, choice) || choice == "3") return exit_ok;
    if (choice != "1" && choice != "2") {
      out << "Please choose 1, 2 or 3.\n";
      continue;
    }
    out << "Enter image id: " << std::flush;
    std::string id_text;
    if (!std::getline(in, id_text)) return exit_ok;
    const std::optional<ImageId> image_id = parse_image_id(id_text);
    if (!image_id) {
      out << "Not an image id: '" << id_text << "'\n";
      continue;
    }
    // Failures are reported and the menu carries on, as in the original client.
    if (choice == "1") {
      download(options, *image_id, (std::filesystem::path(options.output_dir) / default_file_name(*image_id)).string(), out, err);
    } else {
      print_size(options, *image_id, out, err);
    }
  }
}

}  // namespace edgecache::net::client
