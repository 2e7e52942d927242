#include "config/sections.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <new>

namespace hs::config {
namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    size_t p = s.find(sep);
    out.push_back(s.substr(0, p));
    if (p == std::string_view::npos) break;
    s.remove_prefix(p + 1);
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Attributes IIS allows on every element (locking, configSource); not configuration values.
bool is_generic_attribute(std::string_view name) {
  return name == "lockAttributes" || name == "lockAllAttributesExcept" || name == "lockElements" ||
         name == "lockAllElementsExcept" || name == "lockItem" || name == "configSource" ||
         name == "xmlns";
}

// One level that may set the section: the element that holds it (the <configuration> root or
// a <location>), and its depth for ordering.
struct Level {
  const XmlElement* holder;
  int depth;
};

// The <location>s that apply to `path`, least specific first (file order among equals).
std::vector<Level> levels_for(const Config& config, const ConfigPath& path) {
  std::vector<Level> out;
  if (path.level != ConfigPath::Level::kAppHost) return out;
  out.push_back({&server_defaults(), -2});
  if (config.document == nullptr) return out;
  out.push_back({config.document.get(), -1});
  for (const XmlElement& loc : config.document->children) {
    if (loc.name != "location") continue;
    std::string p;
    if (const std::string* a = loc.attribute("path")) p = *a;
    while (!p.empty() && p.back() == '/')
      p.pop_back();
    if (p == ".") p.clear();
    int depth = 0;
    if (!p.empty()) {
      size_t slash = p.find('/');
      std::string_view site = std::string_view(p).substr(0, slash);
      std::string_view url =
          slash == std::string::npos ? std::string_view() : std::string_view(p).substr(slash);
      if (path.site.empty() || !iequals(site, path.site)) continue;
      if (!url.empty()) {
        std::string_view want = path.url;
        if (!(want == url || (want.size() > url.size() && want.substr(0, url.size()) == url &&
                              want[url.size()] == '/'))) {
          continue;
        }
        depth = 1 + static_cast<int>(std::count(url.begin(), url.end(), '/'));
      } else {
        depth = 1;
      }
    }
    out.push_back({&loc, depth});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Level& a, const Level& b) { return a.depth < b.depth; });
  return out;
}

// The element of section `components` under `holder` (null if that level does not set it).
const XmlElement* find_section(const XmlElement* holder,
                               const std::vector<std::string_view>& components) {
  const XmlElement* e = holder;
  for (std::string_view c : components) {
    e = e->child(c);
    if (e == nullptr) return nullptr;
  }
  return e;
}

std::shared_ptr<ResolvedElement> make_element(const std::string& name, const ElementSchema* schema);

// Key attributes of collection items: the schema's unique or combined keys; without them a
// conventional key (name, key, value, path), else every attribute.
std::vector<std::string> key_names(const ResolvedElement& item) {
  std::vector<std::string> keys;
  if (item.schema != nullptr) {
    for (const AttributeSchema& a : item.schema->attributes) {
      if (a.is_unique_key || a.is_combined_key) keys.push_back(a.name);
    }
    if (!keys.empty()) return keys;
  }
  for (const char* k : {"name", "key", "value", "path"}) {
    if (item.attribute(k) != nullptr && item.attribute(k)->set) return {k};
  }
  for (const ResolvedAttribute& a : item.attributes)
    keys.push_back(a.name);
  return keys;
}

bool same_key(const ResolvedElement& a, const XmlElement& b, const std::vector<std::string>& keys) {
  for (const std::string& k : keys) {
    const ResolvedAttribute* x = a.attribute(k);
    const std::string* y = b.attribute(k);
    std::string xv = x != nullptr ? x->value : std::string();
    std::string yv = y != nullptr ? *y : std::string();
    const bool case_sensitive = x != nullptr && x->schema != nullptr && x->schema->case_sensitive;
    if (case_sensitive ? xv != yv : !iequals(xv, yv)) return false;
  }
  return true;
}

class Merger {
 public:
  Merger(const std::string& file) : file_(file) {}

  // Applies one level's element `x` to `acc`.
  bool merge(ResolvedElement* acc, const XmlElement& x) {
    acc->set = true;
    for (const auto& [name, value] : x.attributes) {
      if (is_generic_attribute(name)) continue;
      ResolvedAttribute* a = nullptr;
      for (ResolvedAttribute& r : acc->attributes) {
        if (r.name == name) a = &r;
      }
      if (a == nullptr) {
        acc->attributes.push_back({name, "", false, "", 0, nullptr});
        a = &acc->attributes.back();
      }
      if (a->schema != nullptr) {
        TypedValue tv;
        std::string why;
        if (!convert_value(a->schema, value, &tv, &why)) {
          fail(x.line, "<" + x.name + "> " + name + ": " + why);
          return false;
        }
      }
      a->value = value;
      a->set = true;
      a->file = file_;
      a->line = x.line;
    }
    const CollectionSchema* col = acc->schema != nullptr ? acc->schema->collection.get() : nullptr;
    std::vector<std::shared_ptr<ResolvedElement>> inherited = acc->items;
    std::vector<std::shared_ptr<ResolvedElement>> own;
    for (const XmlElement& c : x.children) {
      if (is_add(acc, col, c.name)) {
        acc->is_collection = true;
        auto item = make_element(c.name, col != nullptr ? col->item.get() : nullptr);
        if (!merge(item.get(), c)) return false;
        const std::vector<std::string> keys = key_names(*item);
        const bool duplicates_ok = col != nullptr && col->allow_duplicates;
        if (!duplicates_ok) {
          for (const auto* list : {&inherited, &own}) {
            for (const auto& existing : *list) {
              if (same_key(*existing, c, keys)) {
                fail(c.line, "<" + c.name + ">: cannot add duplicate collection entry");
                return false;
              }
            }
          }
        }
        own.push_back(std::move(item));
      } else if (is_remove(acc, col, c.name)) {
        acc->is_collection = true;
        for (auto* list : {&inherited, &own}) {
          list->erase(std::remove_if(list->begin(), list->end(),
                                     [&](const std::shared_ptr<ResolvedElement>& e) {
                                       return same_key(*e, c, key_names(*e));
                                     }),
                      list->end());
        }
      } else if (is_clear(acc, col, c.name)) {
        acc->is_collection = true;
        inherited.clear();
        own.clear();
      } else {
        std::shared_ptr<ResolvedElement> child;
        for (auto& existing : acc->children) {
          if (existing->name == c.name) child = existing;
        }
        if (child == nullptr) {
          child = make_element(c.name, nullptr);
          acc->children.push_back(child);
        }
        if (!merge(child.get(), c)) return false;
      }
    }
    if (acc->is_collection) {
      const bool append = col == nullptr || col->merge_append;
      acc->items.clear();
      if (append) {
        acc->items = std::move(inherited);
        acc->items.insert(acc->items.end(), own.begin(), own.end());
      } else {
        acc->items = std::move(own);
        acc->items.insert(acc->items.end(), inherited.begin(), inherited.end());
      }
    }
    return true;
  }

  const std::string& error() const { return error_; }

 private:
  static bool is_add(const ResolvedElement* acc, const CollectionSchema* col,
                     const std::string& n) {
    if (col != nullptr) {
      return std::find(col->add_names.begin(), col->add_names.end(), n) != col->add_names.end();
    }
    return acc->schema == nullptr && n == "add";
  }
  static bool is_remove(const ResolvedElement* acc, const CollectionSchema* col,
                        const std::string& n) {
    if (col != nullptr) return !col->remove_name.empty() && n == col->remove_name;
    return acc->schema == nullptr && n == "remove";
  }
  static bool is_clear(const ResolvedElement* acc, const CollectionSchema* col,
                       const std::string& n) {
    if (col != nullptr) return !col->clear_name.empty() && n == col->clear_name;
    return acc->schema == nullptr && n == "clear";
  }
  void fail(int line, std::string message) {
    error_ = file_ + ":" + std::to_string(line) + ": " + message;
  }

  std::string file_;
  std::string error_;
};

std::shared_ptr<ResolvedElement> make_element(const std::string& name,
                                              const ElementSchema* schema) {
  auto e = std::make_shared<ResolvedElement>();
  e->name = name;
  e->schema = schema;
  if (schema == nullptr) return e;
  for (const AttributeSchema& a : schema->attributes)
    e->attributes.push_back({a.name, a.has_default ? a.default_value : "", false, "", 0, &a});
  for (const auto& c : schema->children)
    e->children.push_back(make_element(c->name, c.get()));
  e->is_collection = schema->collection != nullptr;
  return e;
}

// Unschematized children of a schematized parent keep no schema; schematized ones were created
// up front by make_element, so merge finds them by name.

bool parse_int(std::string_view s, int64_t lo, int64_t hi, int64_t* out) {
  std::string t(trim(s));
  if (t.empty()) return false;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(t.c_str(), &end, 10);
  if (*end != '\0' || errno != 0 || v < lo || v > hi) return false;
  *out = v;
  return true;
}

bool parse_time_span(const AttributeSchema* a, std::string_view s, int64_t* ticks) {
  std::string t(trim(s));
  if (t.empty()) return false;
  constexpr int64_t kSecond = 10'000'000;
  if (t.find(':') == std::string::npos) {
    int64_t n = 0;
    if (!parse_int(t, INT64_MIN / (60 * kSecond), INT64_MAX / (60 * kSecond), &n)) return false;
    const bool minutes = a != nullptr && iequals(a->time_span_format, "minutes");
    *ticks = n * (minutes ? 60 * kSecond : kSecond);
    return true;
  }
  bool negative = false;
  if (t[0] == '-') {
    negative = true;
    t.erase(0, 1);
  }
  int64_t days = 0;
  size_t colon = t.find(':');
  size_t dot = t.find('.');
  if (dot != std::string::npos && dot < colon) {
    if (!parse_int(t.substr(0, dot), 0, 10675199, &days)) return false;
    t.erase(0, dot + 1);
  }
  std::vector<std::string_view> parts = split(t, ':');
  if (parts.size() != 3) return false;
  int64_t h = 0, m = 0, sec = 0, frac = 0;
  std::string_view secs = parts[2];
  size_t fdot = secs.find('.');
  if (fdot != std::string_view::npos) {
    std::string f(secs.substr(fdot + 1));
    if (f.empty() || f.size() > 7 || f.find_first_not_of("0123456789") != std::string::npos)
      return false;
    while (f.size() < 7)
      f += '0';
    frac = std::strtoll(f.c_str(), nullptr, 10);
    secs = secs.substr(0, fdot);
  }
  if (!parse_int(parts[0], 0, 23, &h) || !parse_int(parts[1], 0, 59, &m) ||
      !parse_int(secs, 0, 59, &sec)) {
    return false;
  }
  int64_t v = (((days * 24 + h) * 60 + m) * 60 + sec) * kSecond + frac;
  *ticks = negative ? -v : v;
  return true;
}

}  // namespace

std::string ConfigPath::to_string() const {
  switch (level) {
    case Level::kMachine:
      return "MACHINE";
    case Level::kWebRoot:
      return "MACHINE/WEBROOT";
    case Level::kAppHost:
      break;
  }
  std::string s = "MACHINE/WEBROOT/APPHOST";
  if (!site.empty()) s += "/" + site + url;
  return s;
}

bool parse_config_path(std::string_view text, ConfigPath* out) {
  std::string t(text);
  while (!t.empty() && t.back() == '/')
    t.pop_back();
  ConfigPath p;
  if (t.empty()) {
    *out = p;
    return true;
  }
  for (char c : t) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\') return false;
  }
  std::vector<std::string_view> seg = split(t, '/');
  for (std::string_view s : seg) {
    if (s.empty() || s == "." || s == "..") return false;
  }
  if (!iequals(seg[0], "MACHINE")) return false;
  if (seg.size() == 1) {
    p.level = ConfigPath::Level::kMachine;
  } else if (!iequals(seg[1], "WEBROOT")) {
    return false;
  } else if (seg.size() == 2) {
    p.level = ConfigPath::Level::kWebRoot;
  } else if (!iequals(seg[2], "APPHOST")) {
    return false;
  } else {
    p.level = ConfigPath::Level::kAppHost;
    if (seg.size() > 3) p.site = std::string(seg[3]);
    for (size_t i = 4; i < seg.size(); ++i)
      p.url += "/" + std::string(seg[i]);
  }
  *out = std::move(p);
  return true;
}

const ResolvedAttribute* ResolvedElement::attribute(std::string_view attr) const noexcept {
  for (const ResolvedAttribute& a : attributes) {
    if (a.name == attr) return &a;
  }
  return nullptr;
}

const ResolvedElement* ResolvedElement::child(std::string_view child_name) const noexcept {
  for (const auto& c : children) {
    if (c->name == child_name) return c.get();
  }
  return nullptr;
}

bool section_available(const Config& config, const SchemaSet& schemas,
                       std::string_view name) noexcept {
  if (config.declaration(name) != nullptr) return true;
  static const SchemaSet* const builtin = [] {
    auto* set = new SchemaSet;  // immortal: read by every thread until exit
    add_builtin_schema(set);
    return set;
  }();
  return builtin->section(name) != nullptr && schemas.section(name) != nullptr;
}

SectionResult resolve_section(const Config& config, const SchemaSet& schemas, std::string_view name,
                              const ConfigPath& path) noexcept {
  SectionResult r;
  try {
    if (name.empty() || !section_available(config, schemas, name)) {
      r.error = SectionError::kUnknownSection;
      r.message = "unknown section '" + std::string(name) + "'";
      return r;
    }
    const ElementSchema* schema = schemas.section(name);
    std::vector<std::string_view> components = split(name, '/');
    auto element = make_element(std::string(components.back()), schema);
    Merger merger(config.file);
    for (const Level& level : levels_for(config, path)) {
      const XmlElement* x = find_section(level.holder, components);
      if (x == nullptr) continue;
      if (!merger.merge(element.get(), *x)) {
        r.error = SectionError::kInvalidValue;
        r.message = merger.error();
        return r;
      }
    }
    r.element = std::move(element);
  } catch (const std::bad_alloc&) {
    r.element.reset();
    r.error = SectionError::kInvalidValue;
    r.message = "out of memory";
  }
  return r;
}

ConfigPath unique_config_path(const Config& config, const ConfigPath& path) noexcept {
  ConfigPath out;
  out.level = path.level;
  if (path.level != ConfigPath::Level::kAppHost || path.site.empty()) return path;
  out.site = path.site;
  size_t best = 0;
  bool any_site_level = false;
  if (config.document != nullptr) {
    for (const XmlElement& loc : config.document->children) {
      if (loc.name != "location") continue;
      std::string p;
      if (const std::string* a = loc.attribute("path")) p = *a;
      while (!p.empty() && p.back() == '/')
        p.pop_back();
      size_t slash = p.find('/');
      std::string site = p.substr(0, slash);
      if (p.empty() || !iequals(site, path.site)) continue;
      any_site_level = true;
      std::string url = slash == std::string::npos ? std::string() : p.substr(slash);
      if (url.empty()) continue;
      if ((path.url == url ||
           (path.url.size() > url.size() && path.url.compare(0, url.size(), url) == 0 &&
            path.url[url.size()] == '/')) &&
          url.size() > best) {
        best = url.size();
        out.url = url;
      }
    }
  }
  (void)any_site_level;
  return out;
}

bool convert_value(const AttributeSchema* a, std::string_view text, TypedValue* out,
                   std::string* why) noexcept {
  try {
    TypedValue v;
    v.type = a != nullptr ? a->type : AttributeType::kString;
    const std::string quoted = "'" + std::string(text) + "'";
    auto infinite = [&](int64_t max) {
      if (a != nullptr && a->allow_infinite && iequals(trim(text), "Infinite")) {
        v.number = max;
        return true;
      }
      return false;
    };
    switch (v.type) {
      case AttributeType::kString:
        v.text = a != nullptr && a->expanded ? expand_environment(text) : std::string(text);
        break;
      case AttributeType::kBool:
        if (iequals(trim(text), "true")) {
          v.boolean = true;
          v.number = 1;
        } else if (iequals(trim(text), "false")) {
          v.boolean = false;
        } else {
          *why = quoted + " is not a boolean (true or false)";
          return false;
        }
        break;
      case AttributeType::kUint:
        if (!infinite(4294967295ll) && !parse_int(text, 0, 4294967295ll, &v.number)) {
          *why = quoted + " is not a number in 0..4294967295";
          return false;
        }
        break;
      case AttributeType::kInt:
        if (!infinite(2147483647ll) && !parse_int(text, INT32_MIN, INT32_MAX, &v.number)) {
          *why = quoted + " is not a number in -2147483648..2147483647";
          return false;
        }
        break;
      case AttributeType::kInt64:
        if (!infinite(INT64_MAX) && !parse_int(text, INT64_MIN, INT64_MAX, &v.number)) {
          *why = quoted + " is not a 64-bit number";
          return false;
        }
        break;
      case AttributeType::kTimeSpan:
        if (!infinite(INT64_MAX) && !parse_time_span(a, text, &v.number)) {
          *why = quoted + " is not a time span ([d.]hh:mm:ss[.fffffff])";
          return false;
        }
        break;
      case AttributeType::kEnum: {
        std::string_view t = trim(text);
        bool found = false;
        for (const EnumValue& e : a->values) {
          if (iequals(e.name, t)) {
            v.number = e.value;
            found = true;
          }
        }
        if (!found && !parse_int(t, 0, 4294967295ll, &v.number)) {
          *why = quoted + " is not one of the values of " + a->name;
          return false;
        }
        break;
      }
      case AttributeType::kFlags: {
        int64_t bits = 0;
        for (std::string_view part : split(text, ',')) {
          part = trim(part);
          if (part.empty()) continue;
          bool found = false;
          for (const EnumValue& e : a->values) {
            if (iequals(e.name, part)) {
              bits |= e.value;
              found = true;
            }
          }
          int64_t n = 0;
          if (!found) {
            if (!parse_int(part, 0, 4294967295ll, &n)) {
              *why = quoted + " is not a combination of the flags of " + a->name;
              return false;
            }
            bits |= n;
          }
        }
        v.number = bits;
        break;
      }
    }
    if (v.type != AttributeType::kString) v.text = std::string(text);
    *out = std::move(v);
    return true;
  } catch (const std::bad_alloc&) {
    *why = "out of memory";
    return false;
  }
}

std::string expand_environment(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find('%', i);
    if (open == std::string_view::npos) break;
    size_t close = text.find('%', open + 1);
    if (close == std::string_view::npos) break;
    std::string name(text.substr(open + 1, close - open - 1));
    const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
    out.append(text.substr(i, open - i));
    if (value != nullptr) {
      out += value;
      i = close + 1;
    } else {
      out.append(text.substr(open, close - open));  // left as written; the '%' may open the next
      i = close;
    }
  }
  out.append(text.substr(i));
  return out;
}

}  // namespace hs::config
