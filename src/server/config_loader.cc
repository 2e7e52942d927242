#include "server/config_loader.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <filesystem>

#include "config/schema.h"
#include "config/sections.h"
#include "http/headers.h"
#include "http/mime.h"
#include "iis/http_server_impl.h"
#include "iis/module_registry.h"
#include "modules/runtime.h"

namespace hs::server {
namespace {

using config::Diagnostic;

// Every module name a configuration may enable without a <globalModules> entry.
std::vector<std::string_view> builtin_names() {
  std::vector<std::string_view> names = {iis::kStaticFileModule, kDefaultDocumentModule};
  for (std::string_view n : modules::builtin_module_names())
    names.push_back(n);
  return names;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (true) {
    size_t comma = s.find(',');
    std::string_view item = trim(s.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

bool contains_ci(const std::vector<std::string>& list, std::string_view name) {
  return std::any_of(list.begin(), list.end(),
                     [&](const std::string& s) { return http::iequals(s, name); });
}

void add(std::vector<Diagnostic>* diags, Diagnostic::Severity sev, const config::Config& cfg,
         int line, std::string message) {
  Diagnostic d;
  d.severity = sev;
  d.file = cfg.file;
  d.line = line;
  d.message = std::move(message);
  diags->push_back(std::move(d));
}

// A <location> that applies to the whole site (path "" or "Site" or "Site/").
bool applies_to_site_root(const config::Location& loc, std::string_view site) {
  if (loc.path.empty()) return true;
  if (!http::iequals(loc.site_name, site)) return false;
  return loc.url_path.empty() || loc.url_path == "/";
}

iis::HandlerMapping to_mapping(const config::HandlerMapping& h) {
  iis::HandlerMapping m;
  m.name = h.name;
  m.path = h.path;
  m.verbs = split_list(h.verb);
  if (std::find(m.verbs.begin(), m.verbs.end(), "*") != m.verbs.end()) m.verbs.clear();
  for (std::string& name : split_list(h.modules)) {
    if (http::iequals(name, kDefaultDocumentModule) ||
        http::iequals(name, iis::kStaticFileModule) || http::iequals(name, kDirectoryListingModule))
      name = std::string(iis::kStaticFileModule);
    if (!contains_ci(m.modules, name)) m.modules.push_back(std::move(name));
  }
  m.response_buffer_limit = h.response_buffer_limit;
  // For IScriptMapInfo: as written, with the schema's enum values (requireAccess is a flags
  // list in practice: the values are or-ed).
  m.verb_text = h.verb;
  m.modules_text = h.modules;
  m.script_processor = h.script_processor;
  m.type = h.type;
  static constexpr std::string_view kTypes[] = {"File", "Directory", "Either", "Unspecified"};
  for (uint32_t i = 0; i < 4; ++i)
    if (http::iequals(h.resource_type, kTypes[i])) m.resource_type = i;
  static constexpr std::string_view kAccess[] = {"None", "Read", "Write", "Script", "Execute"};
  m.require_access = 0;
  for (const std::string& flag : split_list(h.require_access))
    for (uint32_t i = 0; i < 5; ++i)
      if (http::iequals(flag, kAccess[i])) m.require_access |= i;
  m.allow_path_info = h.allow_path_info;
  return m;
}

}  // namespace

namespace {

// "*" or "" → "" (any); a numeric address → its canonical text, as the connection's local
// address is printed (so "::0001" matches "::1").
std::string canonical_ip(const std::string& ip) {
  if (ip.empty() || ip == "*") return "";
  unsigned char buf[sizeof(in6_addr)];
  char text[INET6_ADDRSTRLEN];
  int family = ip.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  if (inet_pton(family, ip.c_str(), buf) != 1) return ip;
  if (inet_ntop(family, buf, text, sizeof(text)) == nullptr) return ip;
  return text;
}

// Whether built-in module `name` is enabled at `prefix` of `site`: IIS's own <modules> lists
// every built-in module, so it is, unless a level in effect (the top level, then the matching
// <location>s from the least specific) <remove>s it or <clear>s the list without adding it back.
bool builtin_enabled(const config::Config& cfg, std::string_view site, std::string_view prefix,
                     std::string_view name) {
  std::vector<std::pair<int, const config::WebServerSettings*>> levels = {{-1, &cfg.web_server}};
  for (const config::Location& loc : cfg.locations) {
    if (loc.path.empty()) {
      levels.push_back({0, &loc.settings});
    } else if (http::iequals(loc.site_name, site)) {
      std::string_view url = loc.url_path;
      if (url.empty() || url == "/") {
        levels.push_back({1, &loc.settings});
      } else if (prefix.substr(0, url.size()) == url &&
                 (prefix.size() == url.size() || prefix[url.size()] == '/')) {
        levels.push_back(
            {1 + static_cast<int>(std::count(url.begin(), url.end(), '/')), &loc.settings});
      }
    }
  }
  std::stable_sort(levels.begin(), levels.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  bool enabled = true;
  for (const auto& [depth, s] : levels) {
    if (!s->modules_set) continue;
    if (s->modules_cleared || contains_ci(s->modules_removed, name)) enabled = false;
    for (const config::ModuleEntry& m : s->modules)
      enabled = enabled || http::iequals(m.name, name);
  }
  return enabled;
}

// The modules, handlers and request limits in effect at `prefix` of a site.
void plan_path(const config::Config& cfg, const config::Site& site, const std::string& prefix,
               const config::WebServerSettings& eff, PathPlan* out,
               std::vector<Diagnostic>* diags) {
  out->prefix = prefix;
  std::string where = "site '" + site.name + "'" + (prefix.empty() ? "" : " at " + prefix);
  // Modules: the global modules enabled in <modules>, in <globalModules> order.
  std::vector<std::string> enabled;
  for (const config::ModuleEntry& m : eff.modules)
    enabled.push_back(m.name);
  for (const config::GlobalModule& g : cfg.global_modules) {
    if (contains_ci(enabled, g.name)) out->modules.push_back(g.name);
  }
  for (std::string_view b : modules::builtin_module_names()) {
    if (builtin_enabled(cfg, site.name, prefix, b)) out->modules.emplace_back(b);
  }
  // The built-in modules' own sections, through the configuration model (IIS's schema).
  config::ConfigPath path;
  path.site = site.name;
  path.url = prefix;
  std::vector<Diagnostic> section_diags;
  modules::read_path_options(cfg, modules::builtin_schemas(), path, &out->builtin, &section_diags);
  for (Diagnostic& d : section_diags) {
    // The same section is resolved for every path it applies to: report a problem once.
    bool seen = std::any_of(diags->begin(), diags->end(),
                            [&](const Diagnostic& x) { return x.to_string() == d.to_string(); });
    if (!seen) diags->push_back(std::move(d));
  }
  for (const config::HandlerMapping& h : eff.handlers) {
    iis::HandlerMapping m = to_mapping(h);
    for (const std::string& name : m.modules) {
      bool builtin = http::iequals(name, iis::kStaticFileModule) ||
                     std::any_of(modules::builtin_module_names().begin(),
                                 modules::builtin_module_names().end(),
                                 [&](std::string_view b) { return http::iequals(b, name); });
      if (!builtin && !contains_ci(enabled, name)) {
        add(diags, Diagnostic::Severity::kWarning, cfg, h.line,
            "handler '" + h.name + "' of " + where + ": module '" + name +
                "' is not enabled in <modules> there, so it does not run");
      }
    }
    out->mappings.push_back(std::move(m));
  }
  out->limits.max_url = eff.request_limits.max_url;
  out->limits.max_query_string = eff.request_limits.max_query_string;
  out->limits.max_allowed_content_length = eff.request_limits.max_allowed_content_length;
  out->limits.allow_high_bit_characters = eff.allow_high_bit_characters;
  out->max_allowed_content_length_set = eff.request_limits.max_allowed_content_length_set;
}

// One site's plan: its http bindings, root directory and the settings at its root and at the
// paths of its <location>s.
bool plan_site(const config::Config& cfg, const config::Site& site, SitePlan* out,
               std::vector<Diagnostic>* diags) {
  using Sev = Diagnostic::Severity;
  bool ok = true;
  out->id = site.id;
  out->name = site.name;
  for (const config::Binding& b : site.bindings) {
    if (b.protocol != "http" && b.protocol != "https") {
      add(diags, Sev::kWarning, cfg, b.line,
          "binding protocol '" + b.protocol + "' is not supported; binding skipped");
      continue;
    }
    out->bindings.push_back({canonical_ip(b.ip), b.port, b.host});
    if (b.protocol == "https") {
      io::TlsCertificate c;
      c.cert_file = config::resolve_path(cfg, b.certificate_file);
      c.key_file = config::resolve_path(cfg, b.certificate_key_file);
      // SNI chooses this certificate for the binding's host; a binding for any host uses the
      // names in the certificate.
      if (!b.host.empty()) c.names.push_back(b.host);
      c.client_certs = b.client_certificate == "require"  ? io::ClientCertMode::kRequire
                       : b.client_certificate == "accept" ? io::ClientCertMode::kAccept
                                                          : io::ClientCertMode::kIgnore;
      if (!b.client_ca_file.empty()) c.client_ca_file = config::resolve_path(cfg, b.client_ca_file);
      out->tls.emplace_back(out->bindings.size() - 1, std::move(c));
    }
  }

  // The root application's root virtual directory.
  for (const config::Application& app : site.applications) {
    for (const config::VirtualDirectory& vd : app.virtual_directories) {
      if (app.path == "/" && vd.path == "/") {
        out->root = config::resolve_path(cfg, vd.physical_path);
      } else {
        std::string prefix = app.path == "/" ? vd.path : app.path + (vd.path == "/" ? "" : vd.path);
        out->virtual_directories.emplace_back(prefix, config::resolve_path(cfg, vd.physical_path));
      }
    }
    if (app.path != "/") {
      add(diags, Sev::kWarning, cfg, app.line,
          "application '" + app.path + "' of site '" + site.name +
              "': served as part of the site's root application (its virtual directories are "
              "mapped; application-level objects and pools are not)");
    }
  }
  if (out->root.empty()) {
    add(diags, Sev::kError, cfg, site.line,
        "site '" + site.name + "' has no root virtual directory with a physicalPath");
    ok = false;
  }

  config::WebServerSettings eff = config::effective_settings(cfg, site.name, "/");
  plan_path(cfg, site, "", eff, &out->at_root, diags);
  for (const config::Location& loc : cfg.locations) {
    if (applies_to_site_root(loc, site.name) || !http::iequals(loc.site_name, site.name)) continue;
    std::string prefix = loc.url_path;
    while (prefix.size() > 1 && prefix.back() == '/')
      prefix.pop_back();
    bool seen = false;
    for (const PathPlan& p : out->parts)
      seen = seen || p.prefix == prefix;
    if (seen) continue;
    if (loc.settings.default_document_set || loc.settings.mime_map_set) {
      add(diags, Sev::kWarning, cfg, loc.line,
          "<location path=\"" + loc.path +
              "\">: <defaultDocument> and <staticContent>'s MIME map apply per site only; "
              "ignored here");
    }
    PathPlan part;
    plan_path(cfg, site, prefix, config::effective_settings(cfg, site.name, prefix), &part, diags);
    out->parts.push_back(std::move(part));
  }

  // Which levels apply at the site root, to apply <clear>/<remove> to the built-in defaults.
  std::vector<const config::WebServerSettings*> levels = {&cfg.web_server};
  for (const config::Location& loc : cfg.locations) {
    if (applies_to_site_root(loc, site.name)) levels.push_back(&loc.settings);
  }
  bool docs_cleared = false;
  bool index_removed = false;
  for (const config::WebServerSettings* l : levels) {
    if (l->default_document_set) {
      docs_cleared = docs_cleared || l->default_documents_cleared;
      index_removed = index_removed || contains_ci(l->default_documents_removed, "index.html");
    }
    if (l->mime_map_set) {
      out->mime_clear = out->mime_clear || l->mime_map_cleared;
      out->mime_remove.insert(out->mime_remove.end(), l->mime_map_removed.begin(),
                              l->mime_map_removed.end());
    }
  }
  // Default documents: the configured list; the server's built-in "index.html" stays at the
  // end, as an inherited entry would, unless a <clear/> or <remove> dropped it.
  if (eff.default_document_enabled) {
    out->default_documents = eff.default_documents;
    if (!docs_cleared && !index_removed && !contains_ci(out->default_documents, "index.html"))
      out->default_documents.emplace_back("index.html");
  }
  http::MimeMap probe;
  for (const config::MimeEntry& m : eff.mime_map) {
    if (!probe.set(m.file_extension, m.mime_type)) {
      add(diags, Sev::kWarning, cfg, m.line,
          "mimeMap '" + m.file_extension + "' is not a usable extension; entry ignored");
      continue;
    }
    out->mime_set.emplace_back(m.file_extension, m.mime_type);
  }
  return ok;
}

}  // namespace

bool load_server_plan(const std::string& file, ServerPlan* out,
                      std::vector<config::Diagnostic>* diags) {
  const size_t first_diag = diags->size();
  config::LoadResult r = config::load_config_file(file);
  diags->insert(diags->end(), r.diagnostics.begin(), r.diagnostics.end());
  if (!r.ok) return false;
  const config::Config& cfg = r.config;
  const std::vector<std::string_view> builtins = builtin_names();
  bool ok = config::check_module_references(cfg, builtins, diags);

  if (cfg.sites.empty()) {
    add(diags, Diagnostic::Severity::kError, cfg, 0, "no <site> defined");
    return false;
  }
  // Sections read through the configuration model (types and defaults from the schema).
  config::SchemaSet schemas;
  config::add_builtin_schema(&schemas);
  auto number = [&](const config::ResolvedElement& e, std::string_view attr, int64_t fallback) {
    const config::ResolvedAttribute* a = e.attribute(attr);
    config::TypedValue v;
    std::string why;
    if (a == nullptr || !config::convert_value(a->schema, a->value, &v, &why)) return fallback;
    return v.number;
  };
  std::vector<std::string> enabled_anywhere;
  for (const config::Site& site : cfg.sites) {
    SitePlan plan;
    ok = plan_site(cfg, site, &plan, diags) && ok;
    ok = modules::read_site_options(cfg, modules::builtin_schemas(), site.name, &plan.builtin_site,
                                    diags) &&
         ok;
    out->builtin.needs.add(plan.builtin_site);
    config::ConfigPath path;
    path.site = site.name;
    config::SectionResult runtime =
        config::resolve_section(cfg, schemas, "system.webServer/serverRuntime", path);
    if (runtime.error == config::SectionError::kNone) {
      const config::ResolvedElement& e = *runtime.element;
      plan.upload_read_ahead = static_cast<uint64_t>(
          std::clamp<int64_t>(number(e, "uploadReadAheadSize", 49152), 0, 2147483647));
      plan.url_hits.threshold = static_cast<uint32_t>(
          std::clamp<int64_t>(number(e, "frequentHitThreshold", 2), 1, 2147483647));
      int64_t ticks = number(e, "frequentHitTimePeriod", 100'000'000);  // 100-ns ticks
      plan.url_hits.period_ms = std::max<int64_t>(1, ticks / 10'000);
    } else if (runtime.error == config::SectionError::kInvalidValue) {
      add(diags, Diagnostic::Severity::kError, cfg, 0, runtime.message);
      ok = false;
    }
    std::vector<const PathPlan*> paths = {&plan.at_root};
    for (const PathPlan& p : plan.parts)
      paths.push_back(&p);
    for (const PathPlan* p : paths) {
      out->builtin.needs.add(p->builtin);
      for (const std::string& m : p->modules) {
        if (!contains_ci(enabled_anywhere, m)) enabled_anywhere.push_back(m);
      }
      if (p->max_allowed_content_length_set) out->max_body_size_set = true;
      out->max_body_size = std::max(out->max_body_size, p->limits.max_allowed_content_length);
    }
    out->sites.push_back(std::move(plan));
  }
  // Modules: loaded once for the process, in <globalModules> order; each site enables its own.
  for (const config::GlobalModule& g : cfg.global_modules) {
    if (contains_ci(enabled_anywhere, g.name))
      out->modules.push_back({g.name, config::resolve_path(cfg, g.image)});
  }

  // Listen sockets: one per port for the bindings on any address ("*" takes every address of
  // that port, and a socket on one address of it could not be bound besides), one per
  // address:port otherwise. Sites share sockets; the router tells them apart.
  // An https binding's certificate joins its socket's TLS settings.
  auto push = [&](std::string addr, const io::TlsCertificate* cert) -> bool {
    auto it = std::find(out->listen.begin(), out->listen.end(), addr);
    size_t i = static_cast<size_t>(it - out->listen.begin());
    bool existed = it != out->listen.end();
    if (!existed) {
      out->listen.push_back(addr);
      out->listen_tls.emplace_back();
    }
    io::TlsSettings& tls = out->listen_tls[i];
    if (existed && tls.certificates.empty() != (cert == nullptr)) return false;
    if (cert != nullptr) {
      // Bindings for any host first: the first of them is the default certificate.
      auto pos = cert->names.empty()
                     ? std::find_if(tls.certificates.begin(), tls.certificates.end(),
                                    [](const io::TlsCertificate& c) { return !c.names.empty(); })
                     : tls.certificates.end();
      tls.certificates.insert(pos, *cert);
    }
    return true;
  };
  for (const SitePlan& site : out->sites) {
    for (size_t bi = 0; bi < site.bindings.size(); ++bi) {
      const SiteBinding& b = site.bindings[bi];
      const io::TlsCertificate* cert = nullptr;
      for (const auto& [index, c] : site.tls) {
        if (index == bi) cert = &c;
      }
      bool port_has_any = false;
      for (const SitePlan& other : out->sites) {
        for (const SiteBinding& o : other.bindings)
          port_has_any = port_has_any || (o.port == b.port && o.ip.empty());
      }
      std::string addr = port_has_any
                             ? "0.0.0.0:" + std::to_string(b.port)
                             : (b.ip.find(':') != std::string::npos ? "[" + b.ip + "]" : b.ip) +
                                   ":" + std::to_string(b.port);
      if (!push(addr, cert)) {
        add(diags, Diagnostic::Severity::kError, cfg, 0,
            "site '" + site.name + "': " + addr +
                " has both http and https bindings; a socket speaks one of them");
        ok = false;
      }
    }
  }

  config::SectionResult pools =
      config::resolve_section(cfg, schemas, "system.applicationHost/applicationPools", {});
  if (pools.error == config::SectionError::kNone) {
    if (const config::ResolvedElement* d = pools.element->child("applicationPoolDefaults")) {
      const config::ResolvedAttribute* a = d->attribute("queueLength");
      if (a != nullptr && a->set) {
        out->queue_length_set = true;
        out->queue_length =
            static_cast<uint64_t>(std::max<int64_t>(0, number(*d, "queueLength", 1000)));
      }
    }
  } else if (pools.error == config::SectionError::kInvalidValue) {
    add(diags, Diagnostic::Severity::kError, cfg, 0, pools.message);
    ok = false;
  }

  config::SectionResult status =
      config::resolve_section(cfg, schemas, "system.applicationHost/httpservStatus", {});
  if (status.error == config::SectionError::kNone) {
    if (const config::ResolvedAttribute* a = status.element->attribute("listen")) {
      out->status_listen = a->value;
    }
  }

  const config::CachingSettings& caching = cfg.caching;
  if (caching.max_cache_size_set && caching.max_cache_size_mb > 0) {
    out->fragment_cache_size_set = true;
    out->fragment_cache_size = caching.max_cache_size_mb << 20;
  }
  if (caching.max_response_size_set) {
    out->fragment_max_entry_set = true;
    out->fragment_max_entry = caching.max_response_size;
  }
  ok = modules::read_server_options(cfg, modules::builtin_schemas(), &out->builtin, diags) && ok;
  // The sites' and modules' readers report their errors as diagnostics.
  for (size_t i = first_diag; i < diags->size(); ++i)
    ok = ok && (*diags)[i].severity != Diagnostic::Severity::kError;
  return ok;
}

void apply_static_settings(const SitePlan& plan, core::StaticFileConfig* files) {
  files->root = plan.root;
  files->default_documents = plan.default_documents;
  if (plan.mime_clear) files->mime.clear();
  for (const std::string& ext : plan.mime_remove)
    files->mime.remove(ext);
  for (const auto& [ext, type] : plan.mime_set)
    files->mime.set(ext, type);
}

bool try_load_modules(const std::vector<ModuleSpec>& modules, std::string* error) {
  iis::ModuleRegistry registry;
  iis::HttpServerImpl server;
  server.set_registry(&registry);
  server.set_admin_manager(
      admin::process_admin_manager());  // modules read config in RegisterModule
  bool ok = true;
  for (const ModuleSpec& m : modules) {
    if (!registry.load(m.name, m.image, &server, error)) {
      ok = false;
      break;
    }
  }
  registry.terminate();
  return ok;
}

#ifndef HTTPSERV_SCHEMA_DIR
#define HTTPSERV_SCHEMA_DIR ""
#endif

std::shared_ptr<const admin::Model> load_admin_model(const std::string& config_file,
                                                     std::vector<config::Diagnostic>* diags) {
  std::shared_ptr<const config::Config> cfg;
  std::vector<std::string> dirs;
  if (!config_file.empty()) {
    config::LoadResult r = config::load_config_file(config_file);
    if (r.ok) {
      cfg = std::make_shared<const config::Config>(std::move(r.config));
      dirs.push_back(cfg->base_dir + "/schema");
    } else {
      diags->push_back({Diagnostic::Severity::kWarning, config_file, 0,
                        "cannot read the file again for the configuration API; modules see "
                        "default values"});
    }
  }
  if (std::string installed = HTTPSERV_SCHEMA_DIR; !installed.empty()) {
    std::error_code ec;
    bool same = !dirs.empty() && std::filesystem::equivalent(dirs[0], installed, ec);
    if (!same) dirs.push_back(installed);
  }
  return admin::make_model(std::move(cfg), dirs, diags);
}

}  // namespace hs::server
