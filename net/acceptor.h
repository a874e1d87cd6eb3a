#pragma once
// Opens a listening TCP acceptor on a configured address, reporting failure as a sentence (a port in use,
// a name that does not resolve) instead of an Asio error code.

#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "net/config.h"

namespace edgecache::net {

// Resolves `address`, then opens, binds and listens on `acceptor`. Returns why it failed, or nothing.
std::optional<std::string> open_acceptor(boost::asio::io_context& context, boost::asio::ip::tcp::acceptor& acceptor,
                                         const Address& address);

}  // namespace edgecache::net
