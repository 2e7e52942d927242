#pragma once
// HTML text for the pages the built-in modules make (error pages, directory listings).
#include <string>
#include <string_view>

namespace hs::modules {

// Appends `s` to *out with < > & " ' as entities, so it is safe both as element text and inside
// a quoted attribute. A control byte (below 0x20; a tab too unless `keep_tab`) becomes
// `control`: a page never carries one as it came from a request or a file name.
inline void escape_html(std::string* out, std::string_view s, std::string_view control,
                        bool keep_tab) {
  for (char c : s) {
    switch (c) {
      case '<':
        *out += "&lt;";
        break;
      case '>':
        *out += "&gt;";
        break;
      case '&':
        *out += "&amp;";
        break;
      case '"':
        *out += "&quot;";
        break;
      case '\'':
        *out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && !(keep_tab && c == '\t')) {
          *out += control;
        } else {
          *out += c;
        }
    }
  }
}

}  // namespace hs::modules
