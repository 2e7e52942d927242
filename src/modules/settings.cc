#include "modules/settings.h"

#include <algorithm>

namespace hs::modules {
namespace {

using config::Diagnostic;
using config::ResolvedAttribute;
using config::ResolvedElement;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

// Typed reads of a resolved element. The values were checked against their schema types when
// the section was resolved (resolve_section fails otherwise), so a conversion here cannot fail;
// the fallback only covers an attribute the schema does not have.
config::TypedValue typed(const ResolvedElement* e, std::string_view name) {
  config::TypedValue v;
  if (e == nullptr) return v;
  const ResolvedAttribute* a = e->attribute(name);
  if (a == nullptr) return v;
  std::string why;
  if (!config::convert_value(a->schema, a->value, &v, &why)) v = {};
  return v;
}

bool get_bool(const ResolvedElement* e, std::string_view name, bool fallback) {
  if (e == nullptr || e->attribute(name) == nullptr) return fallback;
  return typed(e, name).boolean;
}

std::string get_string(const ResolvedElement* e, std::string_view name) {
  if (e == nullptr || e->attribute(name) == nullptr) return {};
  return typed(e, name).text;
}

const ResolvedElement* child(const ResolvedElement* e, std::string_view name) {
  return e != nullptr ? e->child(name) : nullptr;
}

template <class F>
void for_items(const ResolvedElement* e, F&& f) {
  if (e == nullptr) return;
  for (const auto& item : e->items)
    f(*item);
}

// The section at `path`; an error diagnostic (and null) when its values do not fit the schema.
std::shared_ptr<const ResolvedElement> section(const config::Config& cfg,
                                               const config::SchemaSet& schemas,
                                               std::string_view name,
                                               const config::ConfigPath& path,
                                               std::vector<Diagnostic>* diags, bool* ok) {
  config::SectionResult r = config::resolve_section(cfg, schemas, name, path);
  if (r.error == config::SectionError::kNone) return r.element;
  *ok = false;
  // resolve_section says "FILE:LINE: what"; a diagnostic carries the place itself.
  Diagnostic d{Diagnostic::Severity::kError, cfg.file, 0, r.message};
  if (r.message.compare(0, cfg.file.size() + 1, cfg.file + ":") == 0) {
    size_t at = cfg.file.size() + 1;
    size_t colon = r.message.find(": ", at);
    std::string line = r.message.substr(at, colon == std::string::npos ? 0 : colon - at);
    if (!line.empty() && line.find_first_not_of("0123456789") == std::string::npos) {
      d.line = std::stoi(line);
      d.message = r.message.substr(colon + 2);
    }
  }
  if (d.message.empty()) d.message = "section " + std::string(name) + ": invalid";
  diags->push_back(std::move(d));
  return nullptr;
}

void read_filtering(const ResolvedElement* rf, FilteringOptions* f) {
  f->allow_double_escaping = get_bool(rf, "allowDoubleEscaping", false);
  f->unescape_query_string = get_bool(rf, "unescapeQueryString", true);
  f->remove_server_header = get_bool(rf, "removeServerHeader", false);
  const ResolvedElement* ext = child(rf, "fileExtensions");
  f->extensions_allow_unlisted = get_bool(ext, "allowUnlisted", true);
  for_items(ext, [&](const ResolvedElement& i) {
    std::string e = lower(get_string(&i, "fileExtension"));
    if (!e.empty() && e[0] != '.') e.insert(0, ".");
    f->extensions.push_back({e, get_bool(&i, "allowed", true)});
  });
  std::stable_sort(f->extensions.begin(), f->extensions.end(),
                   [](const FilteringOptions::Extension& a, const FilteringOptions::Extension& b) {
                     return a.ext < b.ext;
                   });
  const ResolvedElement* verbs = child(rf, "verbs");
  f->verbs_allow_unlisted = get_bool(verbs, "allowUnlisted", true);
  for_items(verbs, [&](const ResolvedElement& i) {
    f->verbs.push_back({get_string(&i, "verb"), get_bool(&i, "allowed", true)});
  });
  for_items(child(rf, "hiddenSegments"), [&](const ResolvedElement& i) {
    f->hidden_segments.push_back(lower(get_string(&i, "segment")));
  });
  for_items(child(rf, "denyUrlSequences"), [&](const ResolvedElement& i) {
    f->deny_url_sequences.push_back(lower(get_string(&i, "sequence")));
  });
  for_items(child(rf, "denyQueryStringSequences"), [&](const ResolvedElement& i) {
    f->deny_query_sequences.push_back(lower(get_string(&i, "sequence")));
  });
  for_items(child(rf, "alwaysAllowedUrls"), [&](const ResolvedElement& i) {
    f->always_allowed_urls.push_back(lower(get_string(&i, "url")));
  });
  for_items(child(rf, "alwaysAllowedQueryStrings"), [&](const ResolvedElement& i) {
    f->always_allowed_query_strings.push_back(lower(get_string(&i, "queryString")));
  });
  for_items(child(child(rf, "requestLimits"), "headerLimits"), [&](const ResolvedElement& i) {
    f->header_limits.push_back(
        {get_string(&i, "header"), static_cast<uint64_t>(typed(&i, "sizeLimit").number)});
  });
  for_items(child(rf, "filteringRules"), [&](const ResolvedElement& i) {
    FilteringOptions::Rule rule;
    rule.name = get_string(&i, "name");
    rule.scan_url = get_bool(&i, "scanUrl", false);
    rule.scan_query = get_bool(&i, "scanQueryString", false);
    rule.scan_all_raw = get_bool(&i, "scanAllRaw", false);
    for_items(child(&i, "scanHeaders"), [&](const ResolvedElement& h) {
      rule.scan_headers.push_back(get_string(&h, "requestHeader"));
    });
    for_items(child(&i, "appliesTo"), [&](const ResolvedElement& a) {
      std::string e = lower(get_string(&a, "fileExtension"));
      if (!e.empty() && e[0] != '.') e.insert(0, ".");
      rule.applies_to.push_back(e);
    });
    for_items(child(&i, "denyStrings"), [&](const ResolvedElement& d) {
      std::string s = lower(get_string(&d, "string"));
      if (!s.empty()) rule.deny_strings.push_back(s);
    });
    f->rules.push_back(std::move(rule));
  });
}

}  // namespace

void Needs::add(const PathOptions& p) {
  remove_server_header = remove_server_header || p.filtering.remove_server_header;
}

bool read_path_options(const config::Config& cfg, const config::SchemaSet& schemas,
                       const config::ConfigPath& path, PathOptions* out,
                       std::vector<Diagnostic>* diags) {
  bool ok = true;
  auto rf = section(cfg, schemas, "system.webServer/security/requestFiltering", path, diags, &ok);
  if (rf) read_filtering(rf.get(), &out->filtering);
  return ok;
}

const config::Config& empty_config() {
  static const config::Config* const cfg = [] {
    config::LoadResult r = config::parse_config("<configuration/>", "<command line>");
    return new config::Config(std::move(r.config));
  }();
  return *cfg;
}

const config::SchemaSet& builtin_schemas() {
  static const config::SchemaSet* const set = [] {
    auto* s = new config::SchemaSet;
    config::add_builtin_schema(s);
    return s;
  }();
  return *set;
}

}  // namespace hs::modules
