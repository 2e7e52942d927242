#pragma once

// The configuration file: an applicationHost.config-style XML file (IIS schema) parsed into an
// immutable, typed Config. Pure: no sockets, no server objects, no file access except
// load_config_file() reading the one file. docs/configuration.md lists every element and
// attribute read, with types, defaults and ranges.
//
// Diagnostics: every problem found becomes a Diagnostic naming the file and the 1-based line of
// the element (or of the attribute, when the problem is an attribute's value). Errors make the
// load fail (LoadResult::ok == false); warnings (unknown elements and attributes, which are
// skipped so that real IIS files load, unsupported binding protocols, ...) do not.
//
// No function here throws: running out of memory while loading gives ok == false with an
// "out of memory" diagnostic; the other functions are noexcept (an allocation failure in them
// terminates, as for any noexcept function).

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hs::config {

struct Diagnostic {
  enum class Severity { kWarning, kError } severity = Severity::kError;
  std::string file;
  int line = 0;  // 1-based; 0 when the problem concerns the whole file (e.g. it cannot be read)
  std::string message;

  // "file:line: error: message" or "file:line: warning: message"; "file: error: message" when
  // line is 0.
  std::string to_string() const;
};

// <binding protocol="http" bindingInformation="IP:port:host"/>
struct Binding {
  std::string protocol;  // "http" or "https" (lower case)
  std::string ip;        // "*" = any address; an IPv4 address; or an IPv6 address without []
  uint16_t port = 0;     // 1..65535
  std::string host;      // "" = any host; otherwise lower case (may start with "*.")
  int line = 0;
  // https only, our file-based equivalent of IIS's certificate store binding (docs/tls.md):
  // PEM files as written (see resolve_path()), and what is asked of clients.
  std::string certificate_file;      // certificateFile
  std::string certificate_key_file;  // certificateKeyFile
  std::string client_certificate;    // clientCertificate: "ignore" (default), "accept", "require"
  std::string client_ca_file;        // clientCertificateAuthorities
};

// <virtualDirectory path="/" physicalPath="..."/>. physical_path is as written; see
// resolve_path().
struct VirtualDirectory {
  std::string path;  // starts with '/', no trailing '/' except for "/" itself
  std::string physical_path;
  int line = 0;
};

// <application path="/" applicationPool="..."> ... </application>
struct Application {
  std::string path;  // starts with '/', no trailing '/' except for "/" itself
  // As written; if absent, <applicationDefaults applicationPool=...>; else "".
  std::string application_pool;
  // File order; paths unique; always contains "/" (the application's root) when ok.
  std::vector<VirtualDirectory> virtual_directories;
  int line = 0;
};

// <site name="..." id="..."> ... </site>
struct Site {
  std::string name;  // unique (ASCII case-insensitively); contains no '/' or '\'
  uint32_t id = 0;   // 1..4294967295, unique
  // File order; paths unique; always contains "/" (the root application) when ok.
  std::vector<Application> applications;
  // File order; supported protocols only (others are dropped with a warning). No two bindings
  // of the whole file have the same ip, port and host.
  std::vector<Binding> bindings;
  int line = 0;
};

// <globalModules><add name= image= preCondition=/></globalModules>: a native module to load.
struct GlobalModule {
  std::string name;
  std::string image;  // as written; see resolve_path()
  std::string pre_condition;
  int line = 0;
};

// <modules><add name= type= preCondition=/></modules>: a module enabled for requests.
struct ModuleEntry {
  std::string name;
  std::string type;  // managed type, unused
  std::string pre_condition;
  int line = 0;
};

// <handlers><add .../></handlers>: one handler mapping. Strings are as written unless noted.
struct HandlerMapping {
  std::string name;
  std::string path;     // required, non-empty
  std::string verb;     // required, non-empty
  std::string modules;  // comma-separated module names; "" if absent (IIS: ManagedPipelineHandler)
  std::string script_processor;
  std::string resource_type = "Unspecified";  // File | Directory | Either | Unspecified
  std::string require_access = "Script";  // flags None, Read, Write, Script, Execute, as written
  std::string pre_condition;
  std::string type;  // managed type, unused
  uint32_t response_buffer_limit = 4194304;
  bool allow_path_info = false;
  int line = 0;
};

// <staticContent><mimeMap fileExtension= mimeType=/></staticContent>
struct MimeEntry {
  std::string file_extension;  // starts with '.'
  std::string mime_type;       // no control characters
  int line = 0;
};

// <security><requestFiltering><requestLimits .../></requestFiltering></security>
struct RequestLimits {
  uint64_t max_allowed_content_length = 30000000;  // 0..4294967295
  uint32_t max_url = 4096;
  uint32_t max_query_string = 2048;
  // Whether the attribute was given (in a merged result: at any level), so that a <location>
  // that sets one attribute inherits the others.
  bool max_allowed_content_length_set = false;
  bool max_url_set = false;
  bool max_query_string_set = false;
};

// One <system.webServer> section (top level or inside a <location>).
//
// Collections (modules, handlers, default documents, MIME map) hold the section's own entries in
// file order after applying its own <add>/<remove>/<clear> in order. What the section did to the
// collection it inherits is kept in <collection>_cleared (a <clear/> appeared) and
// <collection>_removed (keys of every <remove>, after the last <clear/>), and is applied by
// effective_settings(). A <remove> of a key the section itself added removes that entry too.
// Keys (module/handler names, document names, file extensions) compare ASCII
// case-insensitively, as IIS does. In a result of effective_settings() the _cleared and _removed
// fields are false/empty.
struct WebServerSettings {
  std::vector<ModuleEntry> modules;
  bool modules_set = false;  // <modules> appeared
  bool modules_cleared = false;
  std::vector<std::string> modules_removed;

  std::vector<HandlerMapping> handlers;
  bool handlers_set = false;  // <handlers> appeared
  bool handlers_cleared = false;
  std::vector<std::string> handlers_removed;
  std::string handlers_access_policy;  // <handlers accessPolicy=> as written; "" = not set

  bool default_document_enabled = true;
  bool default_document_enabled_set = false;  // the enabled attribute was given
  std::vector<std::string> default_documents;
  bool default_document_set = false;  // <defaultDocument> appeared
  bool default_documents_cleared = false;
  std::vector<std::string> default_documents_removed;

  std::vector<MimeEntry> mime_map;
  bool mime_map_set = false;  // <staticContent> appeared
  bool mime_map_cleared = false;
  std::vector<std::string> mime_map_removed;

  RequestLimits request_limits;
  bool request_limits_set = false;  // <requestLimits> appeared

  // <requestFiltering allowHighBitCharacters=>: whether URLs may hold bytes >= 0x80.
  bool allow_high_bit_characters = true;
  bool allow_high_bit_characters_set = false;  // the attribute was given
};

// <location path="..."><system.webServer>...</system.webServer></location>
struct Location {
  std::string path;  // "" = everything; "Site Name" or "Site Name/app"; no trailing '/'
  int line = 0;
  WebServerSettings settings;
  // `path` split: the site name ("" for everything) and the URL path under the site ("" for
  // the whole site, otherwise "/app/sub").
  std::string site_name;
  std::string url_path;
};

// <system.webServer><caching maxCacheSize="MB" maxResponseSize="bytes"/>: the limits of the
// server's fragment cache (IHttpServer::AddFragmentToCache, docs/response-body.md). Server-wide,
// so only the top-level section counts. The other IIS attributes (enabled, enableKernelCache)
// and <profiles> are accepted and ignored: there is no output cache.
struct CachingSettings {
  bool set = false;                // <caching> appeared at the top level
  uint64_t max_cache_size_mb = 0;  // 0..4294967295; 0 = IIS's "automatic": the server default
  bool max_cache_size_set = false;
  uint64_t max_response_size = 262144;  // 0..4294967295 bytes per entry
  bool max_response_size_set = false;
};

// One element of the file exactly as written: every attribute (in file order) and every child
// element, whether the server understands it or not. The configuration API (IAppHostAdminManager,
// src/admin) reads modules' own sections from this tree.
struct XmlElement {
  std::string name;
  int line = 0;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<XmlElement> children;

  // The value of attribute `name` (case-sensitive, as IIS), or null.
  const std::string* attribute(std::string_view attr) const noexcept;
  // The first child element named `child`, or null.
  const XmlElement* child(std::string_view child_name) const noexcept;
};

// A <section> registered in <configSections> (inside <sectionGroup>s): the full name joins the
// group names and the section name with '/' ("system.webServer/hsts").
struct SectionDeclaration {
  std::string name;
  std::string override_mode_default;  // as written ("" if absent)
  std::string allow_definition;
  std::string allow_location;
  int line = 0;
};

struct Config {
  std::string file;         // the file name as given (used in diagnostics)
  std::string base_dir;     // absolute, normalised directory of `file`; see resolve_path()
  std::vector<Site> sites;  // file order
  std::vector<GlobalModule> global_modules;  // file order; names unique
  WebServerSettings web_server;              // top-level <system.webServer>
  CachingSettings caching;                   // top-level <system.webServer><caching>
  std::vector<Location> locations;           // <location path="..."> blocks, in file order
  // The whole <configuration> element as written (null if the file had no such root).
  std::shared_ptr<const XmlElement> document;
  // <configSections>, in file order (nested groups flattened into full names).
  std::vector<SectionDeclaration> declared_sections;

  // The declaration of section `name` (ASCII case-insensitive), or null.
  const SectionDeclaration* declaration(std::string_view name) const noexcept;
};

struct LoadResult {
  bool ok = false;  // no errors (warnings allowed)
  // What could be parsed; complete and valid only when ok.
  Config config;
  // In the order found (file order, then the cross-checks made after parsing).
  std::vector<Diagnostic> diagnostics;
};

// Parses `xml` (UTF-8, optionally with a BOM). `file_name` names the file in diagnostics and
// sets Config::file and Config::base_dir (relative names are taken from the current directory).
LoadResult parse_config(std::string_view xml, const std::string& file_name);

// Reads and parses the file at `path`. An I/O error gives ok == false with one diagnostic
// (line 0) naming the file and the reason.
LoadResult load_config_file(const std::string& path);

// The settings that apply to a request for `url_path` on the site named `site_name`: the
// top-level <system.webServer>, then every matching <location>, from the least to the most
// specific path (IIS's configuration hierarchy), each applying its <clear/>, <remove> and <add>
// to what it inherits. A location matches if its path is "", or its site name equals
// `site_name` (ASCII case-insensitively) and its URL part is empty or equals `url_path` or is a
// prefix of it ending at a '/' ("Site/app" matches "/app" and "/app/x", not "/apple"); URL
// parts compare case-sensitively. `url_path` is a decoded, normalised path ("" counts as "/").
//   - modules and MIME map: inherited entries first, then the location's (IIS appends);
//   - handlers and default documents: the location's entries first, then the inherited ones
//     (IIS schema: mergeAppend="false"), so a location's handler wins over an inherited one;
//   - scalars (defaultDocument enabled, accessPolicy, each requestLimits attribute): the most
//     specific level that sets them.
// A section is defined at most once per path (checked when loading), so file order does not
// matter. On a config that loaded with errors, an <add> whose key is already inherited is
// dropped.
WebServerSettings effective_settings(const Config& config, std::string_view site_name,
                                     std::string_view url_path) noexcept;

// Resolves a path from the configuration (physicalPath, image): absolute paths are returned
// unchanged; relative ones are taken relative to the configuration file's directory
// (Config::base_dir), and the result is lexically normalised ("a/../b" → "b"). No file system
// access. "" stays "".
std::string resolve_path(const Config& config, std::string_view path) noexcept;

// Cross-checks module names, for the server (or -t) once it knows its built-in modules. Appends
// to `out`:
//   - error: a <modules><add> without type whose name is neither a global module nor in
//     `builtin_modules`;
//   - warning: a <modules><add> with a type (managed modules are not supported);
//   - error: a handler whose `modules` list is empty or names a module that is neither a global
//     module nor built in.
// Names compare ASCII case-insensitively. Returns false if it appended an error.
bool check_module_references(const Config& config,
                             std::span<const std::string_view> builtin_modules,
                             std::vector<Diagnostic>* out) noexcept;

}  // namespace hs::config
