#pragma once
// Parsing a server's output as HTTP/1 responses, for the session fuzz targets. In its own
// translation unit because llhttp's global names (HTTP_REQUEST, HTTP_RESPONSE) collide with
// HTTP.sys's in code that sees the IIS API (the iis_session target).
#include <string>
#include <string_view>
#include <vector>

namespace hs::fuzz {

struct ParsedResponse {
  int status = 0;
  std::string body;
};

// Parses `out` strictly (llhttp, response mode): final responses in order (1xx skipped), the k-th
// answering a HEAD request when is_head(k) — then it has no body whatever its Content-Length
// says. A close-delimited body ends at the end of `out`; an incomplete last message is dropped
// (the connection may have been reset). False, with *error, on a protocol error.
bool parse_response_stream(std::string_view out, const std::vector<bool>& is_head,
                           std::vector<ParsedResponse>* responses, std::string* error);

}  // namespace hs::fuzz
