#include "net/client/edge_status.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "net/client/image_fetcher.h"

namespace edgecache::net::client {

namespace asio = boost::asio;

std::optional<nlohmann::json> fetch_edge_status(const Address& edge) {
  // The context is declared before the connections so they are destroyed first: a socket must not outlive
  // the io_context it was made on.
  asio::io_context context(1);
  EdgeConnections connections;
  // The coroutine keeps a reference to its target and runs only in context.run() below, so the target must
  // be a named object that lives until then, not a temporary of the co_spawn statement.
  const std::string target = "/status";
  std::optional<FetchResult> result;
  asio::co_spawn(context, connections.get_text(edge, target), [&](std::exception_ptr error, FetchResult value) {
    if (error) std::rethrow_exception(error);
    result = std::move(value);
  });
  context.run();
  if (!result || result->outcome != FetchOutcome::ok) return std::nullopt;
  nlohmann::json status = nlohmann::json::parse(result->detail, nullptr, false);
  if (!status.is_object()) return std::nullopt;
  return status;
}

}  // namespace edgecache::net::client
