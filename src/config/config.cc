#include "config/config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <new>
#include <pugixml.hpp>
#include <utility>

namespace hs::config {

std::string Diagnostic::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  out += severity == Severity::kError ? ": error: " : ": warning: ";
  out += message;
  return out;
}

namespace {

using Severity = Diagnostic::Severity;

constexpr uint64_t kU32Max = 4294967295u;
constexpr size_t kMaxFileSize = size_t{64} << 20;

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = ascii_lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Splits a comma-separated list; items are trimmed of spaces and tabs, empty items kept.
std::vector<std::string_view> split_list(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    size_t comma = s.find(',');
    out.push_back(trim(s.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

// A value quoted for a message: control bytes escaped as \xNN, long values shortened.
std::string quote(std::string_view v) {
  constexpr size_t kMax = 120;
  std::string out = "'";
  for (size_t i = 0; i < v.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(v[i]);
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (v.size() > kMax) out += "...";
  out += "'";
  return out;
}

// Decimal digits only (no sign, no spaces), value <= max.
bool parse_decimal(std::string_view s, uint64_t max, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (max - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool has_control_char(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

// An application or virtual directory path: "/" or "/a/b" (no trailing '/', no empty, "." or
// ".." segment, no '\' or control character).
bool is_valid_url_path(std::string_view p) {
  if (p.empty() || p[0] != '/') return false;
  if (p == "/") return true;
  if (p.back() == '/' || has_control_char(p) || p.find('\\') != std::string_view::npos) {
    return false;
  }
  std::string_view rest = p.substr(1);
  while (true) {
    size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    if (seg.empty() || seg == "." || seg == "..") return false;
    if (slash == std::string_view::npos) return true;
    rest.remove_prefix(slash + 1);
  }
}

// A host name in a binding: letters, digits, '-', '_', '.', optionally starting with "*.".
bool is_valid_host(std::string_view h) {
  if (h.empty()) return true;
  if (h.starts_with("*.")) h.remove_prefix(2);
  if (h.empty()) return false;
  return std::all_of(h.begin(), h.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

// Parses "IP:port:host" into `b` (ip, port, host). On failure returns false with `why`.
bool parse_binding_information(std::string_view info, Binding* b, std::string* why) {
  std::string_view rest;
  if (!info.empty() && info[0] == '[') {
    size_t close = info.find(']');
    if (close == std::string_view::npos) {
      *why = "unterminated '['";
      return false;
    }
    std::string ip(info.substr(1, close - 1));
    in6_addr addr6;
    if (inet_pton(AF_INET6, ip.c_str(), &addr6) != 1) {
      *why = quote(ip) + " is not an IPv6 address";
      return false;
    }
    rest = info.substr(close + 1);
    if (rest.empty() || rest[0] != ':') {
      *why = "no ':' after the IP address";
      return false;
    }
    b->ip = std::move(ip);
    rest.remove_prefix(1);
  } else {
    size_t colon = info.find(':');
    if (colon == std::string_view::npos) {
      *why = "no ':' after the IP address";
      return false;
    }
    std::string ip(info.substr(0, colon));
    if (ip.empty() || ip == "*") {
      ip = "*";
    } else {
      in_addr addr4;
      if (inet_pton(AF_INET, ip.c_str(), &addr4) != 1) {
        *why = quote(ip) + " is not an IPv4 address, [IPv6 address] or *";
        return false;
      }
    }
    b->ip = std::move(ip);
    rest = info.substr(colon + 1);
  }
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos) {
    *why = "no ':' after the port";
    return false;
  }
  uint64_t port = 0;
  if (!parse_decimal(rest.substr(0, colon), 65535, &port) || port == 0) {
    *why = "the port must be a number in 1..65535";
    return false;
  }
  b->port = static_cast<uint16_t>(port);
  std::string_view host = rest.substr(colon + 1);
  if (!is_valid_host(host)) {
    *why = quote(host) + " is not a host name";
    return false;
  }
  b->host = to_lower(host);
  return true;
}

bool is_generic_attribute(std::string_view name) {
  // IIS accepts these locking attributes on every element; they mean nothing here.
  return name == "lockAttributes" || name == "lockAllAttributesExcept" || name == "lockElements" ||
         name == "lockAllElementsExcept" || name == "lockItem";
}

int location_depth(const Location& l) {
  if (l.path.empty()) return 0;
  return 1 + static_cast<int>(std::count(l.url_path.begin(), l.url_path.end(), '/'));
}

// Whether `outer` applies everywhere `inner` applies.
bool is_ancestor_or_same(const Location& outer, const Location& inner) {
  if (outer.path.empty()) return true;
  if (inner.path.empty() || !iequals(outer.site_name, inner.site_name)) return false;
  if (outer.url_path.empty()) return true;
  return inner.url_path == outer.url_path || (inner.url_path.starts_with(outer.url_path) &&
                                              inner.url_path[outer.url_path.size()] == '/');
}

bool location_matches(const Location& l, std::string_view site, std::string_view url) {
  if (l.path.empty()) return true;
  if (!iequals(l.site_name, site)) return false;
  if (l.url_path.empty()) return true;
  if (url.empty()) url = "/";
  return url == l.url_path || (url.starts_with(l.url_path) && url[l.url_path.size()] == '/');
}

// --- merging -----------------------------------------------------------------------------------

const std::string& key_of(const ModuleEntry& e) {
  return e.name;
}
const std::string& key_of(const HandlerMapping& e) {
  return e.name;
}
const std::string& key_of(const MimeEntry& e) {
  return e.file_extension;
}
const std::string& key_of(const GlobalModule& e) {
  return e.name;
}
const std::string& key_of(const std::string& e) {
  return e;
}
int line_of_entry(const std::string&) {
  return 0;
}
template <class Entry>
int line_of_entry(const Entry& e) {
  return e.line;
}

// Reports an <add> in a location whose key is already inherited. Null: drop silently.
struct DuplicateReporter {
  std::vector<Diagnostic>* out;
  const std::string* file;
  int location_line;

  template <class Entry>
  void report(std::string_view what, const Entry& added, const Entry& inherited) const {
    int line = line_of_entry(added) > 0 ? line_of_entry(added) : location_line;
    std::string msg = std::string(what) + ": cannot add duplicate collection entry " +
                      quote(key_of(added)) + " (inherited";
    if (line_of_entry(inherited) > 0)
      msg += " from line " + std::to_string(line_of_entry(inherited));
    msg += ")";
    out->push_back({Severity::kError, *file, line, std::move(msg)});
  }
};

template <class Entry>
void merge_collection(std::vector<Entry>* acc, const std::vector<Entry>& own, bool cleared,
                      const std::vector<std::string>& removed, bool prepend, std::string_view what,
                      const DuplicateReporter* dup) {
  if (cleared) acc->clear();
  for (const std::string& key : removed) {
    std::erase_if(*acc, [&](const Entry& e) { return iequals(key_of(e), key); });
  }
  std::vector<Entry> added;
  for (const Entry& e : own) {
    auto it = std::find_if(acc->begin(), acc->end(),
                           [&](const Entry& x) { return iequals(key_of(x), key_of(e)); });
    if (it != acc->end()) {
      if (dup != nullptr) dup->report(what, e, *it);
      continue;
    }
    added.push_back(e);
  }
  acc->insert(prepend ? acc->begin() : acc->end(), std::make_move_iterator(added.begin()),
              std::make_move_iterator(added.end()));
}

void merge_settings(WebServerSettings* acc, const WebServerSettings& layer,
                    const DuplicateReporter* dup) {
  if (layer.modules_set) {
    acc->modules_set = true;
    merge_collection(&acc->modules, layer.modules, layer.modules_cleared, layer.modules_removed,
                     false, "modules/add", dup);
  }
  if (layer.handlers_set) {
    acc->handlers_set = true;
    merge_collection(&acc->handlers, layer.handlers, layer.handlers_cleared, layer.handlers_removed,
                     true, "handlers/add", dup);
    if (!layer.handlers_access_policy.empty()) {
      acc->handlers_access_policy = layer.handlers_access_policy;
    }
  }
  if (layer.default_document_set) {
    acc->default_document_set = true;
    if (layer.default_document_enabled_set) {
      acc->default_document_enabled = layer.default_document_enabled;
      acc->default_document_enabled_set = true;
    }
    merge_collection(&acc->default_documents, layer.default_documents,
                     layer.default_documents_cleared, layer.default_documents_removed, true,
                     "files/add", dup);
  }
  if (layer.mime_map_set) {
    acc->mime_map_set = true;
    merge_collection(&acc->mime_map, layer.mime_map, layer.mime_map_cleared, layer.mime_map_removed,
                     false, "mimeMap", dup);
  }
  if (layer.allow_high_bit_characters_set) {
    acc->allow_high_bit_characters = layer.allow_high_bit_characters;
    acc->allow_high_bit_characters_set = true;
  }
  if (layer.request_limits_set) {
    acc->request_limits_set = true;
    const RequestLimits& in = layer.request_limits;
    RequestLimits& out = acc->request_limits;
    if (in.max_allowed_content_length_set) {
      out.max_allowed_content_length = in.max_allowed_content_length;
      out.max_allowed_content_length_set = true;
    }
    if (in.max_url_set) {
      out.max_url = in.max_url;
      out.max_url_set = true;
    }
    if (in.max_query_string_set) {
      out.max_query_string = in.max_query_string;
      out.max_query_string_set = true;
    }
  }
}

// --- the parser --------------------------------------------------------------------------------

class Parser {
 public:
  Parser(std::string_view xml, LoadResult* result) : xml_(xml), result_(result) {}

  void run();

 private:
  enum class Read { kAbsent, kOk, kBad };

  int line_at(ptrdiff_t offset) const;
  int line_of(pugi::xml_node n) const;
  int line_of(pugi::xml_node n, pugi::xml_attribute a) const;
  void add(Severity s, int line, std::string message);
  void error(int line, std::string message) { add(Severity::kError, line, std::move(message)); }
  void warning(int line, std::string message) { add(Severity::kWarning, line, std::move(message)); }

  // Element name for messages: "modules/add" for add/remove/clear, else the name.
  static std::string label(pugi::xml_node n);
  void check_attributes(pugi::xml_node n, std::initializer_list<std::string_view> known);
  void unknown_element(pugi::xml_node n);
  // Calls f(child) for each element child; warns about text content.
  template <class F>
  void for_each_child(pugi::xml_node n, F&& f);
  // For elements that may appear once in their parent: false (with an error) on a repeat.
  bool first_time(pugi::xml_node n, int* first_line);
  // A section may be defined once per configuration path (scope); false (with an error) on a
  // repeat.
  bool claim_section(const std::string& scope, std::string_view section, pugi::xml_node n);

  bool required(pugi::xml_node n, const char* attr, std::string* out);
  void optional(pugi::xml_node n, const char* attr, std::string* out);
  Read read_bool(pugi::xml_node n, const char* attr, bool* out);
  Read read_number(pugi::xml_node n, const char* attr, uint64_t min, uint64_t max, uint64_t* out);

  template <class Entry, class ParseAdd>
  // `other`: child elements that belong to the section but not to the collection (read
  // through the configuration model, sections.h), skipped without a warning.
  void parse_collection(pugi::xml_node n, std::string_view add_name, const char* key_attr,
                        std::vector<Entry>* entries, bool* cleared,
                        std::vector<std::string>* removed, ParseAdd&& parse_add,
                        std::initializer_list<std::string_view> other = {});

  void parse_configuration(pugi::xml_node n);
  void parse_application_host(pugi::xml_node n);
  void parse_sites(pugi::xml_node n);
  void parse_site(pugi::xml_node n, const std::string& default_pool);
  void parse_application(pugi::xml_node n, Site* site, const std::string& default_pool);
  void parse_virtual_directory(pugi::xml_node n, Application* app);
  void parse_binding(pugi::xml_node n, Site* site);
  void parse_location(pugi::xml_node n);
  void parse_web_server(pugi::xml_node n, WebServerSettings* s, const std::string& scope,
                        bool top_level);
  void parse_global_modules(pugi::xml_node n);
  void parse_modules(pugi::xml_node n, WebServerSettings* s);
  void parse_handlers(pugi::xml_node n, WebServerSettings* s);
  bool parse_handler(pugi::xml_node n, HandlerMapping* h);
  void parse_default_document(pugi::xml_node n, WebServerSettings* s);
  void parse_static_content(pugi::xml_node n, WebServerSettings* s);
  bool parse_mime_entry(pugi::xml_node n, MimeEntry* m);
  void parse_security(pugi::xml_node n, WebServerSettings* s, const std::string& scope);
  void parse_request_filtering(pugi::xml_node n, WebServerSettings* s);
  void parse_request_limits(pugi::xml_node n, WebServerSettings* s);
  void parse_caching(pugi::xml_node n);

  void check_locations();
  void parse_config_sections(pugi::xml_node n, const std::string& group);
  XmlElement copy_tree(pugi::xml_node n);
  bool declared(std::string_view full_name) const;

  std::string_view xml_;
  LoadResult* result_;
  std::vector<size_t> newlines_;  // offsets of every '\n' in xml_
  // scope ("" = top level; else lower-case site name + URL path) -> section -> first line
  std::map<std::string, std::map<std::string, int, std::less<>>, std::less<>> sections_;
  struct UsedBinding {
    Binding binding;
    std::string site;
  };
  std::vector<UsedBinding> bindings_;
};

int Parser::line_at(ptrdiff_t offset) const {
  if (offset < 0) return 0;
  auto it = std::lower_bound(newlines_.begin(), newlines_.end(), static_cast<size_t>(offset));
  return static_cast<int>(it - newlines_.begin()) + 1;
}

int Parser::line_of(pugi::xml_node n) const {
  return line_at(n.offset_debug());
}

int Parser::line_of(pugi::xml_node n, pugi::xml_attribute a) const {
  // Attribute names point into the same parse buffer as the element's name.
  ptrdiff_t base = n.offset_debug();
  if (!a || base < 0) return line_of(n);
  ptrdiff_t delta = a.name() - n.name();
  if (delta <= 0 || static_cast<size_t>(base + delta) >= xml_.size()) return line_of(n);
  return line_at(base + delta);
}

void Parser::add(Severity s, int line, std::string message) {
  result_->diagnostics.push_back({s, result_->config.file, line, std::move(message)});
}

std::string Parser::label(pugi::xml_node n) {
  std::string_view name = n.name();
  if (name == "add" || name == "remove" || name == "clear") {
    return std::string(n.parent().name()) + "/" + std::string(name);
  }
  return std::string(name);
}

void Parser::check_attributes(pugi::xml_node n, std::initializer_list<std::string_view> known) {
  std::vector<std::string_view> seen;
  for (pugi::xml_attribute a : n.attributes()) {
    std::string_view name = a.name();
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      error(line_of(n, a), label(n) + ": duplicate attribute '" + std::string(name) + "'");
      continue;
    }
    seen.push_back(name);
    if (is_generic_attribute(name) || std::find(known.begin(), known.end(), name) != known.end()) {
      continue;
    }
    warning(line_of(n, a), label(n) + ": unknown attribute '" + std::string(name) + "' ignored");
  }
}

void Parser::unknown_element(pugi::xml_node n) {
  warning(line_of(n), "unknown element <" + std::string(n.name()) + "> ignored");
}

template <class F>
void Parser::for_each_child(pugi::xml_node n, F&& f) {
  for (pugi::xml_node child : n.children()) {
    if (child.type() == pugi::node_element) {
      f(child);
    } else if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      // Report the line of the first non-blank character, not of the preceding line break.
      ptrdiff_t offset = child.offset_debug();
      if (offset >= 0) {
        size_t text = xml_.find_first_not_of(" \t\r\n", static_cast<size_t>(offset));
        if (text != std::string_view::npos) offset = static_cast<ptrdiff_t>(text);
      }
      warning(line_at(offset), "text in <" + std::string(n.name()) + "> ignored");
    }
  }
}

bool Parser::first_time(pugi::xml_node n, int* first_line) {
  if (*first_line != 0) {
    error(line_of(n), "duplicate <" + std::string(n.name()) + "> element (first on line " +
                          std::to_string(*first_line) + ")");
    return false;
  }
  *first_line = line_of(n);
  return true;
}

bool Parser::claim_section(const std::string& scope, std::string_view section, pugi::xml_node n) {
  auto& seen = sections_[scope];
  auto it = seen.find(section);
  if (it != seen.end()) {
    error(line_of(n), "duplicate '" + std::string(section) +
                          "' section for this path (first defined on line " +
                          std::to_string(it->second) + ")");
    return false;
  }
  seen.emplace(std::string(section), line_of(n));
  return true;
}

bool Parser::required(pugi::xml_node n, const char* attr, std::string* out) {
  pugi::xml_attribute a = n.attribute(attr);
  if (!a) {
    error(line_of(n), label(n) + ": missing required attribute '" + attr + "'");
    return false;
  }
  if (*a.value() == '\0') {
    error(line_of(n, a), label(n) + " " + attr + ": must not be empty");
    return false;
  }
  *out = a.value();
  return true;
}

void Parser::optional(pugi::xml_node n, const char* attr, std::string* out) {
  pugi::xml_attribute a = n.attribute(attr);
  if (a) *out = a.value();
}

Parser::Read Parser::read_bool(pugi::xml_node n, const char* attr, bool* out) {
  pugi::xml_attribute a = n.attribute(attr);
  if (!a) return Read::kAbsent;
  std::string_view v = a.value();
  if (iequals(v, "true")) {
    *out = true;
  } else if (iequals(v, "false")) {
    *out = false;
  } else {
    error(line_of(n, a),
          label(n) + " " + attr + ": " + quote(v) + " is not a boolean (true or false)");
    return Read::kBad;
  }
  return Read::kOk;
}

Parser::Read Parser::read_number(pugi::xml_node n, const char* attr, uint64_t min, uint64_t max,
                                 uint64_t* out) {
  pugi::xml_attribute a = n.attribute(attr);
  if (!a) return Read::kAbsent;
  std::string_view v = a.value();
  uint64_t value = 0;
  if (!parse_decimal(v, max, &value) || value < min) {
    error(line_of(n, a), label(n) + " " + attr + ": " + quote(v) + " is not a number in " +
                             std::to_string(min) + ".." + std::to_string(max));
    return Read::kBad;
  }
  *out = value;
  return Read::kOk;
}

// IIS collection semantics inside one section: <add> appends (a key already present is an
// error), <remove> deletes the entry with that key if present and records the key, <clear/>
// empties the collection and records that it did. Keys compare case-insensitively.
// parse_add(element, Entry*) reads one <add> and returns false (having reported why) to drop it.
template <class Entry, class ParseAdd>
void Parser::parse_collection(pugi::xml_node n, std::string_view add_name, const char* key_attr,
                              std::vector<Entry>* entries, bool* cleared,
                              std::vector<std::string>* removed, ParseAdd&& parse_add,
                              std::initializer_list<std::string_view> other) {
  std::vector<int> lines;  // line of each entry in `entries`
  for_each_child(n, [&](pugi::xml_node child) {
    std::string_view name = child.name();
    if (name == add_name) {
      Entry e;
      if (!parse_add(child, &e)) return;
      const std::string& key = key_of(e);
      for (size_t i = 0; i < entries->size(); ++i) {
        if (iequals(key_of((*entries)[i]), key)) {
          error(line_of(child), label(child) + ": cannot add duplicate collection entry " +
                                    quote(key) + " (first added on line " +
                                    std::to_string(lines[i]) + ")");
          return;
        }
      }
      entries->push_back(std::move(e));
      lines.push_back(line_of(child));
    } else if (name == "remove") {
      check_attributes(child, {key_attr});
      std::string key;
      if (!required(child, key_attr, &key)) return;
      for (size_t i = 0; i < entries->size(); ++i) {
        if (iequals(key_of((*entries)[i]), key)) {
          entries->erase(entries->begin() + static_cast<ptrdiff_t>(i));
          lines.erase(lines.begin() + static_cast<ptrdiff_t>(i));
          break;
        }
      }
      if (removed != nullptr &&
          std::none_of(removed->begin(), removed->end(),
                       [&](const std::string& r) { return iequals(r, key); })) {
        removed->push_back(std::move(key));
      }
    } else if (name == "clear") {
      check_attributes(child, {});
      entries->clear();
      lines.clear();
      if (cleared != nullptr) *cleared = true;
      if (removed != nullptr) removed->clear();
    } else if (std::find(other.begin(), other.end(), name) == other.end()) {
      unknown_element(child);
    }
  });
}

void Parser::run() {
  Config& config = result_->config;

  // Base directory for resolve_path().
  {
    namespace fs = std::filesystem;
    fs::path dir = fs::path(config.file).parent_path();
    if (dir.empty()) dir = ".";
    std::error_code ec;
    fs::path abs = fs::absolute(dir, ec);
    if (ec) abs = dir;
    std::string s = abs.lexically_normal().string();
    while (s.size() > 1 && s.back() == '/')
      s.pop_back();
    config.base_dir = std::move(s);
  }

  if (xml_.size() >= 2 &&
      ((xml_[0] == '\xff' && xml_[1] == '\xfe') || (xml_[0] == '\xfe' && xml_[1] == '\xff'))) {
    error(1, "the file is UTF-16; save it as UTF-8");
    return;
  }
  if (xml_.starts_with("\xef\xbb\xbf")) xml_.remove_prefix(3);  // UTF-8 byte order mark

  for (size_t i = 0; i < xml_.size(); ++i) {
    if (xml_[i] == '\n') newlines_.push_back(i);
  }

  size_t first = xml_.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    error(1, "the file is empty (expected a <configuration> element)");
    return;
  }
  // pugixml drops text outside the root element without complaint; XML forbids it.
  size_t last = xml_.find_last_not_of(" \t\r\n");
  if (xml_[first] != '<' || xml_[last] != '>') {
    error(line_at(static_cast<ptrdiff_t>(xml_[first] != '<' ? first : last)),
          "XML syntax error: text outside the root element");
    return;
  }

  pugi::xml_document doc;
  pugi::xml_parse_result parsed =
      doc.load_buffer(xml_.data(), xml_.size(), pugi::parse_default, pugi::encoding_utf8);
  if (parsed.status == pugi::status_out_of_memory) throw std::bad_alloc();
  if (!parsed) {
    // An error at the end of the input (e.g. an unclosed element) belongs to the last line
    // with content, not to the empty line after the final line break.
    ptrdiff_t at = std::min(parsed.offset, static_cast<ptrdiff_t>(last));
    error(line_at(at), std::string("XML syntax error: ") + parsed.description());
    return;
  }

  bool seen_root = false;
  for (pugi::xml_node child : doc.children()) {
    if (child.type() != pugi::node_element) continue;
    if (seen_root) {
      error(line_of(child), "more than one root element (<" + std::string(child.name()) + ">)");
      continue;
    }
    seen_root = true;
    if (std::string_view(child.name()) != "configuration") {
      error(line_of(child),
            "the root element is <" + std::string(child.name()) + ">, expected <configuration>");
      continue;
    }
    parse_configuration(child);
    result_->config.document = std::make_shared<const XmlElement>(copy_tree(child));
  }
  check_locations();
}

XmlElement Parser::copy_tree(pugi::xml_node n) {
  XmlElement e;
  e.name = n.name();
  e.line = line_of(n);
  for (pugi::xml_attribute a : n.attributes())
    e.attributes.emplace_back(a.name(), a.value());
  for (pugi::xml_node c : n.children()) {
    if (c.type() == pugi::node_element) e.children.push_back(copy_tree(c));
  }
  return e;
}

// <configSections>: <sectionGroup name> nest, <section name> declares "group/.../name".
void Parser::parse_config_sections(pugi::xml_node n, const std::string& group) {
  for_each_child(n, [&](pugi::xml_node child) {
    std::string_view name = child.name();
    std::string item_name = child.attribute("name").value();
    if (name == "sectionGroup" || name == "section") {
      if (item_name.empty()) {
        error(line_of(child), std::string(name) + ": missing required attribute 'name'");
        return;
      }
      std::string full = group.empty() ? item_name : group + "/" + item_name;
      if (name == "sectionGroup") {
        parse_config_sections(child, full);
        return;
      }
      for (const SectionDeclaration& d : result_->config.declared_sections) {
        if (iequals(d.name, full)) {
          error(line_of(child), "section " + quote(full) + " is declared twice (first on line " +
                                    std::to_string(d.line) + ")");
          return;
        }
      }
      SectionDeclaration d;
      d.name = std::move(full);
      d.line = line_of(child);
      optional(child, "overrideModeDefault", &d.override_mode_default);
      optional(child, "allowDefinition", &d.allow_definition);
      optional(child, "allowLocation", &d.allow_location);
      result_->config.declared_sections.push_back(std::move(d));
    } else if (name == "remove" || name == "clear") {
      // IIS allows these in configSections too; nothing to undo in one file.
    } else {
      unknown_element(child);
    }
  });
}

bool Parser::declared(std::string_view full_name) const {
  return result_->config.declaration(full_name) != nullptr;
}

void Parser::parse_configuration(pugi::xml_node n) {
  check_attributes(n, {"xmlns"});
  for_each_child(n, [&](pugi::xml_node child) {
    std::string_view name = child.name();
    if (name == "configSections") {
      parse_config_sections(child, "");
    } else if (name == "system.applicationHost") {
      parse_application_host(child);
    } else if (name == "system.webServer") {
      parse_web_server(child, &result_->config.web_server, "", true);
    } else if (name == "location") {
      parse_location(child);
    } else if (!declared(name)) {
      unknown_element(child);
    }
  });
}

void Parser::parse_application_host(pugi::xml_node n) {
  check_attributes(n, {});
  for_each_child(n, [&](pugi::xml_node child) {
    std::string_view name = child.name();
    if (name == "sites") {
      if (claim_section("", "system.applicationHost/sites", child)) parse_sites(child);
    } else if (name == "applicationPools") {
      // One process, native modules only: only applicationPoolDefaults queueLength applies (read
      // through the configuration model by the server); the rest is accepted and ignored.
    } else if (name == "log") {
      claim_section("", "system.applicationHost/log", child);  // centralLogFileMode (logging)
    } else if (name == "httpservStatus") {
      // httpserv's own (IIS has none): the status listener, read through the configuration
      // model by the server (docs/configuration.md).
      if (claim_section("", "system.applicationHost/httpservStatus", child)) {
        check_attributes(child, {"listen"});
      }
    } else {
      unknown_element(child);
    }
  });
}

void Parser::parse_sites(pugi::xml_node n) {
  check_attributes(n, {});
  // <applicationDefaults> usually follows the sites it applies to.
  std::string default_pool;
  if (pugi::xml_node d = n.child("applicationDefaults"))
    optional(d, "applicationPool", &default_pool);
  for_each_child(n, [&](pugi::xml_node child) {
    std::string_view name = child.name();
    if (name == "site") {
      parse_site(child, default_pool);
    } else if (name == "siteDefaults" || name == "applicationDefaults" ||
               name == "virtualDirectoryDefaults") {
      // Defaults for IIS features we do not have (logging, tracing, limits, credentials);
      // applicationDefaults applicationPool was read above.
    } else {
      unknown_element(child);
    }
  });
}

void Parser::parse_site(pugi::xml_node n, const std::string& default_pool) {
  check_attributes(n, {"name", "id", "serverAutoStart"});
  Site site;
  site.line = line_of(n);
  bool valid = required(n, "name", &site.name);
  if (valid && site.name.find_first_of("/\\") != std::string::npos) {
    error(line_of(n, n.attribute("name")),
          "site name: " + quote(site.name) + " is not a site name (no '/' or '\\')");
    valid = false;
  }
  uint64_t id = 0;
  switch (read_number(n, "id", 1, kU32Max, &id)) {
    case Read::kAbsent:
      error(line_of(n), "site: missing required attribute 'id'");
      valid = false;
      break;
    case Read::kBad:
      valid = false;
      break;
    case Read::kOk:
      site.id = static_cast<uint32_t>(id);
      break;
  }
  if (valid) {
    for (const Site& other : result_->config.sites) {
      if (iequals(other.name, site.name)) {
        error(site.line, "site " + quote(site.name) + ": duplicate site name (first on line " +
                             std::to_string(other.line) + ")");
        valid = false;
      } else if (other.id == site.id) {
        error(site.line, "site " + quote(site.name) + ": duplicate site id " +
                             std::to_string(site.id) + " (site " + quote(other.name) + " on line " +
                             std::to_string(other.line) + ")");
        valid = false;
      }
    }
  }

  int bindings_line = 0;
  for_each_child(n, [&](pugi::xml_node child) {
    std::string_view name = child.name();
    if (name == "application") {
      parse_application(child, &site, default_pool);
    } else if (name == "bindings") {
      if (!first_time(child, &bindings_line)) return;
      check_attributes(child, {});
      for_each_child(child, [&](pugi::xml_node b) {
        if (std::string_view(b.name()) == "binding") {
          parse_binding(b, &site);
        } else {
          unknown_element(b);
        }
      });
    } else if (name != "logFile") {
      // <logFile> is read through the configuration model by the logging module (its values
      // are checked there, with those of <siteDefaults><logFile>).
      unknown_element(child);
    }
  });

  if (!valid) return;
  if (std::none_of(site.applications.begin(), site.applications.end(),
                   [](const Application& a) { return a.path == "/"; })) {
    error(site.line, "site " + quote(site.name) + " has no root application (path \"/\")");
  }
  if (site.bindings.empty()) warning(site.line, "site " + quote(site.name) + " has no bindings");
  result_->config.sites.push_back(std::move(site));
}

void Parser::parse_application(pugi::xml_node n, Site* site, const std::string& default_pool) {
  check_attributes(n, {"path", "applicationPool", "enabledProtocols", "serviceAutoStartEnabled",
                       "serviceAutoStartProvider", "preloadEnabled"});
  Application app;
  app.line = line_of(n);
  app.application_pool = default_pool;
  optional(n, "applicationPool", &app.application_pool);
  bool valid = required(n, "path", &app.path);
  if (valid && !is_valid_url_path(app.path)) {
    error(line_of(n, n.attribute("path")),
          "application path: " + quote(app.path) +
              " is not a URL path (\"/\" or \"/a/b\": no trailing '/', no empty, '.' or '..' "
              "segment)");
    valid = false;
  }
  if (valid) {
    for (const Application& other : site->applications) {
      if (other.path == app.path) {
        error(app.line, "application " + quote(app.path) +
                            ": duplicate application path (first on line " +
                            std::to_string(other.line) + ")");
        valid = false;
      }
    }
  }
  for_each_child(n, [&](pugi::xml_node child) {
    if (std::string_view(child.name()) == "virtualDirectory") {
      parse_virtual_directory(child, &app);
    } else {
      unknown_element(child);
    }
  });
  if (!valid) return;
  if (std::none_of(app.virtual_directories.begin(), app.virtual_directories.end(),
                   [](const VirtualDirectory& v) { return v.path == "/"; })) {
    error(app.line,
          "application " + quote(app.path) + " has no root virtual directory (path \"/\")");
  }
  site->applications.push_back(std::move(app));
}

void Parser::parse_virtual_directory(pugi::xml_node n, Application* app) {
  check_attributes(
      n, {"path", "physicalPath", "userName", "password", "logonMethod", "allowSubDirConfig"});
  VirtualDirectory vdir;
  vdir.line = line_of(n);
  bool valid = required(n, "path", &vdir.path);
  if (valid && !is_valid_url_path(vdir.path)) {
    error(line_of(n, n.attribute("path")),
          "virtualDirectory path: " + quote(vdir.path) +
              " is not a URL path (\"/\" or \"/a/b\": no trailing '/', no empty, '.' or '..' "
              "segment)");
    valid = false;
  }
  valid = required(n, "physicalPath", &vdir.physical_path) && valid;
  if (!valid) return;
  for (const VirtualDirectory& other : app->virtual_directories) {
    if (other.path == vdir.path) {
      error(vdir.line, "virtualDirectory " + quote(vdir.path) +
                           ": duplicate virtual directory path (first on line " +
                           std::to_string(other.line) + ")");
      return;
    }
  }
  app->virtual_directories.push_back(std::move(vdir));
}

void Parser::parse_binding(pugi::xml_node n, Site* site) {
  check_attributes(n, {"protocol", "bindingInformation", "sslFlags", "certificateFile",
                       "certificateKeyFile", "clientCertificate", "clientCertificateAuthorities",
                       "certificateHash", "certificateStoreName"});
  Binding b;
  b.line = line_of(n);
  std::string protocol, info;
  bool valid = required(n, "protocol", &protocol);
  valid = required(n, "bindingInformation", &info) && valid;
  if (!valid) return;
  b.protocol = to_lower(protocol);
  if (b.protocol == "https") {
    b.certificate_file = n.attribute("certificateFile").value();
    b.certificate_key_file = n.attribute("certificateKeyFile").value();
    b.client_certificate = to_lower(n.attribute("clientCertificate").as_string("ignore"));
    b.client_ca_file = n.attribute("clientCertificateAuthorities").value();
    if (b.certificate_file.empty() || b.certificate_key_file.empty()) {
      // A binding written for IIS names its certificate in the Windows store by hash.
      warning(b.line, std::string("https binding without certificateFile and certificateKeyFile") +
                          (n.attribute("certificateHash") ? " (certificateHash names a certificate "
                                                            "in the Windows store, which does not "
                                                            "exist here)"
                                                          : "") +
                          "; binding ignored");
      return;
    }
    if (n.attribute("certificateHash") || n.attribute("certificateStoreName")) {
      warning(b.line,
              "https binding: certificateHash/certificateStoreName ignored "
              "(certificateFile and certificateKeyFile are used)");
    }
    if (b.client_certificate != "ignore" && b.client_certificate != "accept" &&
        b.client_certificate != "require") {
      error(line_of(n, n.attribute("clientCertificate")),
            "binding clientCertificate: expected ignore, accept or require, got " +
                quote(b.client_certificate));
      return;
    }
    if (b.client_certificate == "require" && b.client_ca_file.empty()) {
      error(b.line,
            "binding clientCertificate=\"require\" needs clientCertificateAuthorities "
            "(the PEM authorities client certificates must chain to)");
      return;
    }
    // IIS's sslFlags on a binding: 1 = SNI (always used here), 2 = the central certificate
    // store (not available).
    int flags = n.attribute("sslFlags").as_int(0);
    if (flags & 2)
      warning(b.line, "binding sslFlags: the central certificate store is not available");
  } else if (b.protocol != "http") {
    warning(b.line, "binding protocol " + quote(protocol) + " is not supported; binding ignored");
    return;
  }
  std::string why;
  if (!parse_binding_information(info, &b, &why)) {
    error(line_of(n, n.attribute("bindingInformation")),
          "binding bindingInformation: " + quote(info) + " is not IP:port:host (" + why + ")");
    return;
  }
  for (const UsedBinding& used : bindings_) {
    const Binding& o = used.binding;
    if (o.ip == b.ip && o.port == b.port && o.host == b.host) {
      error(b.line, "binding " + quote(info) + " is already used by site " + quote(used.site) +
                        " (line " + std::to_string(o.line) + ")");
      return;
    }
  }
  bindings_.push_back({b, site->name});
  site->bindings.push_back(std::move(b));
}

void Parser::parse_location(pugi::xml_node n) {
  check_attributes(n, {"path", "overrideMode", "allowOverride", "inheritInChildApplications"});
  Location loc;
  loc.line = line_of(n);
  optional(n, "path", &loc.path);
  while (!loc.path.empty() && loc.path.back() == '/')
    loc.path.pop_back();
  if (loc.path == ".") loc.path.clear();  // IIS: "." and "" both mean "this level"
  std::string scope;
  if (!loc.path.empty()) {
    size_t slash = loc.path.find('/');
    loc.site_name = loc.path.substr(0, slash);
    if (slash != std::string::npos) loc.url_path = loc.path.substr(slash);
    if (loc.site_name.empty() || loc.site_name.find('\\') != std::string::npos ||
        (!loc.url_path.empty() && !is_valid_url_path(loc.url_path))) {
      error(line_of(n, n.attribute("path")),
            "location path: " + quote(n.attribute("path").value()) +
                " is not a site name optionally followed by a URL path (\"Site\", \"Site/app\")");
      return;
    }
    scope = to_lower(loc.site_name) + loc.url_path;
  }
  for_each_child(n, [&](pugi::xml_node child) {
    std::string_view name = child.name();
    if (name == "system.webServer") {
      parse_web_server(child, &loc.settings, scope, false);
    } else if (name == "system.applicationHost") {
      error(line_of(child), "<system.applicationHost> is not allowed inside <location>");
    } else if (!declared(name)) {
      unknown_element(child);
    }
  });
  result_->config.locations.push_back(std::move(loc));
}

void Parser::parse_web_server(pugi::xml_node n, WebServerSettings* s, const std::string& scope,
                              bool top_level) {
  check_attributes(n, {});
  for_each_child(n, [&](pugi::xml_node child) {
    std::string_view name = child.name();
    if (name == "globalModules") {
      if (!top_level) {
        error(line_of(child),
              "<globalModules> is only allowed at the top level, not inside "
              "<location>");
      } else if (claim_section(scope, "system.webServer/globalModules", child)) {
        parse_global_modules(child);
      }
    } else if (name == "modules") {
      if (claim_section(scope, "system.webServer/modules", child)) parse_modules(child, s);
    } else if (name == "handlers") {
      if (claim_section(scope, "system.webServer/handlers", child)) parse_handlers(child, s);
    } else if (name == "defaultDocument") {
      if (claim_section(scope, "system.webServer/defaultDocument", child)) {
        parse_default_document(child, s);
      }
    } else if (name == "staticContent") {
      if (claim_section(scope, "system.webServer/staticContent", child)) {
        parse_static_content(child, s);
      }
    } else if (name == "security") {
      parse_security(child, s, scope);
    } else if (name == "caching") {
      if (!top_level) {
        warning(line_of(child),
                "<caching> sets the server-wide fragment cache: only the top-level section "
                "counts; ignored inside <location>");
      } else if (claim_section(scope, "system.webServer/caching", child)) {
        parse_caching(child);
      }
    } else if (name == "serverRuntime") {
      // Read through the configuration model (sections.h) by the server: uploadReadAheadSize,
      // frequentHitThreshold, frequentHitTimePeriod (docs/configuration.md).
      claim_section(scope, "system.webServer/serverRuntime", child);
    } else if (name == "httpCompression") {
      // Server-wide in IIS (allowDefinition="AppHostOnly"): the compression directory, schemes
      // and types are the process's.
      if (!top_level) {
        warning(line_of(child),
                "<httpCompression> applies to the whole server: only the top-level section "
                "counts; ignored inside <location> (use <urlCompression> per location)");
      } else {
        claim_section(scope, "system.webServer/httpCompression", child);
      }
    } else if (name == "httpLogging" || name == "httpErrors" || name == "urlCompression" ||
               name == "httpProtocol" || name == "httpRedirect" || name == "directoryBrowse") {
      // The built-in modules' sections (src/modules), read through the configuration model
      // with IIS's schema, which checks their values (docs/operations.md).
      claim_section(scope, "system.webServer/" + std::string(name), child);
    } else if (!declared("system.webServer/" + std::string(name))) {
      unknown_element(child);
    }
    // else: a section declared in <configSections> (a module's own): kept in Config::document
    // for the configuration API, not interpreted here.
  });
}

void Parser::parse_caching(pugi::xml_node n) {
  check_attributes(n, {"enabled", "enableKernelCache", "maxCacheSize", "maxResponseSize"});
  CachingSettings& c = result_->config.caching;
  c.set = true;
  uint64_t v = 0;
  if (read_number(n, "maxCacheSize", 0, kU32Max, &v) == Read::kOk) {
    c.max_cache_size_mb = v;
    c.max_cache_size_set = true;
  }
  if (read_number(n, "maxResponseSize", 0, kU32Max, &v) == Read::kOk) {
    c.max_response_size = v;
    c.max_response_size_set = true;
  }
  for_each_child(n, [&](pugi::xml_node child) {
    if (std::string_view(child.name()) != "profiles") unknown_element(child);
  });
}

void Parser::parse_global_modules(pugi::xml_node n) {
  check_attributes(n, {});
  parse_collection(n, "add", "name", &result_->config.global_modules, nullptr, nullptr,
                   [&](pugi::xml_node a, GlobalModule* m) {
                     check_attributes(a, {"name", "image", "preCondition"});
                     m->line = line_of(a);
                     bool valid = required(a, "name", &m->name);
                     valid = required(a, "image", &m->image) && valid;
                     optional(a, "preCondition", &m->pre_condition);
                     return valid;
                   });
}

void Parser::parse_modules(pugi::xml_node n, WebServerSettings* s) {
  check_attributes(n, {"runAllManagedModulesForAllRequests", "runManagedModulesForWebDavRequests"});
  s->modules_set = true;
  parse_collection(n, "add", "name", &s->modules, &s->modules_cleared, &s->modules_removed,
                   [&](pugi::xml_node a, ModuleEntry* m) {
                     check_attributes(a, {"name", "type", "preCondition"});
                     m->line = line_of(a);
                     optional(a, "type", &m->type);
                     optional(a, "preCondition", &m->pre_condition);
                     return required(a, "name", &m->name);
                   });
}

bool Parser::parse_handler(pugi::xml_node n, HandlerMapping* h) {
  check_attributes(n, {"name", "path", "verb", "type", "modules", "scriptProcessor", "resourceType",
                       "requireAccess", "allowPathInfo", "preCondition", "responseBufferLimit"});
  h->line = line_of(n);
  bool valid = required(n, "name", &h->name);
  valid = required(n, "path", &h->path) && valid;
  valid = required(n, "verb", &h->verb) && valid;
  optional(n, "type", &h->type);
  optional(n, "modules", &h->modules);
  optional(n, "scriptProcessor", &h->script_processor);
  optional(n, "preCondition", &h->pre_condition);

  if (pugi::xml_attribute a = n.attribute("resourceType")) {
    static constexpr std::string_view kTypes[] = {"File", "Directory", "Either", "Unspecified"};
    auto it = std::find_if(std::begin(kTypes), std::end(kTypes),
                           [&](std::string_view t) { return iequals(t, a.value()); });
    if (it == std::end(kTypes)) {
      error(line_of(n, a), label(n) + " resourceType: " + quote(a.value()) +
                               " is not one of File, Directory, Either, Unspecified");
      valid = false;
    } else {
      h->resource_type = std::string(*it);
    }
  }
  if (pugi::xml_attribute a = n.attribute("requireAccess")) {
    static constexpr std::string_view kFlags[] = {"None", "Read", "Write", "Script", "Execute"};
    bool flags_ok = true;
    for (std::string_view flag : split_list(a.value())) {
      if (std::none_of(std::begin(kFlags), std::end(kFlags),
                       [&](std::string_view f) { return iequals(f, flag); })) {
        flags_ok = false;
      }
    }
    if (!flags_ok) {
      error(line_of(n, a), label(n) + " requireAccess: " + quote(a.value()) +
                               " is not a list of None, Read, Write, Script, Execute");
      valid = false;
    } else {
      h->require_access = a.value();
    }
  }
  uint64_t limit = 0;
  switch (read_number(n, "responseBufferLimit", 0, kU32Max, &limit)) {
    case Read::kOk:
      h->response_buffer_limit = static_cast<uint32_t>(limit);
      break;
    case Read::kBad:
      valid = false;
      break;
    case Read::kAbsent:
      break;
  }
  if (read_bool(n, "allowPathInfo", &h->allow_path_info) == Read::kBad) valid = false;
  return valid;
}

void Parser::parse_handlers(pugi::xml_node n, WebServerSettings* s) {
  check_attributes(n, {"accessPolicy"});
  s->handlers_set = true;
  optional(n, "accessPolicy", &s->handlers_access_policy);
  parse_collection(n, "add", "name", &s->handlers, &s->handlers_cleared, &s->handlers_removed,
                   [&](pugi::xml_node a, HandlerMapping* h) { return parse_handler(a, h); });
}

void Parser::parse_default_document(pugi::xml_node n, WebServerSettings* s) {
  check_attributes(n, {"enabled"});
  s->default_document_set = true;
  if (read_bool(n, "enabled", &s->default_document_enabled) == Read::kOk) {
    s->default_document_enabled_set = true;
  }
  int files_line = 0;
  for_each_child(n, [&](pugi::xml_node child) {
    if (std::string_view(child.name()) != "files") {
      unknown_element(child);
      return;
    }
    if (!first_time(child, &files_line)) return;
    check_attributes(child, {});
    parse_collection(child, "add", "value", &s->default_documents, &s->default_documents_cleared,
                     &s->default_documents_removed, [&](pugi::xml_node a, std::string* value) {
                       check_attributes(a, {"value"});
                       return required(a, "value", value);
                     });
  });
}

bool Parser::parse_mime_entry(pugi::xml_node n, MimeEntry* m) {
  check_attributes(n, {"fileExtension", "mimeType"});
  m->line = line_of(n);
  bool valid = required(n, "fileExtension", &m->file_extension);
  if (valid && (m->file_extension[0] != '.' || m->file_extension.find('/') != std::string::npos ||
                has_control_char(m->file_extension))) {
    error(line_of(n, n.attribute("fileExtension")),
          "mimeMap fileExtension: " + quote(m->file_extension) +
              " is not a file extension (\".ext\")");
    valid = false;
  }
  bool type_ok = required(n, "mimeType", &m->mime_type);
  // The value becomes a Content-Type field: no CR/LF or other control characters.
  if (type_ok && has_control_char(m->mime_type)) {
    error(line_of(n, n.attribute("mimeType")),
          "mimeMap mimeType: " + quote(m->mime_type) + " is not a MIME type (control characters)");
    type_ok = false;
  }
  return valid && type_ok;
}

void Parser::parse_static_content(pugi::xml_node n, WebServerSettings* s) {
  check_attributes(n, {"isDocFooterFileName", "defaultDocFooter", "enableDocFooter"});
  // <clientCache> is read through the configuration model (ProtocolSupportModule), per
  // location too: only the MIME map's entries make this a per-site setting.
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && std::string_view(c.name()) != "clientCache")
      s->mime_map_set = true;
  }
  parse_collection(
      n, "mimeMap", "fileExtension", &s->mime_map, &s->mime_map_cleared, &s->mime_map_removed,
      [&](pugi::xml_node a, MimeEntry* m) { return parse_mime_entry(a, m); }, {"clientCache"});
}

void Parser::parse_security(pugi::xml_node n, WebServerSettings* s, const std::string& scope) {
  check_attributes(n, {});
  for_each_child(n, [&](pugi::xml_node child) {
    if (std::string_view(child.name()) != "requestFiltering") {
      unknown_element(child);
    } else if (claim_section(scope, "system.webServer/security/requestFiltering", child)) {
      parse_request_filtering(child, s);
    }
  });
}

void Parser::parse_request_filtering(pugi::xml_node n, WebServerSettings* s) {
  // The rules other than the limits and high-bit characters are the RequestFilteringModule's,
  // read through the configuration model (src/modules/request_filtering.h), which checks them.
  check_attributes(n, {"allowHighBitCharacters", "allowDoubleEscaping", "unescapeQueryString",
                       "removeServerHeader"});
  if (read_bool(n, "allowHighBitCharacters", &s->allow_high_bit_characters) == Read::kOk) {
    s->allow_high_bit_characters_set = true;
  }
  int limits_line = 0;
  for_each_child(n, [&](pugi::xml_node child) {
    std::string_view name = child.name();
    if (name == "requestLimits") {
      if (first_time(child, &limits_line)) parse_request_limits(child, s);
    } else if (name != "fileExtensions" && name != "verbs" && name != "hiddenSegments" &&
               name != "denyUrlSequences" && name != "denyQueryStringSequences" &&
               name != "alwaysAllowedUrls" && name != "alwaysAllowedQueryStrings" &&
               name != "filteringRules") {
      unknown_element(child);
    }
  });
}

void Parser::parse_request_limits(pugi::xml_node n, WebServerSettings* s) {
  check_attributes(n, {"maxAllowedContentLength", "maxUrl", "maxQueryString"});
  s->request_limits_set = true;
  RequestLimits& r = s->request_limits;
  uint64_t v = 0;
  if (read_number(n, "maxAllowedContentLength", 0, kU32Max, &v) == Read::kOk) {
    r.max_allowed_content_length = v;
    r.max_allowed_content_length_set = true;
  }
  if (read_number(n, "maxUrl", 0, kU32Max, &v) == Read::kOk) {
    r.max_url = static_cast<uint32_t>(v);
    r.max_url_set = true;
  }
  if (read_number(n, "maxQueryString", 0, kU32Max, &v) == Read::kOk) {
    r.max_query_string = static_cast<uint32_t>(v);
    r.max_query_string_set = true;
  }
  for_each_child(n, [&](pugi::xml_node child) {
    if (std::string_view(child.name()) != "headerLimits") unknown_element(child);
  });
}

// After parsing: locations naming no site, and <add>s in a location whose key the location
// inherits (IIS: "Cannot add duplicate collection entry").
void Parser::check_locations() {
  const Config& config = result_->config;
  for (const Location& loc : config.locations) {
    if (!loc.site_name.empty() &&
        std::none_of(config.sites.begin(), config.sites.end(),
                     [&](const Site& s) { return iequals(s.name, loc.site_name); })) {
      warning(loc.line, "location path " + quote(loc.path) + ": there is no site named " +
                            quote(loc.site_name));
    }
  }
  for (size_t i = 0; i < config.locations.size(); ++i) {
    const Location& loc = config.locations[i];
    int depth = location_depth(loc);
    std::vector<const Location*> parents;
    for (size_t j = 0; j < config.locations.size(); ++j) {
      const Location& other = config.locations[j];
      int other_depth = location_depth(other);
      if ((other_depth < depth || (other_depth == depth && j < i)) &&
          is_ancestor_or_same(other, loc)) {
        parents.push_back(&other);
      }
    }
    std::stable_sort(parents.begin(), parents.end(), [](const Location* a, const Location* b) {
      return location_depth(*a) < location_depth(*b);
    });
    WebServerSettings acc;
    merge_settings(&acc, config.web_server, nullptr);
    for (const Location* p : parents)
      merge_settings(&acc, p->settings, nullptr);
    DuplicateReporter reporter{&result_->diagnostics, &config.file, loc.line};
    merge_settings(&acc, loc.settings, &reporter);
  }
}

LoadResult out_of_memory(const std::string& file) {
  LoadResult r;
  try {
    r.diagnostics.push_back({Severity::kError, file, 0, "out of memory"});
  } catch (const std::bad_alloc&) {
  }
  return r;
}

}  // namespace

const std::string* XmlElement::attribute(std::string_view attr) const noexcept {
  for (const auto& [name, value] : attributes) {
    if (name == attr) return &value;
  }
  return nullptr;
}

const XmlElement* XmlElement::child(std::string_view child_name) const noexcept {
  for (const XmlElement& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

const SectionDeclaration* Config::declaration(std::string_view name) const noexcept {
  for (const SectionDeclaration& d : declared_sections) {
    if (iequals(d.name, name)) return &d;
  }
  return nullptr;
}

LoadResult parse_config(std::string_view xml, const std::string& file_name) {
  try {
    LoadResult result;
    result.config.file = file_name;
    Parser(xml, &result).run();
    result.ok = std::none_of(result.diagnostics.begin(), result.diagnostics.end(),
                             [](const Diagnostic& d) { return d.severity == Severity::kError; });
    return result;
  } catch (const std::bad_alloc&) {
    return out_of_memory(file_name);
  }
}

LoadResult load_config_file(const std::string& path) {
  auto io_error = [&](const char* what, int err) {
    LoadResult r;
    r.config.file = path;
    r.diagnostics.push_back({Severity::kError, path, 0, std::string(what) + ": " + strerror(err)});
    return r;
  };
  try {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) return io_error("cannot open", errno);
    std::string data;
    char buf[65536];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) {
      if (data.size() + n > kMaxFileSize) {
        std::fclose(f);
        LoadResult r;
        r.config.file = path;
        r.diagnostics.push_back({Severity::kError, path, 0, "file is larger than 64 MiB"});
        return r;
      }
      data.append(buf, n);
    }
    int err = std::ferror(f) ? errno : 0;
    std::fclose(f);
    if (err != 0) return io_error("cannot read", err);
    return parse_config(data, path);
  } catch (const std::bad_alloc&) {
    return out_of_memory(path);
  }
}

WebServerSettings effective_settings(const Config& config, std::string_view site_name,
                                     std::string_view url_path) noexcept {
  std::vector<const Location*> matching;
  for (const Location& loc : config.locations) {
    if (location_matches(loc, site_name, url_path)) matching.push_back(&loc);
  }
  std::stable_sort(matching.begin(), matching.end(), [](const Location* a, const Location* b) {
    return location_depth(*a) < location_depth(*b);
  });
  WebServerSettings acc;
  merge_settings(&acc, config.web_server, nullptr);
  for (const Location* loc : matching)
    merge_settings(&acc, loc->settings, nullptr);
  return acc;
}

std::string resolve_path(const Config& config, std::string_view path) noexcept {
  namespace fs = std::filesystem;
  if (path.empty()) return {};
  fs::path p(path);
  if (p.is_absolute()) return std::string(path);
  fs::path base = config.base_dir.empty() ? fs::path() : fs::path(config.base_dir);
  return (base / p).lexically_normal().string();
}

bool check_module_references(const Config& config,
                             std::span<const std::string_view> builtin_modules,
                             std::vector<Diagnostic>* out) noexcept {
  auto known = [&](std::string_view name) {
    return std::any_of(config.global_modules.begin(), config.global_modules.end(),
                       [&](const GlobalModule& g) { return iequals(g.name, name); }) ||
           std::any_of(builtin_modules.begin(), builtin_modules.end(),
                       [&](std::string_view b) { return iequals(b, name); });
  };
  bool ok = true;
  auto check = [&](const WebServerSettings& s) {
    for (const ModuleEntry& m : s.modules) {
      if (!m.type.empty()) {
        out->push_back(
            {Severity::kWarning, config.file, m.line,
             "modules/add " + quote(m.name) + ": managed modules are not supported; ignored"});
      } else if (!known(m.name)) {
        out->push_back({Severity::kError, config.file, m.line,
                        "modules/add " + quote(m.name) +
                            ": not a global module (<globalModules>) nor a built-in module"});
        ok = false;
      }
    }
    for (const HandlerMapping& h : s.handlers) {
      if (trim(h.modules).empty()) {
        out->push_back({Severity::kError, config.file, h.line,
                        "handlers/add " + quote(h.name) +
                            ": no modules (managed handlers are not supported)"});
        ok = false;
        continue;
      }
      for (std::string_view name : split_list(h.modules)) {
        if (!known(name)) {
          out->push_back({Severity::kError, config.file, h.line,
                          "handlers/add " + quote(h.name) + ": module " + quote(name) +
                              " is not a global module (<globalModules>) nor a built-in module"});
          ok = false;
        }
      }
    }
  };
  check(config.web_server);
  for (const Location& loc : config.locations)
    check(loc.settings);
  return ok;
}

}  // namespace hs::config
