#pragma once
// Shared helpers for the fuzz targets. Each target defines LLVMFuzzerTestOneInput; it is linked
// either with libFuzzer (clang, `make fuzz`) or with replay_main.cc (any compiler, ctest), so
// nothing here may depend on clang.
//
// Invariant failures call FUZZ_CHECK, which prints the broken condition and aborts: libFuzzer
// records the input as a crash, and a corpus replay under ctest fails.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond)                                              \
  do {                                                                \
    if (!(cond)) ::hs::fuzz::check_failed(#cond, __FILE__, __LINE__); \
  } while (0)

namespace hs::fuzz {

[[noreturn]] inline void check_failed(const char* cond, const char* file, int line) {
  fprintf(stderr, "fuzz invariant broken: %s (%s:%d)\n", cond, file, line);
  fflush(stderr);
  abort();
}

// Reads "control" values from the front of an input and hands the rest out as the payload.
// Running out of bytes yields zeros, so every input is valid and short inputs still mean something.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : p_(data), left_(size) {}

  uint8_t byte() {
    if (left_ == 0) return 0;
    --left_;
    return *p_++;
  }
  uint16_t u16() { return static_cast<uint16_t>(byte() | (byte() << 8)); }
  uint32_t u32() { return static_cast<uint32_t>(u16()) | (static_cast<uint32_t>(u16()) << 16); }
  uint64_t u64() { return static_cast<uint64_t>(u32()) | (static_cast<uint64_t>(u32()) << 32); }
  bool flag() { return (byte() & 1) != 0; }

  // Takes up to n bytes (fewer at the end of the input).
  std::string_view take(size_t n) {
    if (n > left_) n = left_;
    std::string_view out(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    left_ -= n;
    return out;
  }
  // Everything not consumed yet.
  std::string_view rest() { return take(left_); }
  size_t left() const { return left_; }

 private:
  const uint8_t* p_;
  size_t left_;
};

// Split points for feeding `len` bytes in pieces, derived from `seed` bytes: piece lengths cycle
// through the seed (each byte + 1), so the fuzzer controls them without spending payload bytes.
// An empty seed means one piece.
template <class F>
void for_each_piece(std::string_view seed, size_t len, F&& f) {
  size_t pos = 0;
  size_t i = 0;
  while (pos < len) {
    size_t n = seed.empty() ? len - pos : static_cast<unsigned char>(seed[i++ % seed.size()]) + 1u;
    if (n > len - pos) n = len - pos;
    f(pos, n);
    pos += n;
  }
}

}  // namespace hs::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
