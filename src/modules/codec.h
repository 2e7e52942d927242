#pragma once
// Content codings for the compression modules: gzip and deflate (zlib) and br (libbrotli),
// both from Debian, streaming. Pure: no I/O.
#include <memory>
#include <string>
#include <string_view>

namespace hs::modules {

enum class Coding { kGzip, kDeflate, kBrotli };

// "gzip", "deflate", "br" (ASCII case-insensitive); false for anything else.
bool parse_coding(std::string_view name, Coding* out);
std::string_view coding_name(Coding c);

class Encoder {
 public:
  enum class Step { kProcess, kFlush, kFinish };
  virtual ~Encoder() = default;
  // Compresses `in` and appends what the codec produces to *out. kFlush makes everything given
  // so far decodable by the client (a streamed response's chunk); kFinish ends the stream.
  // False if the codec failed (out of memory); the encoder is then unusable.
  virtual bool write(std::string_view in, Step step, std::string* out) = 0;
};

// `level` is IIS's, 0..10: gzip and deflate use zlib level max(1, min(level, 9)); br uses
// quality min(level, 11). Null if the codec cannot be set up (out of memory).
std::unique_ptr<Encoder> make_encoder(Coding coding, unsigned level);

}  // namespace hs::modules
