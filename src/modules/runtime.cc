#include "modules/runtime.h"

#include <unistd.h>

#include "iis/request_context.h"
#include "modules/http_logging.h"
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
bool logging(const ServerOptions& o) {
  return o.needs.logging || !o.access_log.empty();
}

// Registration order is pipeline order within a priority (load order breaks ties).
const Builtin kBuiltins[] = {
    {kRequestFilteringModule, register_request_filtering, always},
    {kHttpLoggingModule, register_http_logging, logging},
};

constexpr std::string_view kNames[] = {kRequestFilteringModule, kHttpLoggingModule};
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

Runtime::Runtime(ServerOptions options) : options_(std::move(options)) {
  char host[256] = {};
  computer_name_ = gethostname(host, sizeof host - 1) == 0 ? host : "-";
}

Runtime::~Runtime() {
  stop();
}

void Runtime::start() {
  log_writer_.start();
}

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

std::shared_ptr<const PathConfig> Runtime::make_path_config(const SiteOptions& site,
                                                            const PathOptions& options) {
  auto c = std::make_shared<PathConfig>();
  c->options = options;
  c->runtime = this;
  for (const auto& [id, log] : site_logs_) {
    if (id == site.id) c->log = log;
  }
  if (c->log == nullptr && (site.log.enabled || !options_.access_log.empty())) {
    auto log = std::make_shared<SiteLog>();
    LogFileSpec spec;
    spec.software = options_.software;
    spec.utf8 = options_.log_in_utf8;
    if (!options_.access_log.empty()) {
      // --access-log: exactly that file for every site, IIS's default fields (and the site,
      // when several share it).
      spec.path = options_.access_log;
      spec.period = LogPeriod::kNone;
      log->flags = kDefaultLogFlags | (options_.several_sites ? uint32_t{kLogSiteName} : 0u);
    } else {
      spec.directory = site.log.directory;
      spec.site_id = site.id;
      spec.period = static_cast<LogPeriod>(site.log.period);
      spec.truncate_size = site.log.truncate_size;
      spec.local_time_rollover = site.log.local_time_rollover;
      spec.custom_fields = !site.log.custom_fields.empty();
      log->flags = site.log.flags;
      log->custom_fields = site.log.custom_fields;
      log->max_custom_field_length = site.log.max_custom_field_length;
    }
    log->site_name = site.log.log_site_id || !options_.access_log.empty()
                         ? "W3SVC" + std::to_string(site.id)
                         : site.name;
    spec.fields = w3c_fields(log->flags, log->custom_fields);
    log->file = log_writer_.add_file(std::move(spec));
    site_logs_.emplace_back(site.id, log);
    c->log = std::move(log);
  }
  return c;
}

}  // namespace hs::modules
