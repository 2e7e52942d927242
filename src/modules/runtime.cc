#include "modules/runtime.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "iis/request_context.h"
#include "modules/custom_errors.h"
#include "modules/directory_listing.h"
#include "modules/http_logging.h"
#include "modules/http_redirect.h"
#include "modules/protocol_support.h"
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
bool protocol(const ServerOptions& o) {
  return o.needs.protocol;
}
bool redirect(const ServerOptions& o) {
  return o.needs.redirect;
}
bool browse(const ServerOptions& o) {
  return o.needs.browse;
}

// Registration order is pipeline order within a priority (load order breaks ties).
const Builtin kBuiltins[] = {
    {kRequestFilteringModule, register_request_filtering, always},
    {kHttpRedirectionModule, register_http_redirection, redirect},
    {kHttpLoggingModule, register_http_logging, logging},
    {kProtocolSupportModule, register_protocol_support, protocol},
    // Before CustomErrorModule: within their shared RQ_SEND_RESPONSE priority the order is
    // reversed, so they compress the error page it makes.
    {kStaticCompressionModule, register_static_compression, always},
    {kDynamicCompressionModule, register_dynamic_compression, always},
    {kCustomErrorModule, register_custom_errors, always},
    // After CustomErrorModule: it runs before it in RQ_SEND_RESPONSE and turns a 403.14 into
    // the listing first.
    {kDirectoryListingModule, register_directory_listing, browse},
};

constexpr std::string_view kNames[] = {kRequestFilteringModule,  kHttpRedirectionModule,
                                       kHttpLoggingModule,       kProtocolSupportModule,
                                       kStaticCompressionModule, kDynamicCompressionModule,
                                       kCustomErrorModule,       kDirectoryListingModule};
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

std::shared_ptr<const std::string> Runtime::read_page(const std::string& path, bool warn) {
  constexpr uint64_t kMaxPage = 1u << 20;
  auto fail = [&](const char* why) -> std::shared_ptr<const std::string> {
    if (!warn) return nullptr;
    std::lock_guard<std::mutex> lock(pages_mu_);
    if (page_warned_.insert(path).second) {
      HS_LOG_WARN("custom error page %s: %s; the built-in page is sent instead", path.c_str(), why);
    }
    return nullptr;
  };
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return fail("not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxPage) {
    close(fd);
    return fail("larger than 1 MiB");
  }
  int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  {
    std::lock_guard<std::mutex> lock(pages_mu_);
    auto it = pages_.find(path);
    if (it != pages_.end() && it->second.mtime_ns == mtime &&
        it->second.size == static_cast<uint64_t>(st.st_size)) {
      close(fd);
      return it->second.text;
    }
  }
  auto text = std::make_shared<std::string>(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < text->size()) {
    ssize_t n = read(fd, text->data() + got, text->size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  close(fd);
  text->resize(got);
  std::lock_guard<std::mutex> lock(pages_mu_);
  pages_[path] = Page{mtime, static_cast<uint64_t>(st.st_size), text};
  return text;
}

CompressedFiles* Runtime::compressed_files() {
  std::call_once(compressed_once_, [this] {
    auto files = std::make_unique<CompressedFiles>(options_.compression);
    if (files->ok()) compressed_ = std::move(files);
  });
  return compressed_.get();
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
    // Inline: their calls are short; each opens a region itself around what may block.
    if (!registry.add_builtin(b.name, b.register_module, server, error, true)) {
      ok = false;
      break;
    }
  }
  g_registering = nullptr;
  return ok;
}

std::shared_ptr<const PathConfig> Runtime::make_path_config(const SiteOptions& site,
                                                            const PathOptions& options,
                                                            std::string_view prefix) {
  auto c = std::make_shared<PathConfig>();
  c->options = options;
  c->runtime = this;
  c->site_root = site.root;
  c->prefix = std::string(prefix);
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
