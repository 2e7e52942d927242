#include "http/codec/http1/serializer.h"

#include <charconv>
#include <cstring>

#include "http/codec/http1/token.h"
#include "http/status.h"

namespace hs::http::h1 {
namespace {

// True when s holds a byte that would end or split a line (CR, LF) or truncate it (NUL). It runs
// on every field of every response, and values are almost always clean: eight bytes at a time,
// with the exact "has a zero byte" test on the word and on its XOR with each byte sought.
bool has_line_break(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  auto has_zero_byte = [](uint64_t v) { return ((v - kOnes) & ~v & kHighs) != 0; };
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t v;
    std::memcpy(&v, s.data() + i, 8);
    if (has_zero_byte(v) || has_zero_byte(v ^ (kOnes * '\r')) || has_zero_byte(v ^ (kOnes * '\n')))
      return true;
  }
  for (; i < s.size(); ++i) {
    if (s[i] == '\r' || s[i] == '\n' || s[i] == '\0') return true;
  }
  return false;
}

// The status code as written: three digits, 500 for anything else.
int wire_status(int status) {
  return status < 100 || status > 999 ? 500 : status;
}

// Appends through an in-place writer: room for `bound` bytes, then cut to what was written.
// Returns the end, or nullptr when the writer wrote nothing.
template <class Write>
char* append_in_place(std::string& out, size_t bound, Write write) {
  size_t at = out.size();
  out.resize(at + bound);
  char* begin = out.data() + at;
  char* end = write(begin);
  out.resize(static_cast<size_t>(end - out.data()));
  return end == begin ? nullptr : end;
}

// Copies s to p with CR, LF and NUL replaced by spaces.
char* write_sanitized(char* p, std::string_view s) {
  if (!has_line_break(s)) return write_raw(p, s);
  for (char c : s)
    *p++ = (c == '\r' || c == '\n' || c == '\0') ? ' ' : c;
  return p;
}

}  // namespace

char* write_decimal(char* p, uint64_t v) {
  return std::to_chars(p, p + kMaxDecimal, v).ptr;
}

void append_decimal(std::string& out, uint64_t v) {
  char buf[kMaxDecimal];
  out.append(buf, write_decimal(buf, v));
}

size_t status_line_size(int status, std::string_view reason) {
  // "HTTP/1.x NNN " (13 bytes: three digits, see wire_status), the reason, CRLF.
  return 13 + (reason.empty() ? reason_phrase(wire_status(status)).size() : reason.size()) + 2;
}

char* write_status_line(char* p, int minor, int status, std::string_view reason) {
  status = wire_status(status);
  p = write_raw(p, minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ");
  *p++ = static_cast<char>('0' + status / 100);
  *p++ = static_cast<char>('0' + status / 10 % 10);
  *p++ = static_cast<char>('0' + status % 10);
  *p++ = ' ';
  // Our own phrases have no line breaks; a handler's reason is cleaned.
  p = reason.empty() ? write_raw(p, reason_phrase(status)) : write_sanitized(p, reason);
  *p++ = '\r';
  *p++ = '\n';
  return p;
}

void append_status_line(std::string& out, int minor, int status, std::string_view reason) {
  append_in_place(out, status_line_size(status, reason),
                  [&](char* p) { return write_status_line(p, minor, status, reason); });
}

char* write_field(char* p, std::string_view name, std::string_view value) {
  if (!is_token(name)) return p;
  p = write_raw(p, name);
  *p++ = ':';
  *p++ = ' ';
  p = write_sanitized(p, value);
  *p++ = '\r';
  *p++ = '\n';
  return p;
}

bool append_field(std::string& out, std::string_view name, std::string_view value) {
  return append_in_place(out, field_size(name, value),
                         [&](char* p) { return write_field(p, name, value); }) != nullptr;
}

void append_chunk_header(std::string& out, uint64_t size) {
  char buf[20];
  auto r = std::to_chars(buf, buf + sizeof(buf), size, 16);
  out.append(buf, r.ptr);
  out.append(kCrlf);
}

}  // namespace hs::http::h1
