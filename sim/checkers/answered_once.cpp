// Every client request ends in exactly one outcome, by its deadline (plus checks.answer_grace_ms).
//
// Deadlines are converted to global time with the client's clock drift, and a client that is paused gets its
// deadlines pushed back by the pause: a stopped process cannot answer, and that is not the protocol's fault.
// A client that crashes takes its requests with it.

#include <map>

#include "sim/checkers/all_checkers.h"

namespace edgecache::sim {
namespace {

class AnsweredOnceChecker final : public Checker {
 public:
  using Checker::Checker;
  const char* name() const override { return "answered_once"; }

  void on_submit(TimeUs now, NodeId client, const ClientRequest& request, TimeUs deadline_us) override {
    auto [entry, fresh] = pending_.try_emplace({client, request.id}, deadline_us);
    if (!fresh) violation(now, host(client), "request " + std::to_string(request.id) + " submitted twice");
  }

  void on_result(TimeUs now, NodeId client, const ClientResult& result) override {
    auto entry = pending_.find({client, result.id});
    if (entry == pending_.end()) {
      violation(now, host(client),
                "request " + std::to_string(result.id) + " answered again (or never submitted): " +
                    outcome_name(result.outcome));
      return;
    }
    TimeUs late_after = entry->second + ms_to_us(context_.checks.answer_grace_ms);
    if (now > late_after) {
      violation(now, host(client),
                "request " + std::to_string(result.id) + " answered " + std::to_string((now - entry->second) / 1000) +
                    " ms after its deadline");
    }
    pending_.erase(entry);
  }

  void on_host_event(TimeUs now, NodeId node, HostEvent event) override {
    if (!context_.layout.is_client(node)) return;
    if (event == HostEvent::crashed || event == HostEvent::restarted) {
      std::erase_if(pending_, [&](const auto& entry) { return entry.first.first == node; });
    } else if (event == HostEvent::paused) {
      paused_at_[node] = now;
    } else if (event == HostEvent::resumed) {
      TimeUs pause_us = now - paused_at_[node];
      for (auto& [key, deadline] : pending_) {
        if (key.first == node) deadline += pause_us;
      }
    }
  }

  void finish(TimeUs now, TimeUs /*quiet_since_us*/) override {
    for (const auto& [key, deadline] : pending_) {
      TimeUs late_after = deadline + ms_to_us(context_.checks.answer_grace_ms);
      if (late_after <= now) {
        violation(late_after, host(key.first), "request " + std::to_string(key.second) + " was never answered");
      }
    }
  }

 private:
  std::map<std::pair<NodeId, RequestId>, TimeUs> pending_;  // -> deadline, global time.
  std::map<NodeId, TimeUs> paused_at_;
};

}  // namespace

std::unique_ptr<Checker> make_answered_once_checker(CheckContext& context) {
  return std::make_unique<AnsweredOnceChecker>(context);
}

}  // namespace edgecache::sim
