// Fuzz target: the applicationHost.config parser (src/config/config.*).
//
// parse_config() must never throw or crash, whatever the XML; ok must mean "no error
// diagnostic"; every diagnostic names the file and a line of it. A file that loads must keep
// every promise config.h makes about the result (root application and virtual directory, paths
// normalised, unique names, ids and bindings, ports in range, MIME entries well formed), and the
// functions that consume a Config (effective_settings, resolve_path, check_module_references) must
// cope with anything that loaded, with or without errors.
//
// Input: the file's bytes (the first byte, when it is 0xEF, is expanded to a UTF-8 BOM).
#include <algorithm>
#include <set>
#include <string>
#include <tuple>

#include "config/config.h"
#include "fuzz_support.h"

namespace hs::fuzz {
namespace {

using config::Diagnostic;
using config::LoadResult;

constexpr const char* kFile = "/fuzz/applicationHost.config";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool normalised_url_path(const std::string& p) {
  return !p.empty() && p[0] == '/' && (p.size() == 1 || p.back() != '/');
}

void check_settings_result(const config::WebServerSettings& s) {
  FUZZ_CHECK(!s.modules_cleared && s.modules_removed.empty());
  FUZZ_CHECK(!s.handlers_cleared && s.handlers_removed.empty());
  FUZZ_CHECK(!s.default_documents_cleared && s.default_documents_removed.empty());
  FUZZ_CHECK(!s.mime_map_cleared && s.mime_map_removed.empty());
}

void check_loaded(const config::Config& c) {
  std::set<std::string> site_names;
  std::set<uint32_t> site_ids;
  std::set<std::tuple<std::string, uint16_t, std::string>> bindings;
  for (const config::Site& site : c.sites) {
    FUZZ_CHECK(site.name.find_first_of("/\\") == std::string::npos);
    FUZZ_CHECK(site_names.insert(lower(site.name)).second);
    FUZZ_CHECK(site.id >= 1 && site_ids.insert(site.id).second);
    bool root_app = false;
    std::set<std::string> app_paths;
    for (const config::Application& app : site.applications) {
      FUZZ_CHECK(normalised_url_path(app.path));
      FUZZ_CHECK(app_paths.insert(app.path).second);
      root_app |= app.path == "/";
      bool root_dir = false;
      std::set<std::string> dir_paths;
      for (const config::VirtualDirectory& vd : app.virtual_directories) {
        FUZZ_CHECK(normalised_url_path(vd.path));
        FUZZ_CHECK(dir_paths.insert(vd.path).second);
        root_dir |= vd.path == "/";
        std::string resolved = config::resolve_path(c, vd.physical_path);
        FUZZ_CHECK(vd.physical_path.empty() == resolved.empty());
      }
      FUZZ_CHECK(root_dir);
    }
    FUZZ_CHECK(root_app);
    for (const config::Binding& b : site.bindings) {
      FUZZ_CHECK(b.protocol == "http" || b.protocol == "https");
      FUZZ_CHECK(b.port >= 1);
      FUZZ_CHECK(b.host == lower(b.host));
      FUZZ_CHECK(bindings.insert({b.ip, b.port, b.host}).second);
    }
  }
  std::set<std::string> module_names;
  for (const config::GlobalModule& m : c.global_modules) {
    FUZZ_CHECK(module_names.insert(lower(m.name)).second);
  }
  auto check_section = [](const config::WebServerSettings& s) {
    for (const config::MimeEntry& m : s.mime_map) {
      FUZZ_CHECK(!m.file_extension.empty() && m.file_extension[0] == '.');
      for (char ch : m.mime_type)
        FUZZ_CHECK(static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f);
    }
    for (const config::HandlerMapping& h : s.handlers) {
      FUZZ_CHECK(!h.path.empty() && !h.verb.empty());
    }
    FUZZ_CHECK(s.request_limits.max_allowed_content_length <= 4294967295u);
  };
  check_section(c.web_server);
  for (const config::Location& l : c.locations)
    check_section(l.settings);
}

}  // namespace
}  // namespace hs::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hs::fuzz;
  std::string xml(reinterpret_cast<const char*>(data), size);
  if (!xml.empty() && static_cast<unsigned char>(xml[0]) == 0xEF) xml.replace(0, 1, "\xEF\xBB\xBF");
  size_t lines = 1 + static_cast<size_t>(std::count(xml.begin(), xml.end(), '\n'));

  LoadResult r = hs::config::parse_config(xml, kFile);
  FUZZ_CHECK(r.config.file == kFile);
  bool errors = false;
  for (const Diagnostic& d : r.diagnostics) {
    FUZZ_CHECK(d.file == kFile);
    FUZZ_CHECK(d.line >= 0 && static_cast<size_t>(d.line) <= lines);
    FUZZ_CHECK(!d.message.empty());
    FUZZ_CHECK(d.to_string().rfind(kFile, 0) == 0);
    errors |= d.severity == Diagnostic::Severity::kError;
  }
  FUZZ_CHECK(r.ok == !errors);
  if (r.ok) check_loaded(r.config);

  // Consumers of a Config, on whatever was parsed (the server only uses ok results, -t prints
  // diagnostics of the rest; neither may crash on a partial one).
  check_settings_result(hs::config::effective_settings(r.config, "", "/"));
  for (const hs::config::Site& site : r.config.sites) {
    check_settings_result(hs::config::effective_settings(r.config, site.name, "/"));
    for (const hs::config::Application& app : site.applications)
      check_settings_result(hs::config::effective_settings(r.config, site.name, app.path));
  }
  for (const hs::config::Location& l : r.config.locations) {
    check_settings_result(hs::config::effective_settings(r.config, l.site_name, l.url_path));
  }
  std::vector<Diagnostic> out;
  std::string_view builtin[] = {"StaticFileModule", "DefaultDocumentModule"};
  bool refs_ok = hs::config::check_module_references(r.config, builtin, &out);
  bool appended_error = std::any_of(out.begin(), out.end(), [](const Diagnostic& d) {
    return d.severity == Diagnostic::Severity::kError;
  });
  FUZZ_CHECK(refs_ok == !appended_error);
  return 0;
}
