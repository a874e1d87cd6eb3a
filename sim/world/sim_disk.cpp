#include "sim/world/sim_disk.h"

#include <algorithm>

#include "core/assert.h"

namespace edgecache::sim {

// The Storage one incarnation sees. It holds the disk's generation at attach time: once the disk has lost
// power since, the port does nothing, so nothing of a dead incarnation reaches the disk.
class SimDisk::Port final : public Storage {
 public:
  Port(SimDisk& disk, std::uint64_t generation) : disk_(disk), generation_(generation) {}

  std::vector<StoredFile> list() override {
    std::vector<StoredFile> result;
    for (const auto& [name, file] : disk_.files_) result.push_back({name, file.body->size(), file.written_order});
    return result;
  }

  StoredRead read(const std::string& name) override {
    auto found = disk_.files_.find(name);
    if (found == disk_.files_.end()) return StoredRead{nullptr, "no such file"};
    return StoredRead{found->second.body, ""};
  }

  void write(std::string name, Body body, WriteDone done) override {
    EC_ASSERT(body != nullptr && static_cast<bool>(done), "a write needs a body and a completion");
    if (generation_ != disk_.generation_) return;
    disk_.enqueue(Operation{true, std::move(name), std::move(body), std::move(done)});
  }

  void remove(std::string name) override {
    if (generation_ != disk_.generation_) return;
    disk_.enqueue(Operation{false, std::move(name), nullptr, nullptr});
  }

 private:
  SimDisk& disk_;
  std::uint64_t generation_;
};

SimDisk::SimDisk(World& world, NodeId host, TimeUs write_latency_us)
    : world_(world), host_(host), healthy_latency_us_(write_latency_us), latency_us_(write_latency_us) {
  EC_ASSERT(write_latency_us >= 0, "a disk's write latency cannot be negative");
}

SimDisk::~SimDisk() = default;

Storage& SimDisk::attach() {
  power_loss();
  port_ = std::make_unique<Port>(*this, generation_);
  return *port_;
}

void SimDisk::power_loss() {
  ++generation_;
  for (const Operation& operation : queue_) {
    if (operation.is_write) ++counters_.lost_writes;
  }
  queue_.clear();
  running_ = false;
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->second.is_volatile) {
      ++counters_.lost_writes;
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
}

void SimDisk::enqueue(Operation operation) {
  // A removal costs no time; with nothing ahead of it, it happens at once and needs no event.
  if (!operation.is_write && !running_) {
    files_.erase(operation.name);
    return;
  }
  queue_.push_back(std::move(operation));
  if (!running_) run_next();
}

void SimDisk::run_next() {
  EC_ASSERT(!running_ && !queue_.empty() && queue_.front().is_write, "only a write takes a turn");
  running_ = true;
  const std::uint64_t generation = generation_;
  world_.schedule(world_.now() + latency_us_, [this, generation] {
    if (generation != generation_) return;  // The disk lost power meanwhile; the queue went with it.
    running_ = false;
    Operation write = std::move(queue_.front());
    queue_.pop_front();
    land(write);
    while (!queue_.empty() && !queue_.front().is_write) {
      files_.erase(queue_.front().name);
      queue_.pop_front();
    }
    if (!queue_.empty()) run_next();
  });
}

void SimDisk::land(Operation& write) {
  StorageError error = StorageError::none;
  if (full_) {
    error = StorageError::no_space;
    ++counters_.failed_writes;
  } else {
    Body body = std::move(write.body);
    if (tear_next_) {
      // The first half reached the platter; the rest never did, and the disk did not say so.
      tear_next_ = false;
      ++counters_.torn_writes;
      const auto bytes = body->bytes();
      body = make_body(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2)));
    }
    files_[write.name] = File{std::move(body), ++next_written_order_, losing_};
    ++counters_.writes;
  }
  // A running node hears of it at once, from this event of the disk's own: taking note of a finished write
  // is bookkeeping too small to model as work, so it neither waits behind a slow host's backlog nor adds to
  // it (charging it a whole event's cost would make every cached image cost a slow host twice). A paused
  // node hears when it resumes, as an input; a node that is down never hears.
  if (world_.is_running(host_)) {
    write.done(error);
  } else {
    world_.inject(host_, [done = std::move(write.done), error](Node&) { done(error); });
  }
}

void SimDisk::slow(TimeUs write_latency_us) {
  EC_ASSERT(write_latency_us >= 0, "a disk's write latency cannot be negative");
  latency_us_ = write_latency_us;
}

void SimDisk::fill() { full_ = true; }

void SimDisk::lose() { losing_ = true; }

void SimDisk::tear() { tear_next_ = true; }

std::string SimDisk::flip(Rng& rng) {
  if (files_.empty()) return "";
  auto chosen = std::next(files_.begin(), static_cast<std::ptrdiff_t>(rng.below(files_.size())));
  const auto bytes = chosen->second.body->bytes();
  if (bytes.empty()) return "";
  std::vector<std::uint8_t> flipped(bytes.begin(), bytes.end());
  const std::uint64_t bit = rng.below(flipped.size() * 8);
  flipped[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
  chosen->second.body = make_body(std::move(flipped));
  ++counters_.flipped_bits;
  return chosen->first;
}

void SimDisk::repair() {
  latency_us_ = healthy_latency_us_;
  full_ = false;
  losing_ = false;
  for (auto& [name, file] : files_) file.is_volatile = false;
}

}  // namespace edgecache::sim
