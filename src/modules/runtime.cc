#include "modules/runtime.h"

#include "iis/request_context.h"
#include "modules/request_filtering.h"

namespace hs::modules {
namespace {

struct Builtin {
  std::string_view name;
  PFN_REGISTERMODULE register_module;
  bool (*needed)(const ServerOptions&);
};

bool always(const ServerOptions&) {
  return true;
}

// Registration order is pipeline order within a priority (load order breaks ties).
const Builtin kBuiltins[] = {
    {kRequestFilteringModule, register_request_filtering, always},
};

constexpr std::string_view kNames[] = {kRequestFilteringModule};
static_assert(std::size(kNames) == std::size(kBuiltins));

const Runtime* g_registering = nullptr;

}  // namespace

std::span<const std::string_view> builtin_module_names() {
  return kNames;
}

const PathConfig& path_config(const iis::HttpContextImpl& ctx) {
  static const PathConfig defaults;
  const iis::BuiltinSettings* b = ctx.path_settings().builtin.get();
  return b != nullptr ? static_cast<const PathConfig&>(*b) : defaults;
}

Runtime::Runtime(ServerOptions options) : options_(std::move(options)) {}

Runtime::~Runtime() = default;

const Runtime* Runtime::registering() {
  return g_registering;
}

bool Runtime::register_builtins(iis::ModuleRegistry& registry, IHttpServer* server,
                                std::string* error) {
  g_registering = this;
  bool ok = true;
  for (const Builtin& b : kBuiltins) {
    if (!b.needed(options_)) continue;
    if (!registry.add_builtin(b.name, b.register_module, server, error)) {
      ok = false;
      break;
    }
  }
  g_registering = nullptr;
  return ok;
}

std::shared_ptr<const PathConfig> Runtime::make_path_config(const PathOptions& options) {
  auto c = std::make_shared<PathConfig>();
  c->options = options;
  c->runtime = this;
  return c;
}

}  // namespace hs::modules
