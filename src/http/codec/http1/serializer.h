#pragma once
// HTTP/1.x response serialisation: pure functions appending bytes to a string.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hs::http::h1 {

// How a response body is delimited on the wire (decided when the head goes out).
enum class Framing : unsigned char {
  kNoBody,         // HEAD, 1xx, 204, 304: no body bytes at all
  kContentLength,  // identity, exactly Content-Length bytes
  kChunked,        // Transfer-Encoding: chunked, ended by the last chunk
  kClose,          // identity, ended by closing the connection (HTTP/1.0, unknown length)
};

inline constexpr std::string_view kCrlf = "\r\n";
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

// "HTTP/1.<minor> <status> <reason>\r\n". An empty reason uses the standard phrase.
void append_status_line(std::string& out, int minor, int status, std::string_view reason);
// "<name>: <value>\r\n". A name that is not a token is skipped (returns false); CR, LF and NUL in
// the value are replaced by spaces, so a handler cannot split the response.
bool append_field(std::string& out, std::string_view name, std::string_view value);
// "<hex size>\r\n".
void append_chunk_header(std::string& out, uint64_t size);
// Decimal digits of v appended to out.
void append_decimal(std::string& out, uint64_t v);

// In-place writers, for a head assembled in storage sized beforehand (the session sizes a head
// once instead of growing a string field by field). Each writes at p, which has room for the
// stated bound, and returns the end of what it wrote.
//
// Bound for write_status_line(status, reason).
size_t status_line_size(int status, std::string_view reason);
// The bytes append_status_line() would append.
char* write_status_line(char* p, int minor, int status, std::string_view reason);
// Bound for write_field(name, value).
inline size_t field_size(std::string_view name, std::string_view value) {
  return name.size() + value.size() + 4;
}
// The bytes append_field() would append; nothing (returns p) when the name is not a token.
char* write_field(char* p, std::string_view name, std::string_view value);
// Bound for write_decimal().
inline constexpr size_t kMaxDecimal = 20;
char* write_decimal(char* p, uint64_t v);
// Copies s; room for s.size().
inline char* write_raw(char* p, std::string_view s) {
  s.copy(p, s.size());
  return p + s.size();
}

}  // namespace hs::http::h1
