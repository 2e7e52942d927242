#pragma once

// Configuration sections as IIS's configuration system sees them: any section of the file
// (the server's own or a module's), at any configuration path, merged over the levels that
// apply (the top level, then each <location> from the least to the most specific path), with
// the schema's types, defaults and collection rules. This is the model behind the
// configuration API (IAppHostAdminManager, src/admin); docs/configuration.md, "Module sections
// and schemas", describes the rules.
//
// Pure functions over an immutable Config and SchemaSet: thread-safe, no I/O (except getenv for
// expanded attributes).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/schema.h"

namespace hs::config {

// A configuration path: "MACHINE", "MACHINE/WEBROOT", "MACHINE/WEBROOT/APPHOST", or
// "MACHINE/WEBROOT/APPHOST/<site>[/<url path>]". The level names compare ASCII
// case-insensitively (so do site names); "" (and a NULL path) means APPHOST; a trailing '/' is
// ignored.
struct ConfigPath {
  enum class Level { kMachine, kWebRoot, kAppHost };
  Level level = Level::kAppHost;
  std::string site;  // "" for the APPHOST level itself
  std::string url;   // "" or "/a/b" (no trailing '/')

  // The canonical text ("MACHINE/WEBROOT/APPHOST/Site/a/b"); the site as given.
  std::string to_string() const;
};

// False (and *out unchanged) for anything else: an unknown root, a path below MACHINE/WEBROOT
// that is not APPHOST, an empty segment ("a//b"), "." or "..", or a control character.
bool parse_config_path(std::string_view text, ConfigPath* out);

struct ResolvedAttribute {
  std::string name;
  std::string value;  // as written where it was set, else the schema default ("" without one)
  bool set = false;   // some level set it; false: the default
  std::string file;   // where it was set
  int line = 0;
  const AttributeSchema* schema = nullptr;  // null: no schema describes it (then a string)
};

struct ResolvedElement {
  std::string name;
  const ElementSchema* schema = nullptr;  // null: no schema (every attribute is a string)
  // Schema attributes in schema order (defaults included), then the others in file order.
  std::vector<ResolvedAttribute> attributes;
  // Schema child elements (present or not) in schema order, then the others in file order.
  std::vector<std::shared_ptr<ResolvedElement>> children;
  // A collection: its merged items (the schema's add element names, or "add" without schema).
  bool is_collection = false;
  std::vector<std::shared_ptr<ResolvedElement>> items;
  bool set = false;  // some level wrote this element

  const ResolvedAttribute* attribute(std::string_view attr) const noexcept;
  const ResolvedElement* child(std::string_view child_name) const noexcept;
};

enum class SectionError {
  kNone,
  kUnknownSection,  // not declared in <configSections> nor one of the server's own
  kInvalidValue,    // a value that does not fit its schema type, or a duplicate collection key
};

struct SectionResult {
  std::shared_ptr<const ResolvedElement> element;  // set when error == kNone
  SectionError error = SectionError::kNone;
  std::string message;  // "file:line: ..." for kInvalidValue
};

// Whether `name` is a section of this configuration: declared in <configSections>, or one of
// the server's own sections (add_builtin_schema), whose declaration IIS keeps in its own files.
bool section_available(const Config& config, const SchemaSet& schemas,
                       std::string_view name) noexcept;

// The section `name` at `path`, merged. A section no level sets gives its schema defaults.
// Never throws (out of memory: kInvalidValue with "out of memory").
SectionResult resolve_section(const Config& config, const SchemaSet& schemas, std::string_view name,
                              const ConfigPath& path) noexcept;

// What IIS ships in its own applicationHost.config for the sections the server's built-in
// modules implement (request filtering's denied file extensions and hidden segments, the
// compression schemes and MIME types), as a <configuration> element. resolve_section reads it as
// a level above the file's top level (APPHOST paths only), so every file inherits it and may
// <remove> or <clear> what it holds, as a web.config does under IIS.
const XmlElement& server_defaults() noexcept;
std::string_view server_defaults_text() noexcept;  // the same, as XML text (tests)

// The shallowest configuration path whose configuration is the same as that of `path`: the
// deepest <location> (or the site) that applies to it.
ConfigPath unique_config_path(const Config& config, const ConfigPath& path) noexcept;

// A value converted by its schema type.
struct TypedValue {
  AttributeType type = AttributeType::kString;
  std::string text;  // string (expanded when the schema says so)
  bool boolean = false;
  int64_t number = 0;  // bool 0/1; uint, int, int64, enum, flags; timeSpan: 100-ns ticks
};

// Converts `text` as an attribute of schema `a` (null: a string). bool: true/false (any case);
// uint 0..4294967295 and int -2^31..2^31-1 (decimal; "Infinite" when allowInfinite: the maximum);
// int64; timeSpan "[-][d.]hh:mm:ss[.fffffff]" or a number of seconds/minutes (timeSpanFormat);
// enum: a value name (any case) or its number; flags: names joined by ',' (spaces allowed).
// False with *why for a value that does not fit.
bool convert_value(const AttributeSchema* a, std::string_view text, TypedValue* out,
                   std::string* why) noexcept;

// %NAME% references replaced by the environment's value; undefined names stay as written.
std::string expand_environment(std::string_view text);

}  // namespace hs::config
