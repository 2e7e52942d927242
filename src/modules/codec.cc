#include "modules/codec.h"

#include <brotli/encode.h>
#include <zlib.h>

#include <algorithm>

namespace hs::modules {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] + 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

class ZlibEncoder final : public Encoder {
 public:
  ZlibEncoder() = default;
  ~ZlibEncoder() override {
    if (ok_) deflateEnd(&z_);
  }
  bool init(bool gzip, int level) {
    // windowBits 15 + 16: a gzip wrapper; 15: zlib's (HTTP's "deflate" is RFC 1950).
    ok_ = deflateInit2(&z_, level, Z_DEFLATED, gzip ? 15 + 16 : 15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    return ok_;
  }
  bool write(std::string_view in, Step step, std::string* out) override {
    if (!ok_) return false;
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    const int flush = step == Step::kFinish  ? Z_FINISH
                      : step == Step::kFlush ? Z_SYNC_FLUSH
                                             : Z_NO_FLUSH;
    while (true) {
      size_t at = out->size();
      size_t room = std::max<size_t>(16384, deflateBound(&z_, z_.avail_in) + 64);
      out->resize(at + room);
      z_.next_out = reinterpret_cast<Bytef*>(out->data() + at);
      z_.avail_out = static_cast<uInt>(room);
      int r = deflate(&z_, flush);
      out->resize(at + room - z_.avail_out);
      if (r == Z_STREAM_ERROR) return false;
      if (flush == Z_FINISH ? r == Z_STREAM_END : (z_.avail_in == 0 && z_.avail_out != 0)) break;
    }
    return true;
  }

 private:
  z_stream z_{};
  bool ok_ = false;
};

class BrotliEncoder final : public Encoder {
 public:
  ~BrotliEncoder() override {
    if (s_ != nullptr) BrotliEncoderDestroyInstance(s_);
  }
  bool init(unsigned quality) {
    s_ = BrotliEncoderCreateInstance(nullptr, nullptr, nullptr);
    if (s_ == nullptr) return false;
    BrotliEncoderSetParameter(s_, BROTLI_PARAM_QUALITY, quality);
    BrotliEncoderSetParameter(s_, BROTLI_PARAM_LGWIN, 22);
    return true;
  }
  bool write(std::string_view in, Step step, std::string* out) override {
    if (s_ == nullptr) return false;
    const BrotliEncoderOperation op = step == Step::kFinish  ? BROTLI_OPERATION_FINISH
                                      : step == Step::kFlush ? BROTLI_OPERATION_FLUSH
                                                             : BROTLI_OPERATION_PROCESS;
    size_t avail_in = in.size();
    const uint8_t* next_in = reinterpret_cast<const uint8_t*>(in.data());
    while (true) {
      size_t avail_out = 0;
      if (!BrotliEncoderCompressStream(s_, op, &avail_in, &next_in, &avail_out, nullptr, nullptr)) {
        return false;
      }
      size_t n = 0;
      const uint8_t* produced = BrotliEncoderTakeOutput(s_, &n);
      if (n > 0) out->append(reinterpret_cast<const char*>(produced), n);
      bool done = avail_in == 0 && !BrotliEncoderHasMoreOutput(s_) &&
                  (op != BROTLI_OPERATION_FINISH || BrotliEncoderIsFinished(s_));
      if (done) break;
    }
    return true;
  }

 private:
  BrotliEncoderState* s_ = nullptr;
};

}  // namespace

bool parse_coding(std::string_view name, Coding* out) {
  if (iequals(name, "gzip")) {
    *out = Coding::kGzip;
  } else if (iequals(name, "deflate")) {
    *out = Coding::kDeflate;
  } else if (iequals(name, "br")) {
    *out = Coding::kBrotli;
  } else {
    return false;
  }
  return true;
}

std::string_view coding_name(Coding c) {
  switch (c) {
    case Coding::kGzip:
      return "gzip";
    case Coding::kDeflate:
      return "deflate";
    case Coding::kBrotli:
      return "br";
  }
  return "";
}

std::unique_ptr<Encoder> make_encoder(Coding coding, unsigned level) {
  if (coding == Coding::kBrotli) {
    auto e = std::make_unique<BrotliEncoder>();
    if (!e->init(std::min(level, 11u))) return nullptr;
    return e;
  }
  auto e = std::make_unique<ZlibEncoder>();
  int z = static_cast<int>(std::clamp(level, 1u, 9u));
  if (!e->init(coding == Coding::kGzip, z)) return nullptr;
  return e;
}

}  // namespace hs::modules
