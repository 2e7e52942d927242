#include "modules/compression.h"

#include <brotli/decode.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "modules/codec.h"

namespace hs::modules {
namespace {

namespace fs = std::filesystem;

std::string gunzip(const std::string& in, bool gzip_wrapper) {
  z_stream z{};
  inflateInit2(&z, gzip_wrapper ? 15 + 16 : 15);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int r = inflate(&z, Z_FINISH);
  out.resize(z.total_out);
  inflateEnd(&z);
  return r == Z_STREAM_END ? out : "<bad stream>";
}

std::string unbrotli(const std::string& in) {
  std::string out(1 << 20, '\0');
  size_t n = out.size();
  if (BrotliDecoderDecompress(in.size(), reinterpret_cast<const uint8_t*>(in.data()), &n,
                              reinterpret_cast<uint8_t*>(out.data())) !=
      BROTLI_DECODER_RESULT_SUCCESS)
    return "<bad stream>";
  out.resize(n);
  return out;
}

std::string text() {
  std::string s;
  for (int i = 0; i < 5000; ++i)
    s += "line " + std::to_string(i % 37) + " of some compressible text\n";
  return s;
}

TEST(Codec, RoundTripsInPiecesWithFlushes) {
  const std::string t = text();
  for (Coding c : {Coding::kGzip, Coding::kDeflate, Coding::kBrotli}) {
    auto e = make_encoder(c, c == Coding::kBrotli ? 5 : 6);
    ASSERT_TRUE(e);
    std::string out;
    size_t half = t.size() / 2;
    ASSERT_TRUE(e->write(std::string_view(t).substr(0, half), Encoder::Step::kFlush, &out));
    size_t after_flush = out.size();
    EXPECT_GT(after_flush, 0u);  // a flush makes what was given decodable now
    ASSERT_TRUE(e->write(std::string_view(t).substr(half), Encoder::Step::kProcess, &out));
    ASSERT_TRUE(e->write({}, Encoder::Step::kFinish, &out));
    EXPECT_LT(out.size(), t.size() / 4);
    std::string back = c == Coding::kBrotli ? unbrotli(out) : gunzip(out, c == Coding::kGzip);
    EXPECT_EQ(back, t) << coding_name(c);
  }
  Coding c;
  EXPECT_TRUE(parse_coding("BR", &c));
  EXPECT_EQ(c, Coding::kBrotli);
  EXPECT_FALSE(parse_coding("zstd", &c));
}

CompressionOptions options() {
  CompressionOptions o;
  o.schemes = {{"br", true, true, 7, 0}, {"gzip", true, true, 7, 0}};
  o.static_types = {{"text/*", true}, {"application/json", true}, {"*/*", false}};
  return o;
}

TEST(Negotiation, QualitiesWildcardsAndOrder) {
  CompressionOptions o = options();
  auto pick = [&](std::string_view a) {
    const CompressionOptions::Scheme* s = choose_scheme(o, a, false);
    return s != nullptr ? s->name : std::string("-");
  };
  EXPECT_EQ(pick("gzip"), "gzip");
  EXPECT_EQ(pick("gzip, br"), "br");  // ties: the configured order
  EXPECT_EQ(pick("gzip;q=1.0, br;q=0.9"), "gzip");
  EXPECT_EQ(pick(" br ; q=0 , gzip"), "gzip");
  EXPECT_EQ(pick("*"), "br");
  EXPECT_EQ(pick("br;q=0, *;q=0.5"), "gzip");
  EXPECT_EQ(pick("*;q=0"), "-");
  EXPECT_EQ(pick("identity"), "-");
  EXPECT_EQ(pick(""), "-");
  o.schemes[0].static_level = 0;  // level 0 turns a scheme's static compression off
  EXPECT_EQ(pick("br"), "-");
  EXPECT_TRUE(choose_scheme(o, "br", true) != nullptr);
}

TEST(Negotiation, Types) {
  CompressionOptions o = options();
  EXPECT_TRUE(type_enabled(o.static_types, "text/html; charset=utf-8"));
  EXPECT_TRUE(type_enabled(o.static_types, "TEXT/CSS"));
  EXPECT_TRUE(type_enabled(o.static_types, "application/json"));
  EXPECT_FALSE(type_enabled(o.static_types, "application/jsonx"));
  EXPECT_FALSE(type_enabled(o.static_types, "image/png"));
  EXPECT_FALSE(type_enabled(o.static_types, "nonsense"));
}

struct TempDir {
  TempDir() {
    char t[] = "/tmp/hs-compressed-XXXXXX";
    path = mkdtemp(t);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string path;
};

TEST(CompressedFiles, MadeOnceFoundAgainAndEvicted) {
  TempDir d;
  std::string src = d.path + "/src.txt";
  std::ofstream(src) << text();
  CompressionOptions o = options();
  o.directory = d.path + "/cache";
  // Not room for both: the second copy evicts the first (down to 90 % of the limit).
  auto size_of = [](Coding c, unsigned level) {
    std::string out;
    make_encoder(c, level)->write(text(), Encoder::Step::kFinish, &out);
    return static_cast<uint64_t>(out.size());
  };
  o.max_disk_bytes = size_of(Coding::kGzip, 7) + size_of(Coding::kBrotli, 5) - 1;
  int fd = open(src.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  struct stat st {};
  ASSERT_EQ(fstat(fd, &st), 0);
  {
    CompressedFiles files(o);
    ASSERT_TRUE(files.ok());
    auto a = files.get(fd, st, Coding::kGzip, 7);
    ASSERT_TRUE(a);
    EXPECT_FALSE(a->worthless);
    std::string body(a->size, '\0');
    ASSERT_EQ(pread(a->fd, body.data(), body.size(), 0), static_cast<ssize_t>(body.size()));
    EXPECT_EQ(gunzip(body, true), text());
    auto b = files.get(fd, st, Coding::kBrotli, 5);  // evicts the gzip copy (the limit)
    ASSERT_TRUE(b);
    EXPECT_EQ(files.stats().made, 2u);
    EXPECT_GE(files.stats().evicted, 1u);
    // The evicted copy is gone from the disk but still readable through its descriptor.
    EXPECT_FALSE(fs::exists(a->path));
    EXPECT_EQ(pread(a->fd, body.data(), body.size(), 0), static_cast<ssize_t>(body.size()));
  }
  o.max_disk_bytes = 100 << 20;
  CompressedFiles again(o);
  auto c = again.get(fd, st, Coding::kBrotli, 5);
  ASSERT_TRUE(c);
  EXPECT_EQ(again.stats().from_disk, 1u);  // the copy the first instance kept
  close(fd);
}

TEST(CompressedFiles, IncompressibleIsRemembered) {
  TempDir d;
  std::string src = d.path + "/random.bin";
  {
    std::ofstream f(src, std::ios::binary);
    uint32_t x = 12345;
    for (int i = 0; i < 20000; ++i) {
      x = x * 1664525 + 1013904223;
      f.put(static_cast<char>(x >> 24));
    }
  }
  CompressionOptions o = options();
  o.directory = d.path + "/cache";
  int fd = open(src.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  fstat(fd, &st);
  CompressedFiles files(o);
  auto a = files.get(fd, st, Coding::kGzip, 9);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->worthless);
  EXPECT_TRUE(files.get(fd, st, Coding::kGzip, 9)->worthless);
  EXPECT_EQ(files.stats().made, 1u);
  EXPECT_TRUE(fs::is_empty(o.directory));
  close(fd);
}

TEST(CompressedFiles, UnusableDirectory) {
  TempDir d;
  std::ofstream(d.path + "/file") << "x";
  CompressionOptions o = options();
  o.directory = d.path + "/file/cache";
  CompressedFiles files(o);
  EXPECT_FALSE(files.ok());
}

}  // namespace
}  // namespace hs::modules
