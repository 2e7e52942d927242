#pragma once
// The built-in modules' settings, read from the configuration the IIS way: each module's
// section (IIS's element and attribute names and defaults, the IIS schema of src/config/schema.cc,
// IIS's shipped defaults of config::server_defaults()) resolved at a configuration path with
// config::resolve_section. Plain data: built in the supervising process before it forks, so it
// holds no descriptor, thread or lock (modules/runtime.h makes those in the server process).
//
// Three scopes, as in IIS:
//   PathOptions   — per <location> (site root or a path below it): system.webServer sections
//                   that IIS lets a web.config set (requestFiltering, httpErrors, httpLogging,
//                   urlCompression, httpProtocol, httpRedirect, directoryBrowse, clientCache);
//   SiteOptions   — per <site>: its <logFile> over <siteDefaults><logFile>;
//   ServerOptions — once: httpCompression (AppHostOnly) and the command line's additions.
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/schema.h"
#include "config/sections.h"

namespace hs::modules {

// <security><requestFiltering> (RequestFilteringModule). Strings compare ASCII
// case-insensitively; they are stored lower-cased.
struct FilteringOptions {
  bool allow_double_escaping = false;
  bool unescape_query_string = true;
  bool remove_server_header = false;
  bool extensions_allow_unlisted = true;
  struct Extension {
    std::string ext;  // ".config"; "." = no extension
    bool allowed = true;
  };
  std::vector<Extension> extensions;  // sorted by ext
  bool verbs_allow_unlisted = true;
  struct Verb {
    std::string verb;  // as configured (verbs compare case-sensitively, like HTTP methods)
    bool allowed = true;
  };
  std::vector<Verb> verbs;
  std::vector<std::string> hidden_segments;
  std::vector<std::string> deny_url_sequences;
  std::vector<std::string> deny_query_sequences;
  std::vector<std::string> always_allowed_urls;
  std::vector<std::string> always_allowed_query_strings;
  struct HeaderLimit {
    std::string header;
    uint64_t size_limit = 0;
  };
  std::vector<HeaderLimit> header_limits;
  struct Rule {
    std::string name;
    bool scan_url = false, scan_query = false, scan_all_raw = false;
    std::vector<std::string> scan_headers;
    std::vector<std::string> applies_to;  // extensions (".asp"); empty = every request
    std::vector<std::string> deny_strings;
  };
  std::vector<Rule> rules;
};

struct PathOptions {
  FilteringOptions filtering;
};

// What the configuration turns on anywhere, so that a module nothing needs is not registered
// (its notifications would cost every request something) — ServerOptions keeps the union.
struct Needs {
  bool remove_server_header = false;
  void add(const PathOptions& p);
};

struct ServerOptions {
  Needs needs;
};

// Reads the path's sections. Errors (a value its schema refuses, a duplicate collection key)
// and warnings are appended as file:line diagnostics; false if there was an error.
bool read_path_options(const config::Config& cfg, const config::SchemaSet& schemas,
                       const config::ConfigPath& path, PathOptions* out,
                       std::vector<config::Diagnostic>* diags);

// A Config with no content (the command line without --config): every section at its defaults,
// IIS's shipped defaults included.
const config::Config& empty_config();
// The built-in schema (config::add_builtin_schema), made once.
const config::SchemaSet& builtin_schemas();

}  // namespace hs::modules
