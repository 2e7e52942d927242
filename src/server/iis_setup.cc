#include "server/iis_setup.h"

#include <unistd.h>

#include <algorithm>

#include "base/log.h"

#ifndef HTTPSERV_MODULE_DIR
#define HTTPSERV_MODULE_DIR ""
#endif

namespace hs::server {

IisStack::~IisStack() {
  handler.reset();
  registry.terminate();
}

bool build_iis_stack(const std::vector<ModuleSpec>& modules,
                     std::vector<iis::HandlerMapping> mappings, const core::StaticFileConfig& files,
                     IisStack* out, std::string* error, bool add_catch_all) {
  out->server.set_registry(&out->registry);
  for (const ModuleSpec& m : modules) {
    if (!out->registry.load(m.name, m.image, &out->server, error)) return false;
    HS_LOG_INFO("loaded module %s from %s", m.name.c_str(), m.image.c_str());
  }
  out->registry.freeze();
  out->files = std::make_unique<core::StaticFileHandler>(files);
  if (!out->files->ok()) {
    *error = out->files->error();
    return false;
  }
  if (!add_catch_all) {
    out->handler = std::make_unique<iis::IisHandler>(out->registry, out->server,
                                                     std::move(mappings), out->files.get());
    out->handler->set_site(1, "Default Web Site", files.root);
    out->handler->set_fragment_cache(&out->server.fragment_cache());
    return true;
  }
  iis::HandlerMapping all;
  all.name = "catch-all";
  all.path = "*";
  // Modules no explicit mapping routes (the --module quick start) handle every request.
  for (const ModuleSpec& m : modules) {
    bool mapped = std::any_of(mappings.begin(), mappings.end(), [&](const iis::HandlerMapping& h) {
      return std::find(h.modules.begin(), h.modules.end(), m.name) != h.modules.end();
    });
    if (!mapped) all.modules.push_back(m.name);
  }
  all.modules.emplace_back(iis::kStaticFileModule);
  mappings.push_back(std::move(all));
  out->handler = std::make_unique<iis::IisHandler>(out->registry, out->server, std::move(mappings),
                                                   out->files.get());
  out->handler->set_site(1, "Default Web Site", files.root);
  out->handler->set_fragment_cache(&out->server.fragment_cache());
  return true;
}

std::vector<ModuleSpec> default_sample_modules(std::vector<iis::HandlerMapping>* mappings) {
  std::string dir = HTTPSERV_MODULE_DIR;
  struct Sample {
    const char* name;
    const char* file;
    const char* path;  // handler-mapping path, or null for a module that is not a handler
  };
  static const Sample kSamples[] = {
      {"HelloModule", "hello.so", "hello"},
      {"EchoModule", "echo.so", "echo"},
      {"StreamModule", "stream.so", "stream"},
      {"AsyncModule", "async.so", "async"},
      {"HeaderFilterModule", "header_filter.so", nullptr},
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
