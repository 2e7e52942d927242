#pragma once
#include <string_view>

namespace hs::http {

// The standard reason phrase for `status`, or "Unknown".
std::string_view reason_phrase(int status);

}  // namespace hs::http
