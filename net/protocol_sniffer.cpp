#include "net/protocol_sniffer.h"

#include <algorithm>

namespace edgecache::net {

ClientProtocol classify_client_bytes(std::span<const std::uint8_t> first_bytes) {
  if (first_bytes.empty()) return ClientProtocol::undecided;
  const std::uint8_t first = first_bytes[0];
  if (first < 'A' || first > 'Z') return ClientProtocol::rpc;
  const std::span<const std::uint8_t> window = first_bytes.first(std::min(first_bytes.size(), protocol_sniff_bytes));
  // A NUL never appears in an HTTP request line, while an RPC length below 2^56 always has one.
  if (std::find(window.begin(), window.end(), std::uint8_t{0}) != window.end()) return ClientProtocol::rpc;
  return window.size() == protocol_sniff_bytes ? ClientProtocol::http : ClientProtocol::undecided;
}

}  // namespace edgecache::net
