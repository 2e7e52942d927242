#pragma once
// Command-line options of the httpserv binary.
#include <cstdint>
#include <string>
#include <vector>

#include "base/log.h"
#include "server/iis_setup.h"
#include "server/server.h"

namespace hs::server {

struct Options {
  bool help = false;
  bool test_config = false;
  std::string config_file;
  std::string root;                 // empty: the embedded default site
  std::vector<std::string> listen;  // empty: 127.0.0.1:8080
  int workers = 0;                  // 0: one per core
  LogLevel log_level = LogLevel::kInfo;
  std::vector<ModuleSpec> modules;  // --module NAME=PATH.so, in order
  ServerConfig server;              // limits and timeouts filled from the options
};

std::string usage();
// Parses argv. Returns false with a message in *error for unknown options or bad values.
bool parse_options(int argc, char** argv, Options* out, std::string* error);
// Builds the ServerConfig (addresses, root, workers) from parsed options; false + *error if a
// value is unusable (e.g. an address that does not parse, a root that is not a directory).
bool resolve_options(Options& opts, std::string* error);

}  // namespace hs::server
