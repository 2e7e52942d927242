#pragma once
#include <atomic>
#include <cstdint>

#include "base/blocking.h"
#include "iis/module_registry.h"

namespace hs::iis {

// A call into one module's code (a base::Region). A module whose calls were handed off recently
// (it blocks: a database call, a lock) gives the loop away as each call starts, so the loop's
// other connections never wait the monitor's delay behind it; one that stops blocking goes back
// to running inline after kBlockingMemoryMs.
class ModuleRegion {
 public:
  static constexpr int64_t kBlockingMemoryMs = 1000;
  ModuleRegion(base::BlockingHost* host, const ModuleRegistration* reg, int64_t now_ms)
      : host_(host), reg_(reg), now_ms_(now_ms) {
    if (reg_ != nullptr && reg_->runs_inline) host_ = nullptr;  // a short built-in call
    if (host_ == nullptr) return;
    bool eager = reg_ != nullptr && now_ms_ < reg_->blocks_until_ms.load(std::memory_order_relaxed);
    host_->enter_region(eager);
  }
  ~ModuleRegion() {
    if (host_ == nullptr) return;
    if (host_->leave_region() && reg_ != nullptr) {
      reg_->blocks_until_ms.store(now_ms_ + kBlockingMemoryMs, std::memory_order_relaxed);
    }
  }
  ModuleRegion(const ModuleRegion&) = delete;
  ModuleRegion& operator=(const ModuleRegion&) = delete;

 private:
  base::BlockingHost* host_;
  const ModuleRegistration* reg_;
  int64_t now_ms_;
};

}  // namespace hs::iis
