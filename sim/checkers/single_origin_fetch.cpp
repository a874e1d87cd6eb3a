// Request coalescing: an edge has at most one origin fetch (GetImage to the canonical) in flight per image.
//
// Judged from the wire, not from the edge's own bookkeeping: a fetch is in flight from its send until the
// canonical's reply for that request id reaches the edge, the edge's origin_timeout timer for that image
// fires, or the edge crashes.

#include <map>

#include "sim/checkers/all_checkers.h"

namespace edgecache::sim {
namespace {

class SingleOriginFetchChecker final : public Checker {
 public:
  using Checker::Checker;
  const char* name() const override { return "single_origin_fetch"; }

  void on_send(TimeUs now, NodeId from, NodeId to, const Message& message, SendFate /*fate*/) override {
    const auto* fetch = std::get_if<GetImage>(&message);
    if (fetch == nullptr || fetch->cache_only || to != context_.layout.canonical || !context_.layout.is_edge(from)) return;
    auto [entry, fresh] = in_flight_.try_emplace({from, fetch->image_id}, fetch->request_id);
    if (!fresh) {
      violation(now, host(from),
                "second origin fetch for image " + std::to_string(fetch->image_id) + " while request " +
                    std::to_string(entry->second) + " is still in flight");
      entry->second = fetch->request_id;
    }
  }

  void on_deliver(TimeUs /*now*/, NodeId from, NodeId to, const Message& message) override {
    const auto* reply = std::get_if<ImageReply>(&message);
    if (reply == nullptr || from != context_.layout.canonical) return;
    auto entry = in_flight_.find({to, reply->image_id});
    if (entry != in_flight_.end() && entry->second == reply->request_id) in_flight_.erase(entry);
  }

  void on_timer(TimeUs /*now*/, NodeId node, const Timer& timer) override {
    if (timer.kind == TimerKind::origin_timeout) in_flight_.erase({node, timer.key});
  }

  void on_host_event(TimeUs /*now*/, NodeId node, HostEvent event) override {
    if (event == HostEvent::crashed || event == HostEvent::restarted) {
      std::erase_if(in_flight_, [&](const auto& entry) { return entry.first.first == node; });
    }
  }

 private:
  std::map<std::pair<NodeId, ImageId>, RequestId> in_flight_;
};

}  // namespace

std::unique_ptr<Checker> make_single_origin_fetch_checker(CheckContext& context) {
  return std::make_unique<SingleOriginFetchChecker>(context);
}

}  // namespace edgecache::sim
