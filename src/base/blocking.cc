#include "base/blocking.h"

#include <cstdlib>

#include "base/log.h"

namespace hs::base {
namespace {

std::atomic<HandOffNow> g_hand_off{nullptr};

}  // namespace

void ThreadBudget::declare(int d) {
  int cur = declared_.load();
  int next;
  do {
    next = cur + d;
    if (next < 0) next = 0;
    if (next > kMaxDeclared) next = kMaxDeclared;
  } while (!declared_.compare_exchange_weak(cur, next));
}

void BlockingFrames::frames_overflow() {
  log_write(LogLevel::kError, "module calls nested more than %d deep; stopping", kMax);
  std::abort();
}

void set_hand_off_now(HandOffNow fn) noexcept {
  g_hand_off.store(fn);
}

bool hand_off_now() noexcept {
  HandOffNow fn = g_hand_off.load();
  return fn != nullptr && fn();
}

}  // namespace hs::base
