#include "net/acceptor.h"

namespace edgecache::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::optional<std::string> open_acceptor(asio::io_context& context, tcp::acceptor& acceptor, const Address& address) {
  boost::system::error_code error;
  tcp::resolver resolver(context);
  const auto results = resolver.resolve(address.host, std::to_string(address.port), error);
  if (error || results.empty()) return "cannot resolve " + address.to_string() + ": " + error.message();
  const tcp::endpoint endpoint = results.begin()->endpoint();
  acceptor.open(endpoint.protocol(), error);
  if (error) return "open " + address.to_string() + ": " + error.message();
  // Lets a restarted daemon bind its port while connections of its previous life sit in TIME_WAIT.
  acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (error) return "reuse_address " + address.to_string() + ": " + error.message();
  acceptor.bind(endpoint, error);
  if (error) return "bind " + address.to_string() + ": " + error.message();
  acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) return "listen " + address.to_string() + ": " + error.message();
  return std::nullopt;
}

}  // namespace edgecache::net
