#include "server/iis_setup.h"

#include <unistd.h>

#include <algorithm>

#include "admin/admin_manager.h"
#include "base/log.h"
#include "http/headers.h"
#include "iis/metadata_info.h"
#include "iis/wide.h"

#ifndef HTTPSERV_MODULE_DIR
#define HTTPSERV_MODULE_DIR ""
#endif

namespace hs::server {

IisStack::~IisStack() {
  router.reset();
  handler = nullptr;
  sites.clear();
  registry.terminate();
}

http::Handler* IisStack::entry() const {
  if (router) return router.get();
  return front;
}

size_t IisStack::live_requests() const {
  size_t n = 0;
  for (const auto& s : sites)
    n += s->handler->live_requests();
  return n;
}

namespace {

iis::IisHandler::PathSettings path_settings(const std::vector<ModuleSpec>& modules,
                                            const iis::ModuleRegistry& registry,
                                            modules::Runtime& runtime,
                                            const modules::SiteOptions& site, PathSpec spec) {
  auto enabled = [&](const std::string& name) {
    return spec.all_modules || std::any_of(spec.modules.begin(), spec.modules.end(),
                                           [&](const std::string& n) { return n == name; });
  };
  iis::IisHandler::PathSettings out;
  out.prefix = std::move(spec.prefix);
  out.mappings = std::move(spec.mappings);
  out.limits = spec.limits;
  out.builtin = runtime.make_path_config(site, spec.builtin, out.prefix);
  if (spec.add_catch_all) {
    iis::HandlerMapping all;
    all.name = "catch-all";
    all.path = "*";
    // Modules no explicit mapping routes (the --module quick start) handle every request.
    for (const ModuleSpec& m : modules) {
      bool mapped =
          std::any_of(out.mappings.begin(), out.mappings.end(), [&](const iis::HandlerMapping& h) {
            return std::find(h.modules.begin(), h.modules.end(), m.name) != h.modules.end();
          });
      if (!mapped && enabled(m.name)) all.modules.push_back(m.name);
    }
    all.modules.emplace_back(iis::kStaticFileModule);
    // It ends in the static file handler, so it reports that handler's access and resource type.
    all.resource_type = 2;   // Either
    all.require_access = 1;  // Read
    out.mappings.push_back(std::move(all));
  }
  if (!spec.all_modules) {
    for (const auto& reg : registry.modules())
      out.enabled.push_back(enabled(reg->name));
  }
  out.direct_static = direct_static_allowed(out, registry);
  return out;
}

}  // namespace

bool build_iis_stack(const std::vector<ModuleSpec>& modules, std::vector<SiteSpec> sites,
                     IisStack* out, std::string* error, modules::ServerOptions builtin) {
  out->server.set_registry(&out->registry);
  // Modules read their configuration as early as RegisterModule (StripHeaders does).
  out->server.set_admin_manager(admin::process_admin_manager());
  // The built-in modules first: within a priority, load order is pipeline order, and request
  // filtering must see a request before any native module does.
  out->runtime = std::make_unique<modules::Runtime>(std::move(builtin));
  if (!out->runtime->register_builtins(out->registry, &out->server, error)) return false;
  for (const ModuleSpec& m : modules) {
    if (!out->registry.load(m.name, m.image, &out->server, error)) return false;
    HS_LOG_INFO("loaded module %s from %s", m.name.c_str(), m.image.c_str());
  }
  out->registry.freeze();
  bool routed = sites.size() > 1;
  for (const SiteSpec& site : sites) {
    for (const SiteBinding& b : site.bindings)
      routed = routed || !b.host.empty();
  }
  if (routed) out->router = std::make_unique<SiteRouter>();
  for (SiteSpec& site : sites) {
    auto st = std::make_unique<SiteStack>();
    site.files.only_known_types = true;  // IIS's StaticFileModule: 404.3 for unmapped extensions
    st->files = std::make_unique<core::StaticFileHandler>(site.files);
    if (!st->files->ok()) {
      *error = "site '" + site.name + "': " + st->files->error();
      return false;
    }
    st->handler = std::make_unique<iis::IisHandler>(
        out->registry, out->server, std::vector<iis::HandlerMapping>{}, st->files.get());
    st->handler->set_site(site.id, site.name, site.files.root);
    for (auto& [prefix, physical] : site.virtual_directories) {
      core::StaticFileConfig vf = site.files;
      vf.root = physical;
      auto files = std::make_unique<core::StaticFileHandler>(vf);
      if (!files->ok()) {
        *error = "site '" + site.name + "', virtual directory '" + prefix + "': " + files->error();
        return false;
      }
      st->handler->add_virtual_directory({prefix, physical, files.get()});
      st->vdir_files.push_back(std::move(files));
    }
    st->handler->set_fragment_cache(&out->server.fragment_cache());
    if (site.upload_read_ahead) st->handler->set_upload_read_ahead(*site.upload_read_ahead);
    st->handler->set_url_hit_settings(site.url_hits);
    site.builtin_site.id = site.id;
    site.builtin_site.name = site.name;
    site.builtin_site.root = site.files.root;
    st->handler->root_settings() = path_settings(modules, out->registry, *out->runtime,
                                                 site.builtin_site, std::move(site.root));
    for (PathSpec& part : site.parts) {
      st->handler->add_path_settings(
          path_settings(modules, out->registry, *out->runtime, site.builtin_site, std::move(part)));
    }
    st->direct = std::make_unique<DirectStatic>(*st->handler, *st->files);
    if (out->router) out->router->add_site(site.bindings, st->direct.get());
    if (out->handler == nullptr) {
      out->handler = st->handler.get();
      out->front = st->direct.get();
    }
    out->sites.push_back(std::move(st));
  }
  out->runtime->start();  // the access logs' flusher
  // IHttpServer2::GetMetadata(site, url): the site by name (case-insensitively, as IIS); the URL
  // is a decoded path ("" is the site root).
  out->server.set_metadata_resolver(
      [out](std::wstring_view site, std::wstring_view url) -> IReferencedMetadataInfo* {
        const std::string name = iis::narrow(site);
        for (const auto& st : out->sites) {
          if (!http::iequals(iis::narrow(st->handler->site().GetSiteName()), name)) continue;
          std::string path = iis::narrow(url);
          if (path.empty() || path[0] != '/') path.insert(0, "/");
          return iis::metadata_for(*st->handler, path);
        }
        return nullptr;
      });
  return true;
}

bool build_iis_stack(const std::vector<ModuleSpec>& modules,
                     std::vector<iis::HandlerMapping> mappings, const core::StaticFileConfig& files,
                     IisStack* out, std::string* error, bool add_catch_all) {
  std::vector<SiteSpec> sites(1);
  sites[0].files = files;
  sites[0].root.mappings = std::move(mappings);
  sites[0].root.add_catch_all = add_catch_all;
  return build_iis_stack(modules, std::move(sites), out, error);
}

modules::PathOptions default_builtin_options() {
  modules::PathOptions out;
  std::vector<config::Diagnostic> diags;  // IIS's own defaults: nothing to report
  config::ConfigPath path;
  path.site = "Default Web Site";
  modules::read_path_options(modules::empty_config(), modules::builtin_schemas(), path, &out,
                             &diags);
  return out;
}

modules::ServerOptions default_builtin_server_options() {
  modules::ServerOptions out;
  std::vector<config::Diagnostic> diags;  // IIS's own defaults: nothing to report
  modules::read_server_options(modules::empty_config(), modules::builtin_schemas(), &out, &diags);
  return out;
}

std::vector<ModuleSpec> default_sample_modules(std::vector<iis::HandlerMapping>* mappings) {
  std::string dir = HTTPSERV_MODULE_DIR;
  struct Sample {
    const char* name;
    const char* file;
    const char* path;  // handler-mapping path, or null for a module that is not a handler
  };
  static const Sample kSamples[] = {
      {"HelloModule", "hello.so", "hello"},    {"EchoModule", "echo.so", "echo"},
      {"StreamModule", "stream.so", "stream"}, {"AsyncModule", "async.so", "async"},
      {"SleepModule", "sleep.so", "sleep"},    {"HeaderFilterModule", "header_filter.so", nullptr},
  };
  std::vector<ModuleSpec> out;
  if (dir.empty()) return out;
  for (const Sample& s : kSamples) {
    std::string image = dir + "/" + s.file;
    if (access(image.c_str(), R_OK) != 0) continue;
    out.push_back({s.name, image});
    if (s.path != nullptr) {
      iis::HandlerMapping m;
      m.name = std::string(s.name) + "Handler";
      m.path = s.path;
      m.modules = {s.name};
      mappings->push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace hs::server
