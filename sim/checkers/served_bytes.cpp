// Every image byte served equals the canonical's: each ok ImageReply any node sends carries exactly the
// catalog's bytes (by checksum, computed from the bytes themselves) and a truthful checksum claim, each ok
// SizeReply the catalog's size, and each ok client outcome the catalog's image or size.

#include "sim/checkers/all_checkers.h"

namespace edgecache::sim {
namespace {

class ServedBytesChecker final : public Checker {
 public:
  using Checker::Checker;
  const char* name() const override { return "served_bytes"; }

  void on_send(TimeUs now, NodeId from, NodeId /*to*/, const Message& message, SendFate /*fate*/) override {
    if (const auto* reply = std::get_if<ImageReply>(&message); reply != nullptr && reply->status == Status::ok) {
      if (!reply->body) {
        violation(now, host(from), "ok reply for image " + std::to_string(reply->image_id) + " without a body");
      } else if (reply->body->checksum() != reply->checksum) {
        violation(now, host(from), "reply for image " + std::to_string(reply->image_id) + " claims a checksum its bytes do not have");
      } else {
        check_body(now, from, reply->image_id, reply->body, "sent");
      }
    } else if (const auto* size = std::get_if<SizeReply>(&message); size != nullptr && size->status == Status::ok) {
      check_size(now, from, size->image_id, size->size_bytes);
    }
  }

  void on_result(TimeUs now, NodeId client, const ClientResult& result) override {
    if (result.outcome != Outcome::ok) return;
    if (result.kind == RequestKind::get_image) {
      if (!result.body) {
        violation(now, host(client), "ok get_image " + std::to_string(result.id) + " without a body");
      } else {
        check_body(now, client, result.image_id, result.body, "received");
      }
    } else {
      check_size(now, client, result.image_id, result.size_bytes);
    }
  }

 private:
  void check_body(TimeUs now, NodeId node, ImageId image_id, const Body& body, const char* verb) {
    std::optional<ImageInfo> info = context_.catalog.info(image_id);
    if (!info) {
      violation(now, host(node), std::string(verb) + " image " + std::to_string(image_id) + ", which the catalog does not have");
    } else if (info->checksum != body->checksum() || info->size_bytes != body->size()) {
      violation(now, host(node),
                std::string(verb) + " image " + std::to_string(image_id) + " with bytes that differ from the canonical's (" +
                    std::to_string(body->size()) + " bytes, expected " + std::to_string(info->size_bytes) + ")");
    }
  }

  void check_size(TimeUs now, NodeId node, ImageId image_id, std::uint64_t size_bytes) {
    std::optional<ImageInfo> info = context_.catalog.info(image_id);
    if (!info || info->size_bytes != size_bytes) {
      violation(now, host(node),
                "size " + std::to_string(size_bytes) + " for image " + std::to_string(image_id) + ", expected " +
                    (info ? std::to_string(info->size_bytes) : std::string("not found")));
    }
  }
};

}  // namespace

std::unique_ptr<Checker> make_served_bytes_checker(CheckContext& context) {
  return std::make_unique<ServedBytesChecker>(context);
}

}  // namespace edgecache::sim
