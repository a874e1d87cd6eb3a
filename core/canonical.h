#pragma once
// The canonical (origin) server: answers GetImage and GetSize from its catalog, or not_found. It keeps no
// other state, so a crash loses nothing.

#include "core/catalog.h"
#include "core/env.h"
#include "core/node.h"

namespace edgecache {

class Canonical final : public Node {
 public:
  // `catalog` must outlive the node.
  Canonical(Env& env, const Catalog& catalog);

  void on_start() override;
  void on_message(NodeId from, const Message& message) override;
  void on_timer(const Timer& timer) override;

  std::uint64_t images_served() const { return images_served_; }

 private:
  Env& env_;
  const Catalog& catalog_;
  std::uint64_t images_served_ = 0;
};

}  // namespace edgecache
