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

// <httpLogging> (HttpLoggingModule): whether this part's requests are logged.
struct HttpLoggingOptions {
  bool dont_log = false;
  enum class Selective {
    kLogAll = 0,
    kLogSuccessful = 1,
    kLogError = 2
  } selective = Selective::kLogAll;
};

// <httpErrors> (CustomErrorModule).
struct ErrorsOptions {
  enum class Mode {
    kDetailedLocalOnly = 0,
    kCustom = 1,
    kDetailed = 2
  } mode = Mode::kDetailedLocalOnly;
  enum class Existing { kAuto = 0, kReplace = 1, kPassThrough = 2 } existing = Existing::kAuto;
  enum ResponseMode { kFile = 0, kExecuteUrl = 1, kRedirect = 2 };
  std::string default_path;
  int default_mode = kFile;
  std::string more_information_link = "https://go.microsoft.com/fwlink/?LinkID=62293";
  struct Entry {
    unsigned status = 0;
    int substatus = -1;  // -1: every sub-status
    std::string prefix_language_path;
    std::string path;
    int mode = kFile;
  };
  std::vector<Entry> entries;
};

// <urlCompression> (per location): whether the compression modules act here.
struct UrlCompressionOptions {
  bool static_compression = true;
  bool dynamic_compression = true;
};

// <httpProtocol> and <staticContent><clientCache> (ProtocolSupportModule).
struct ProtocolOptions {
  bool allow_keep_alive = true;
  std::vector<std::pair<std::string, std::string>> custom_headers;    // every response
  std::vector<std::pair<std::string, std::string>> redirect_headers;  // 3xx responses
  enum class CacheMode { kNoControl = 0, kDisableCache = 1, kUseMaxAge = 2, kUseExpires = 3 };
  CacheMode cache_mode = CacheMode::kNoControl;
  int64_t max_age_s = 86400;
  std::string http_expires;
  std::string cache_control_custom;
  bool set_etag = true;
  bool any() const {
    return !allow_keep_alive || !custom_headers.empty() || !redirect_headers.empty() ||
           cache_mode != CacheMode::kNoControl || !cache_control_custom.empty() || !set_etag;
  }
};

// <httpRedirect> (HttpRedirectionModule).
struct RedirectOptions {
  bool enabled = false;
  std::string destination;
  bool exact_destination = false;
  bool child_only = false;
  unsigned status = 302;
  std::vector<std::pair<std::string, std::string>> wildcards;  // wildcard, destination
};

// <directoryBrowse> (DirectoryListingModule).
struct BrowseOptions {
  bool enabled = false;
  uint32_t show_flags = 2 | 4 | 8 | 16;  // Date, Time, Size, Extension (LongDate 32)
};

struct PathOptions {
  FilteringOptions filtering;
  HttpLoggingOptions logging;
  ErrorsOptions errors;
  UrlCompressionOptions compression;
  ProtocolOptions protocol;
  RedirectOptions redirect;
  BrowseOptions browse;
};

// <httpCompression> (server-wide, as IIS's AppHostOnly): schemes, types, the disk cache.
struct CompressionOptions {
  std::string directory;  // "" = the server's default (docs/operations.md)
  bool limit_disk_space = true;
  uint64_t max_disk_bytes = 100ull << 20;
  uint64_t min_file_size = 2700;
  bool no_http10 = true;
  bool no_proxies = true;
  bool no_range = true;
  bool send_cache_headers = false;
  std::string cache_control_header = "max-age=86400";
  std::string expires_header = "Wed, 01 Jan 1997 12:00:00 GMT";
  bool ignore_hit_frequency = true;  // IIS's default is false: compress from the first request
  struct Scheme {
    std::string name;  // "br", "gzip", "deflate"
    bool do_static = true, do_dynamic = true;
    unsigned static_level = 7, dynamic_level = 0;
  };
  std::vector<Scheme> schemes;  // server preference order
  struct Type {
    std::string pattern;  // "text/*", "*/*", "application/json" (lower case)
    bool enabled = false;
  };
  std::vector<Type> static_types, dynamic_types;
};

// IIS's logExtFileFlags bits (MD_EXTLOG_*), which choose the W3C fields.
enum LogFlag : uint32_t {
  kLogDate = 1,
  kLogTime = 2,
  kLogClientIp = 4,
  kLogUserName = 8,
  kLogSiteName = 16,
  kLogComputerName = 32,
  kLogServerIp = 64,
  kLogMethod = 128,
  kLogUriStem = 256,
  kLogUriQuery = 512,
  kLogHttpStatus = 1024,
  kLogWin32Status = 2048,
  kLogBytesSent = 4096,
  kLogBytesRecv = 8192,
  kLogTimeTaken = 16384,
  kLogServerPort = 32768,
  kLogUserAgent = 65536,
  kLogCookie = 131072,
  kLogReferer = 262144,
  kLogProtocolVersion = 524288,
  kLogHost = 1048576,
  kLogHttpSubStatus = 2097152,
};
// IIS 10's default set: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username
// c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken.
inline constexpr uint32_t kDefaultLogFlags =
    kLogDate | kLogTime | kLogClientIp | kLogUserName | kLogServerIp | kLogMethod | kLogUriStem |
    kLogUriQuery | kLogHttpStatus | kLogWin32Status | kLogTimeTaken | kLogServerPort |
    kLogUserAgent | kLogReferer | kLogHttpSubStatus;

// A site's <logFile> (over <siteDefaults><logFile>), or the command line's --access-log.
struct SiteLogOptions {
  bool enabled = false;   // a <logFile> is configured (and enabled, W3C) or --access-log
  std::string path;       // --access-log: exactly this file, no rollover
  std::string directory;  // resolved against the configuration file's directory
  int period = 1;         // LogPeriod: MaxSize 0, Daily 1, Weekly 2, Monthly 3, Hourly 4
  uint64_t truncate_size = 20971520;
  bool local_time_rollover = false;
  uint32_t flags = kDefaultLogFlags;
  bool log_site_id = true;  // s-sitename is W3SVC<id> (else the site's name)
  uint32_t max_custom_field_length = 4096;
  struct CustomField {
    std::string name;    // the #Fields header
    std::string source;  // header or server variable name
    int type = 0;        // RequestHeader 0, ResponseHeader 1, ServerVariable 2
  };
  std::vector<CustomField> custom_fields;
};

struct SiteOptions {
  uint32_t id = 1;
  std::string name = "Default Web Site";
  std::string root;  // the site's root directory (custom error files relative to it)
  SiteLogOptions log;
};

// What the configuration turns on anywhere, so that a module nothing needs is not registered
// (its notifications would cost every request something) — ServerOptions keeps the union.
struct Needs {
  bool remove_server_header = false;
  bool logging = false;  // some site logs
  bool protocol = false;
  bool redirect = false;
  bool browse = false;
  void add(const PathOptions& p);
  void add(const SiteOptions& s);
};

struct ServerOptions {
  Needs needs;
  CompressionOptions compression;
  std::string software = "httpserv";  // the access logs' #Software directive
  bool log_in_utf8 = true;            // <system.applicationHost><log logInUTF8>: "u_" names
  // --access-log FILE: every site logs there (exactly that file; IIS's default fields, and
  // s-sitename when there are several sites).
  std::string access_log;
  bool several_sites = false;
};

// Reads the path's sections. Errors (a value its schema refuses, a duplicate collection key)
// and warnings are appended as file:line diagnostics; false if there was an error.
bool read_path_options(const config::Config& cfg, const config::SchemaSet& schemas,
                       const config::ConfigPath& path, PathOptions* out,
                       std::vector<config::Diagnostic>* diags);

// Reads the site's <logFile> (its own over <siteDefaults>'s) and the server-wide <log>.
bool read_site_options(const config::Config& cfg, const config::SchemaSet& schemas,
                       std::string_view site_name, SiteOptions* out,
                       std::vector<config::Diagnostic>* diags);
bool read_server_options(const config::Config& cfg, const config::SchemaSet& schemas,
                         ServerOptions* out, std::vector<config::Diagnostic>* diags);

// A Config with no content (the command line without --config): every section at its defaults,
// IIS's shipped defaults included.
const config::Config& empty_config();
// The built-in schema (config::add_builtin_schema), made once.
const config::SchemaSet& builtin_schemas();

}  // namespace hs::modules
