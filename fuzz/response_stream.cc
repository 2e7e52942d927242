#include "response_stream.h"

#include <llhttp.h>

namespace hs::fuzz {
namespace {

struct State {
  const std::vector<bool>* is_head;
  std::vector<ParsedResponse>* responses;
  ParsedResponse cur;
};

State* state(llhttp_t* p) {
  return static_cast<State*>(p->data);
}

}  // namespace

bool parse_response_stream(std::string_view out, const std::vector<bool>& is_head,
                           std::vector<ParsedResponse>* responses, std::string* error) {
  llhttp_settings_t s;
  llhttp_settings_init(&s);
  s.on_headers_complete = [](llhttp_t* p) -> int {
    State* st = state(p);
    st->cur = ParsedResponse{};
    st->cur.status = p->status_code;
    size_t k = st->responses->size();
    if (p->status_code >= 200 && k < st->is_head->size() && (*st->is_head)[k]) return 1;
    return 0;
  };
  s.on_body = [](llhttp_t* p, const char* at, size_t n) -> int {
    state(p)->cur.body.append(at, n);
    return 0;
  };
  s.on_message_complete = [](llhttp_t* p) -> int {
    State* st = state(p);
    if (st->cur.status >= 200) st->responses->push_back(std::move(st->cur));
    st->cur = ParsedResponse{};
    return 0;
  };
  State st{&is_head, responses, {}};
  llhttp_t p;
  llhttp_init(&p, HTTP_RESPONSE, &s);
  p.data = &st;
  if (!out.empty() && llhttp_execute(&p, out.data(), out.size()) != HPE_OK) {
    *error = llhttp_get_error_reason(&p) != nullptr ? llhttp_get_error_reason(&p) : "error";
    return false;
  }
  llhttp_finish(&p);  // ends a close-delimited body
  return true;
}

}  // namespace hs::fuzz
