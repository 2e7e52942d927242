#include "http/codec/http1/serializer.h"

#include "http/codec/http1/token.h"

#include <charconv>
#include <cstring>

#include "http/status.h"

namespace hs::http::h1 {
namespace {}  // namespace

void append_decimal(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

void append_status_line(std::string& out, int minor, int status, std::string_view reason) {
  out.append(minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ");
  if (status < 100 || status > 999) status = 500;
  append_decimal(out, static_cast<uint64_t>(status));
  out.push_back(' ');
  if (reason.empty()) reason = reason_phrase(status);
  size_t start = out.size();
  out.append(reason);
  for (size_t i = start; i < out.size(); ++i) {
    if (out[i] == '\r' || out[i] == '\n' || out[i] == '\0') out[i] = ' ';
  }
  out.append(kCrlf);
}

bool append_field(std::string& out, std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!is_tchar(static_cast<unsigned char>(c))) return false;
  }
  out.append(name);
  out.append(": ");
  size_t start = out.size();
  out.append(value);
  for (size_t i = start; i < out.size(); ++i) {
    if (out[i] == '\r' || out[i] == '\n' || out[i] == '\0') out[i] = ' ';
  }
  out.append(kCrlf);
  return true;
}

void append_chunk_header(std::string& out, uint64_t size) {
  char buf[20];
  auto r = std::to_chars(buf, buf + sizeof(buf), size, 16);
  out.append(buf, r.ptr);
  out.append(kCrlf);
}

}  // namespace hs::http::h1
