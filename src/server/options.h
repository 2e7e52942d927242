#pragma once
// Command-line options of the httpserv binary.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/log.h"
#include "server/iis_setup.h"
#include "server/server.h"

namespace hs::server {

struct Options {
  bool help = false;
  bool test_config = false;
  bool no_supervisor = false;  // --no-supervisor: no parent process (server/supervisor.h)
  std::string config_file;
  std::string root;                     // empty: the embedded default site
  std::vector<std::string> listen;      // empty: 127.0.0.1:8080 (unless listen_tls is given)
  std::vector<std::string> listen_tls;  // --listen-tls ADDR:PORT
  std::vector<std::string> listen_h2c;  // --listen-h2c ADDR:PORT (HTTP/2 prior knowledge only)
  // --tls-cert FILE / --tls-key FILE, in pairs; the first is the default certificate, the others
  // are chosen by SNI (the names in each certificate).
  std::vector<std::pair<std::string, std::string>> tls_certs;
  std::string tls_client_certs = "ignore";  // --tls-client-certs ignore|accept|require
  std::string tls_client_ca;                // --tls-client-ca FILE
  int workers = 0;                          // 0: one per core
  LogLevel log_level = LogLevel::kInfo;
  LogFormat log_format = LogFormat::kText;  // --log-format text|json
  // --status-listen ADDR:PORT, or <system.applicationHost><httpservStatus listen> (the command
  // line wins): the status listener (server/status.h). Empty: none. Resolved into
  // status_address by resolve_options.
  std::string status_listen;
  bool status_listen_from_config = false;
  std::optional<io::SocketAddress> status_address;
  const Listeners* status_inherited = nullptr;  // its socket, bound by the supervisor
  std::vector<ModuleSpec> modules;              // --module NAME=PATH.so, in order
  // IIS layer limits (docs/response-body.md).
  uint64_t fragment_cache_size = iis::FragmentCache::kDefaultCapacity;
  uint64_t fragment_max_entry = iis::FragmentCache::kDefaultMaxEntry;
  uint64_t max_response_backlog = iis::IisHandler::kDefaultMaxResponseBacklog;
  bool fragment_cache_size_set = false;  // given on the command line (overrides <caching>)
  bool fragment_max_entry_set = false;
  ServerConfig server;             // limits and timeouts filled from the options
  bool max_body_size_set = false;  // --max-body-size given (overrides the configuration)
  // --request-timeout: how long an IIS module may keep a request PENDING with no completion.
  int64_t request_timeout_ms = 120'000;
  // The execution model (ARCHITECTURE.md, "Threading model").
  int max_threads = 256;  // --max-threads: module threads blocked at once
  size_t queue_length = iis::IisHandler::kDefaultQueueLength;  // --queue-length
  bool queue_length_set = false;
  int64_t handoff_ms = 2;                                               // --handoff-ms
  size_t upload_read_ahead = iis::IisHandler::kDefaultUploadReadAhead;  // --upload-read-ahead
  bool upload_read_ahead_set = false;
  // From --config (resolve_options): the sites, each with its static settings applied to a copy
  // of server.static_files. Empty without --config (main builds the one default site).
  std::vector<SiteSpec> sites;
  // --access-log FILE (absolute once resolved): the access log for every site.
  std::string access_log;
  // The built-in modules' server-wide settings: from --config, else IIS's defaults (main).
  modules::ServerOptions builtin;
  bool builtin_set = false;
  // Set by the supervisor for a server process started by SIGHUP: GL_CONFIGURATION_CHANGE is
  // raised once at its start.
  bool reloaded = false;
};

std::string usage();
// Parses argv. Returns false with a message in *error for unknown options or bad values.
bool parse_options(int argc, char** argv, Options* out, std::string* error);
// Builds the ServerConfig (addresses, root, workers) from parsed options; false + *error if a
// value is unusable (e.g. an address that does not parse, a root that is not a directory).
// With --config, loads the file (config_loader.h), prints its diagnostics to stderr, and takes
// listen addresses, root, modules, mappings and static settings from it; --listen, --root and
// --max-body-size override the file. A configuration with errors gives false.
bool resolve_options(Options& opts, std::string* error);

}  // namespace hs::server
