#pragma once
// Small complete responses (errors, redirects) for handlers.
#include <string_view>

#include "http/exchange.h"

namespace hs::core {

// Sends `status` with a short HTML body naming it, plus one optional extra header, as the whole
// response. The body's memory is owned until the send completes.
void send_simple_response(http::Exchange& ex, int status, std::string_view header_name = {},
                          std::string_view header_value = {});

}  // namespace hs::core
