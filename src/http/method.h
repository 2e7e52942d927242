#pragma once
#include <string_view>

namespace hs::http {

enum class Method : unsigned char {
  kOther,
  kGet,
  kHead,
  kPost,
  kPut,
  kDelete,
  kOptions,
  kTrace,
  kConnect,
  kPatch,
};

// Exact, case-sensitive match on the method token (methods are case-sensitive, RFC 9110 §9.1).
Method method_from_token(std::string_view token);

}  // namespace hs::http
