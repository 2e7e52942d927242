#pragma once
// Builds the IIS module pipeline for the server: loads modules, resolves handler mappings and
// puts the static-file handler behind the built-in StaticFileModule.
#include <memory>
#include <string>
#include <vector>

#include "core/static_file_handler.h"
#include "iis/http_server_impl.h"
#include "iis/iis_handler.h"
#include "iis/module_registry.h"

namespace hs::server {

struct ModuleSpec {
  std::string name;
  std::string image;
};

// Everything the pipeline needs, kept alive for the server's lifetime. Members are destroyed in
// reverse order: the handler first, the registry (which Terminate()s and unloads modules) last.
struct IisStack {
  iis::ModuleRegistry registry;
  iis::HttpServerImpl server;
  std::unique_ptr<core::StaticFileHandler> files;
  std::unique_ptr<iis::IisHandler> handler;
  ~IisStack();
};

// Loads `modules` in order and builds the handler. `mappings` are tried first; with
// `add_catch_all`, a final catch-all mapping ("*") names every loaded module that no mapping
// routes, then StaticFileModule, so that `--module` enables a module for every request. Without
// it (a configuration file's <handlers>), a request no mapping matches gets 404. False with
// *error naming the module and image on failure.
bool build_iis_stack(const std::vector<ModuleSpec>& modules,
                     std::vector<iis::HandlerMapping> mappings, const core::StaticFileConfig& files,
                     IisStack* out, std::string* error, bool add_catch_all = true);

// The sample modules the embedded default site mounts (/hello, /echo, /stream, /async and the
// header filter), if they were built next to the server. Empty when they are missing.
std::vector<ModuleSpec> default_sample_modules(std::vector<iis::HandlerMapping>* mappings);

}  // namespace hs::server
