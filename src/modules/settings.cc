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
  protocol = protocol || p.protocol.any();
  redirect = redirect || p.redirect.enabled;
  browse = browse || p.browse.enabled;
}

void Needs::add(const SiteOptions& s) {
  logging = logging || s.log.enabled;
}

bool read_path_options(const config::Config& cfg, const config::SchemaSet& schemas,
                       const config::ConfigPath& path, PathOptions* out,
                       std::vector<Diagnostic>* diags) {
  bool ok = true;
  auto rf = section(cfg, schemas, "system.webServer/security/requestFiltering", path, diags, &ok);
  if (rf) read_filtering(rf.get(), &out->filtering);
  if (auto e = section(cfg, schemas, "system.webServer/httpErrors", path, diags, &ok)) {
    ErrorsOptions& o = out->errors;
    o.mode = static_cast<ErrorsOptions::Mode>(typed(e.get(), "errorMode").number);
    o.existing = static_cast<ErrorsOptions::Existing>(typed(e.get(), "existingResponse").number);
    o.default_path = get_string(e.get(), "defaultPath");
    o.default_mode = static_cast<int>(typed(e.get(), "defaultResponseMode").number);
    o.more_information_link = get_string(e.get(), "detailedMoreInformationLink");
    for_items(e.get(), [&](const ResolvedElement& i) {
      ErrorsOptions::Entry entry;
      entry.status = static_cast<unsigned>(typed(&i, "statusCode").number);
      entry.substatus = static_cast<int>(typed(&i, "subStatusCode").number);
      entry.prefix_language_path = get_string(&i, "prefixLanguageFilePath");
      entry.path = get_string(&i, "path");
      entry.mode = static_cast<int>(typed(&i, "responseMode").number);
      o.entries.push_back(std::move(entry));
    });
  }
  if (auto h = section(cfg, schemas, "system.webServer/httpProtocol", path, diags, &ok)) {
    ProtocolOptions& p = out->protocol;
    p.allow_keep_alive = get_bool(h.get(), "allowKeepAlive", true);
    for_items(child(h.get(), "customHeaders"), [&](const ResolvedElement& i) {
      p.custom_headers.emplace_back(get_string(&i, "name"), get_string(&i, "value"));
    });
    for_items(child(h.get(), "redirectHeaders"), [&](const ResolvedElement& i) {
      p.redirect_headers.emplace_back(get_string(&i, "name"), get_string(&i, "value"));
    });
  }
  if (auto sc = section(cfg, schemas, "system.webServer/staticContent", path, diags, &ok)) {
    const ResolvedElement* cc = child(sc.get(), "clientCache");
    ProtocolOptions& p = out->protocol;
    p.cache_mode = static_cast<ProtocolOptions::CacheMode>(typed(cc, "cacheControlMode").number);
    p.max_age_s = typed(cc, "cacheControlMaxAge").number / 10'000'000;  // 100-ns ticks
    p.http_expires = get_string(cc, "httpExpires");
    p.cache_control_custom = get_string(cc, "cacheControlCustom");
    p.set_etag = get_bool(cc, "setEtag", true);
  }
  if (auto r = section(cfg, schemas, "system.webServer/httpRedirect", path, diags, &ok)) {
    RedirectOptions& o = out->redirect;
    o.enabled = get_bool(r.get(), "enabled", false);
    o.destination = get_string(r.get(), "destination");
    o.exact_destination = get_bool(r.get(), "exactDestination", false);
    o.child_only = get_bool(r.get(), "childOnly", false);
    o.status = static_cast<unsigned>(typed(r.get(), "httpResponseStatus").number);
    for_items(r.get(), [&](const ResolvedElement& i) {
      o.wildcards.emplace_back(get_string(&i, "wildcard"), get_string(&i, "destination"));
    });
  }
  if (auto b = section(cfg, schemas, "system.webServer/directoryBrowse", path, diags, &ok)) {
    out->browse.enabled = get_bool(b.get(), "enabled", false);
    out->browse.show_flags = static_cast<uint32_t>(typed(b.get(), "showFlags").number);
  }
  if (auto u = section(cfg, schemas, "system.webServer/urlCompression", path, diags, &ok)) {
    out->compression.static_compression = get_bool(u.get(), "doStaticCompression", true);
    out->compression.dynamic_compression = get_bool(u.get(), "doDynamicCompression", true);
  }
  if (auto l = section(cfg, schemas, "system.webServer/httpLogging", path, diags, &ok)) {
    out->logging.dont_log = get_bool(l.get(), "dontLog", false);
    out->logging.selective =
        static_cast<HttpLoggingOptions::Selective>(typed(l.get(), "selectiveLogging").number);
  }
  return ok;
}

bool read_site_options(const config::Config& cfg, const config::SchemaSet& schemas,
                       std::string_view site_name, SiteOptions* out,
                       std::vector<Diagnostic>* diags) {
  bool ok = true;
  auto sites = section(cfg, schemas, "system.applicationHost/sites", {}, diags, &ok);
  if (!sites) return ok;
  const ResolvedElement* defaults = child(child(sites.get(), "siteDefaults"), "logFile");
  const ResolvedElement* own = nullptr;
  for (const auto& item : sites->items) {
    if (item->name != "site") continue;
    const ResolvedAttribute* n = item->attribute("name");
    if (n != nullptr && config::expand_environment(n->value) == site_name) {
      own = item->child("logFile");
      const ResolvedAttribute* id = item->attribute("id");
      if (id != nullptr) out->id = static_cast<uint32_t>(typed(item.get(), "id").number);
    }
  }
  out->name = std::string(site_name);
  // Each attribute: the site's own <logFile> where it sets it, else <siteDefaults>'s, else the
  // schema's default (IIS applies siteDefaults to every site this way).
  auto pick = [&](std::string_view attr) -> const ResolvedElement* {
    if (own != nullptr && own->attribute(attr) != nullptr && own->attribute(attr)->set) return own;
    if (defaults != nullptr) return defaults;
    return own;
  };
  bool configured = (own != nullptr && own->set) || (defaults != nullptr && defaults->set);
  SiteLogOptions& l = out->log;
  if (!configured) return ok;
  l.enabled = get_bool(pick("enabled"), "enabled", true);
  std::string dir = get_string(pick("directory"), "directory");
  l.directory = config::resolve_path(cfg, dir.empty() ? std::string("logs") : dir);
  l.period = static_cast<int>(typed(pick("period"), "period").number);
  l.truncate_size = static_cast<uint64_t>(
      std::max<int64_t>(0, typed(pick("truncateSize"), "truncateSize").number));
  l.local_time_rollover = get_bool(pick("localTimeRollover"), "localTimeRollover", false);
  l.flags = static_cast<uint32_t>(typed(pick("logExtFileFlags"), "logExtFileFlags").number);
  l.log_site_id = get_bool(pick("logSiteId"), "logSiteId", true);
  int64_t format = typed(pick("logFormat"), "logFormat").number;
  auto where = [&](const ResolvedElement* e, std::string_view attr) {
    const ResolvedAttribute* a = e != nullptr ? e->attribute(attr) : nullptr;
    return a != nullptr && a->set ? a->line : 0;
  };
  if (l.enabled && format != 2) {
    diags->push_back({Diagnostic::Severity::kWarning, cfg.file,
                      where(pick("logFormat"), "logFormat"),
                      "site '" + out->name +
                          "': <logFile logFormat> other than W3C is not supported; the site is "
                          "not logged"});
    l.enabled = false;
  }
  if (l.enabled && (typed(pick("logTargetW3C"), "logTargetW3C").number & 1) == 0) {
    diags->push_back({Diagnostic::Severity::kWarning, cfg.file,
                      where(pick("logTargetW3C"), "logTargetW3C"),
                      "site '" + out->name +
                          "': <logFile logTargetW3C> without File (ETW only) is not supported; "
                          "logging to a file"});
  }
  // Custom fields: the site's own collection where it has one, else siteDefaults'.
  const ResolvedElement* cf = child(own, "customFields");
  if (cf == nullptr || !cf->set) cf = child(defaults, "customFields");
  if (cf != nullptr) {
    l.max_custom_field_length = static_cast<uint32_t>(typed(cf, "maxCustomFieldLength").number);
    for_items(cf, [&](const ResolvedElement& i) {
      SiteLogOptions::CustomField f;
      f.name = get_string(&i, "logFieldName");
      f.source = get_string(&i, "sourceName");
      f.type = static_cast<int>(typed(&i, "sourceType").number);
      if (!f.name.empty() && f.name.find(' ') == std::string::npos) l.custom_fields.push_back(f);
    });
  }
  return ok;
}

bool read_server_options(const config::Config& cfg, const config::SchemaSet& schemas,
                         ServerOptions* out, std::vector<Diagnostic>* diags) {
  bool ok = true;
  if (auto c = section(cfg, schemas, "system.webServer/httpCompression", {}, diags, &ok)) {
    CompressionOptions& o = out->compression;
    std::string dir = get_string(c.get(), "directory");
    o.directory = dir.empty() ? std::string() : config::resolve_path(cfg, dir);
    o.limit_disk_space = get_bool(c.get(), "doDiskSpaceLimiting", true);
    o.max_disk_bytes = static_cast<uint64_t>(typed(c.get(), "maxDiskSpaceUsage").number) << 20;
    o.min_file_size = static_cast<uint64_t>(typed(c.get(), "minFileSizeForComp").number);
    o.no_http10 = get_bool(c.get(), "noCompressionForHttp10", true);
    o.no_proxies = get_bool(c.get(), "noCompressionForProxies", true);
    o.no_range = get_bool(c.get(), "noCompressionForRange", true);
    o.send_cache_headers = get_bool(c.get(), "sendCacheHeaders", false);
    o.cache_control_header = get_string(c.get(), "cacheControlHeader");
    o.expires_header = get_string(c.get(), "expiresHeader");
    o.ignore_hit_frequency = get_bool(c.get(), "staticCompressionIgnoreHitFrequency", true);
    o.schemes.clear();
    for_items(c.get(), [&](const ResolvedElement& i) {
      CompressionOptions::Scheme s;
      s.name = lower(get_string(&i, "name"));
      s.do_static = get_bool(&i, "doStaticCompression", true);
      s.do_dynamic = get_bool(&i, "doDynamicCompression", true);
      s.static_level = static_cast<unsigned>(typed(&i, "staticCompressionLevel").number);
      s.dynamic_level = static_cast<unsigned>(typed(&i, "dynamicCompressionLevel").number);
      if (s.name != "gzip" && s.name != "deflate" && s.name != "br") {
        const ResolvedAttribute* a = i.attribute("name");
        diags->push_back({Diagnostic::Severity::kWarning, cfg.file, a != nullptr ? a->line : 0,
                          "<httpCompression><scheme name=\"" + s.name +
                              "\">: only gzip, deflate and br are implemented; scheme ignored"});
        return;
      }
      o.schemes.push_back(std::move(s));
    });
    auto types = [&](const char* name, std::vector<CompressionOptions::Type>* list) {
      list->clear();
      for_items(child(c.get(), name), [&](const ResolvedElement& i) {
        list->push_back({lower(get_string(&i, "mimeType")), get_bool(&i, "enabled", false)});
      });
    };
    types("staticTypes", &o.static_types);
    types("dynamicTypes", &o.dynamic_types);
  }
  if (auto log = section(cfg, schemas, "system.applicationHost/log", {}, diags, &ok)) {
    out->log_in_utf8 = get_bool(log.get(), "logInUTF8", true);
    const ResolvedAttribute* mode = log->attribute("centralLogFileMode");
    if (mode != nullptr && mode->set && typed(log.get(), "centralLogFileMode").number != 0) {
      diags->push_back({Diagnostic::Severity::kWarning, cfg.file, mode->line,
                        "<log centralLogFileMode>: only Site (one log per site) is supported; "
                        "each site logs to its own <logFile>"});
    }
  }
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
