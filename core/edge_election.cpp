// Edge: the Bully election (Garcia-Molina, 1982), with epochs and heartbeats.
//
// An edge that suspects the leader sends Election to every higher edge. A live higher edge answers and runs
// its own election, so the highest live edge ends up announcing itself with Coordinator, carrying an epoch
// larger than any it has heard of. The leader heartbeats every other edge; a follower that hears nothing for
// leader_timeout_ms starts an election. Beyond the textbook algorithm, the standard protocol makes two
// leaders that meet (after a partition heals, or a paused leader wakes up) converge: any sign of life from a
// higher edge than one's leader triggers an election, and a leader that hears a lower leader re-announces
// itself with a new epoch.

#include <algorithm>

#include "core/assert.h"
#include "core/edge.h"

namespace edgecache {

std::vector<NodeId> Edge::higher_edges() const {
  return {std::upper_bound(config_.edges.begin(), config_.edges.end(), env_.self()), config_.edges.end()};
}

std::vector<NodeId> Edge::other_edges() const {
  std::vector<NodeId> others;
  for (NodeId edge : config_.edges) {
    if (edge != env_.self()) others.push_back(edge);
  }
  return others;
}

void Edge::observe_epoch(Epoch epoch) { highest_epoch_seen_ = std::max(highest_epoch_seen_, epoch); }

void Edge::cancel_election_timers() {
  env_.cancel_timer(election_timer_);
  election_timer_ = 0;
}

void Edge::start_election() {
  ++counters_.elections_started;
  cancel_election_timers();
  env_.cancel_timer(leader_timer_);
  leader_timer_ = 0;
  env_.cancel_timer(heartbeat_timer_);
  heartbeat_timer_ = 0;
  env_.cancel_timer(anti_entropy_timer_);
  anti_entropy_timer_ = 0;
  role_ = Role::candidate;
  leader_.reset();
  answered_ = false;

  std::vector<NodeId> higher = higher_edges();
  if (higher.empty()) {
    become_leader();
    return;
  }
  for (NodeId edge : higher) env_.send(edge, Election{highest_epoch_seen_});
  election_timer_ = env_.start_timer(ms_to_us(config_.answer_timeout_ms), {TimerKind::answer_timeout, 0});
}

void Edge::become_leader() {
  cancel_election_timers();
  env_.cancel_timer(leader_timer_);
  leader_timer_ = 0;
  if (role_ != Role::leader && config_.protocol == Protocol::standard) {
    // Pulls the previous leader ordered and that have not started often name that leader as their source,
    // and it may be dead: behind them, one pull timeout each, the pulls our reconciliation orders would
    // wait for minutes. The followers' inventories, which reach us as they accept us, order afresh what we
    // lack, as accept_leader does for a follower
    // (scenarios/regressions/new_leader_pulls_from_crashed_leader.json).
    queued_pulls_.clear();
    queued_pull_sources_.clear();
  }
  role_ = Role::leader;
  leader_ = env_.self();
  epoch_ = next_epoch(highest_epoch_seen_);
  highest_epoch_seen_ = epoch_;
  ++counters_.times_elected;
  holdings_.clear();
  follower_free_bytes_.clear();
  follower_last_ack_us_.clear();
  for (NodeId edge : other_edges()) env_.send(edge, Coordinator{epoch_});
  if (config_.protocol == Protocol::classic) return;  // The original sends no heartbeats and never reconciles.
  env_.cancel_timer(heartbeat_timer_);
  heartbeat_timer_ = env_.start_timer(ms_to_us(config_.heartbeat_interval_ms), {TimerKind::heartbeat, 0});
  env_.cancel_timer(anti_entropy_timer_);
  anti_entropy_timer_ =
      env_.start_timer(ms_to_us(config_.anti_entropy_interval_ms), {TimerKind::anti_entropy, 0});
}

void Edge::accept_leader(NodeId leader, Epoch epoch) {
  EC_ASSERT(leader != env_.self(), "an edge accepts only another edge as leader");
  bool changed = leader_ != leader || epoch_ != epoch;
  cancel_election_timers();
  env_.cancel_timer(heartbeat_timer_);
  heartbeat_timer_ = 0;
  env_.cancel_timer(anti_entropy_timer_);
  anti_entropy_timer_ = 0;
  role_ = Role::follower;
  leader_ = leader;
  epoch_ = epoch;
  observe_epoch(epoch);
  if (config_.protocol == Protocol::classic) return;
  restart_leader_timer();
  if (changed) {
    // Pulls the old leader ordered and that have not started may name a dead source; the new leader orders
    // afresh once it has our inventory, which we send at once rather than wait for its anti-entropy round.
    queued_pulls_.clear();
    queued_pull_sources_.clear();
    send_inventory(leader);
  }
}

void Edge::restart_leader_timer() {
  env_.cancel_timer(leader_timer_);
  leader_timer_ = env_.start_timer(ms_to_us(config_.leader_timeout_ms), {TimerKind::leader_timeout, 0});
}

void Edge::send_heartbeats() {
  for (NodeId edge : other_edges()) env_.send(edge, Heartbeat{epoch_});
  heartbeat_timer_ = env_.start_timer(ms_to_us(config_.heartbeat_interval_ms), {TimerKind::heartbeat, 0});
}

void Edge::on_election(NodeId from, const Election& message) {
  observe_epoch(message.epoch);
  if (from > env_.self() || !is_edge(from)) return;  // Only lower edges send us Election.
  env_.send(from, Answer{highest_epoch_seen_});
  switch (role_) {
    case Role::candidate:
      return;  // Our own election is already under way.
    case Role::leader:
      // The lower edge wants a Coordinator it will accept: ours, unless it has seen a later epoch.
      if (message.epoch >= epoch_) {
        become_leader();
      } else {
        env_.send(from, Coordinator{epoch_});
      }
      return;
    case Role::follower:
      // A follower of a higher leader needs no election: that leader got the same Election and answers it.
      if (config_.protocol == Protocol::standard && leader_ && *leader_ > env_.self()) return;
      start_election();
      return;
  }
}

void Edge::on_answer(NodeId from, const Answer& message) {
  observe_epoch(message.epoch);
  if (role_ != Role::candidate || answered_ || from < env_.self()) return;
  answered_ = true;
  cancel_election_timers();
  election_timer_ = env_.start_timer(ms_to_us(config_.coordinator_timeout_ms), {TimerKind::coordinator_timeout, 0});
}

void Edge::on_coordinator(NodeId from, const Coordinator& message) {
  observe_epoch(message.epoch);
  if (!is_edge(from)) return;
  if (config_.protocol == Protocol::classic) {
    // The original: followers and candidates take any announcement; a leader ignores them all.
    if (role_ != Role::leader) accept_leader(from, message.epoch);
    return;
  }
  if (from < env_.self()) {
    // A lower edge claims to lead: bully it.
    if (role_ == Role::leader) {
      become_leader();
    } else if (role_ == Role::follower) {
      start_election();
    }
    return;
  }
  if (message.epoch >= epoch_) {
    accept_leader(from, message.epoch);
    return;
  }
  // A higher edge with a stale epoch: it missed a later term. If it outranks our leader, an election teaches
  // it the newer epoch (our Election carries it) and lets it win properly.
  if (role_ != Role::candidate && (!leader_ || from > *leader_)) start_election();
}

void Edge::on_heartbeat(NodeId from, const Heartbeat& message) {
  observe_epoch(message.epoch);
  if (!is_edge(from) || config_.protocol == Protocol::classic) return;
  if (from > env_.self()) {
    if (leader_ == from && message.epoch == epoch_) {
      restart_leader_timer();
      env_.send(from, HeartbeatAck{epoch_});
    } else if (message.epoch > epoch_ || (message.epoch == epoch_ && role_ == Role::candidate)) {
      // We missed its Coordinator (lost, or we were paused or cut off when it was sent).
      accept_leader(from, message.epoch);
      env_.send(from, HeartbeatAck{epoch_});
    } else if (role_ != Role::candidate && (!leader_ || from > *leader_)) {
      // A higher edge than our leader is alive with an older term: elect again so it can take over.
      start_election();
    }
    return;
  }
  // A lower edge believes it leads. A leader re-announces itself with a newer term, but only for a heartbeat
  // of its own term or a later one: heartbeats of a term it already superseded are stale (a real partition
  // delays them rather than losing them, and its TCP links deliver seconds of them at once when it heals),
  // and re-announcing for each would restart the term, and its followers' reconciliation, dozens of times.
  // The lower edge learns of the newer term from our own heartbeats.
  if (role_ == Role::leader) {
    if (message.epoch >= epoch_) become_leader();
  } else if (role_ == Role::follower && (!leader_ || *leader_ < env_.self())) {
    start_election();
  }
}

void Edge::on_heartbeat_ack(NodeId from, const HeartbeatAck& message) {
  observe_epoch(message.epoch);
  if (role_ == Role::leader && message.epoch == epoch_ && is_edge(from)) follower_seen(from);
}

}  // namespace edgecache
