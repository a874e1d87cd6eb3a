// An edge that starts on a simulated disk (cluster.disk) loads only what is intact and everything that is:
// every image it loaded has the canonical's bytes (a torn or flipped file is never trusted), and when the
// intact files fit the cache's budget, every image with an intact file was loaded (a lost or torn write
// costs only its own image). A file is intact when its name parses, and its bytes are the catalog's image
// with the checksum the name carries.

#include <map>

#include "core/disk_mirror.h"
#include "sim/checkers/all_checkers.h"

namespace edgecache::sim {
namespace {

class DiskRecoveryChecker final : public Checker {
 public:
  using Checker::Checker;
  const char* name() const override { return "disk_recovery"; }

  void on_disk_load(TimeUs now, NodeId edge, const DiskLoad& load) override {
    ++loads_;
    std::map<ImageId, Body> loaded(load.loaded.begin(), load.loaded.end());
    for (const auto& [image_id, body] : load.loaded) {
      if (!canonical(image_id, body)) {
        violation(now, host(edge), "loaded image " + std::to_string(image_id) +
                                       " from its disk with bytes that differ from the canonical's");
      }
    }
    std::map<ImageId, const std::string*> intact;
    std::uint64_t intact_bytes = 0;
    for (const auto& [name, body] : load.files) {
      const auto parsed = parse_disk_file_name(name);
      if (!parsed || body->checksum() != parsed->second || !canonical(parsed->first, body)) continue;
      if (intact.emplace(parsed->first, &name).second) intact_bytes += body->size();
    }
    // Over budget, the cache's own eviction order decides what stays, which this check does not model.
    if (intact_bytes > load.budget_bytes) return;
    for (const auto& [image_id, name] : intact) {
      if (loaded.count(image_id) == 0) {
        violation(now, host(edge), "did not load image " + std::to_string(image_id) + " from the intact file " +
                                       *name + " on its disk");
      }
    }
  }

  void finish(TimeUs /*now*/, TimeUs /*quiet_since_us*/) override {
    if (loads_ == 0) skip("no edge has a simulated disk (cluster.disk)");
  }

 private:
  bool canonical(ImageId image_id, const Body& body) const {
    const std::optional<ImageInfo> info = context_.catalog.info(image_id);
    return info && info->checksum == body->checksum() && info->size_bytes == body->size();
  }

  std::uint64_t loads_ = 0;
};

}  // namespace

std::unique_ptr<Checker> make_disk_recovery_checker(CheckContext& context) {
  return std::make_unique<DiskRecoveryChecker>(context);
}

}  // namespace edgecache::sim
