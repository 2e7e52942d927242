#include "core/simple_response.h"

#include <memory>
#include <string>

#include "http/status.h"

namespace hs::core {

void send_simple_response(http::Exchange& ex, int status, std::string_view header_name,
                          std::string_view header_value) {
  http::ResponseHead& r = ex.response();
  r.status = status;
  r.reason.clear();
  r.headers.clear();
  auto body = std::make_shared<std::string>();
  if (status >= 200 && status != 204 && status != 304) {
    *body = "<html><head><title>" + std::to_string(status) + " " +
            std::string(http::reason_phrase(status)) + "</title></head><body><h1>" +
            std::to_string(status) + " " + std::string(http::reason_phrase(status)) +
            "</h1></body></html>\n";
    r.headers.set("Content-Type", "text/html");
  }
  if (!header_name.empty()) r.headers.set(header_name, header_value);
  http::BodyChunk chunk = http::BodyChunk::memory(*body);
  ex.send({&chunk, body->empty() ? 0u : 1u}, true, [body](http::SendResult) {});
}

}  // namespace hs::core
