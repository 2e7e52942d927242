#pragma once
#include <cstdint>

namespace hs {

// Milliseconds on the monotonic clock (for timeouts; never jumps).
int64_t monotonic_ms();
// Seconds since the Unix epoch on the coarse real-time clock (for Date headers).
int64_t wall_seconds();

}  // namespace hs
