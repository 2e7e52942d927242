#pragma once

// Configuration schemas in IIS's <configSchema> format: the files IIS keeps in
// inetsrv\config\schema (IIS_schema.xml, a module's own hsts_schema.xml, ...). A schema gives
// each attribute of a section its type, default and key flags, and each collection its item
// element names. The configuration API (src/admin) reads a module's section through its schema;
// docs/configuration.md, "Module sections and schemas", lists what is read.
//
//   <configSchema>
//     <sectionSchema name="system.webServer/hsts">
//       <attribute name="max-age" type="uint" defaultValue="31536000"/>
//       <element name="socket"> <attribute .../> </element>
//       <collection addElement="add" removeElement="remove" clearElement="clear"
//                   mergeAppend="true" allowDuplicates="false">
//         <attribute name="name" type="string" required="true" isUniqueKey="true"/>
//       </collection>
//       <attribute name="mode" type="enum" defaultValue="Allow">
//         <enum name="Allow" value="0"/> <enum name="Deny" value="1"/>
//       </attribute>
//     </sectionSchema>
//   </configSchema>
//
// Pure: no file access except load_schema_file / load_schema_dir reading the files named.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace hs::config {

// Attribute types of the IIS schema. The configuration API maps each to a VARIANT type.
enum class AttributeType { kString, kBool, kUint, kInt, kInt64, kTimeSpan, kEnum, kFlags };

struct EnumValue {
  std::string name;
  uint32_t value = 0;
};

struct AttributeSchema {
  std::string name;
  AttributeType type = AttributeType::kString;
  std::string type_name = "string";  // as written
  bool has_default = false;
  std::string default_value;  // as written
  bool required = false;
  bool is_unique_key = false;
  bool is_combined_key = false;
  bool expanded = false;        // %VAR% references are expanded when read
  bool case_sensitive = false;  // for keys
  bool allow_infinite = false;  // "Infinite" is accepted for numbers and time spans
  std::string validation_type;  // as written
  std::string validation_parameter;
  std::string time_span_format;   // "string" (default), "seconds" or "minutes", as written
  std::vector<EnumValue> values;  // enum and flags
};

struct ElementSchema;

struct CollectionSchema {
  std::vector<std::string> add_names = {"add"};  // addElement may list several ("add,set")
  std::string remove_name = "remove";
  std::string clear_name = "clear";
  bool merge_append = true;
  bool allow_duplicates = false;
  bool allow_unrecognized_attributes = false;
  // The item elements' attributes and child elements.
  std::shared_ptr<ElementSchema> item;
};

struct ElementSchema {
  std::string name;
  std::vector<AttributeSchema> attributes;
  std::vector<std::shared_ptr<ElementSchema>> children;
  std::shared_ptr<CollectionSchema> collection;  // null: not a collection
  bool allow_unrecognized_attributes = false;

  const AttributeSchema* attribute(std::string_view attr) const noexcept;
  const ElementSchema* child(std::string_view child_name) const noexcept;
};

// The sections of every schema file read, by full name ("system.webServer/hsts"). A section
// defined by two files: the first one read wins (with a warning).
struct SchemaSet {
  std::vector<std::shared_ptr<const ElementSchema>> sections;

  // ASCII case-insensitive lookup; null if no schema defines it.
  const ElementSchema* section(std::string_view name) const noexcept;
};

// Parses one schema file's text into `out`, appending diagnostics (file:line) to `diags`.
// Errors (bad XML, a sectionSchema without name, an unknown attribute type, an enum value that
// is not a number) drop the offending section; the other sections are kept. Never throws.
void parse_schema(std::string_view xml, const std::string& file_name, SchemaSet* out,
                  std::vector<Diagnostic>* diags) noexcept;

// Reads `path` and parses it (an unreadable file is one error diagnostic).
void load_schema_file(const std::string& path, SchemaSet* out,
                      std::vector<Diagnostic>* diags) noexcept;

// Reads every *.xml file of `dir` in name order. A missing directory is not an error.
void load_schema_dir(const std::string& dir, SchemaSet* out,
                     std::vector<Diagnostic>* diags) noexcept;

// The schema of the server's own sections (system.applicationHost/sites, system.webServer/
// modules, handlers, globalModules, defaultDocument, staticContent, security/requestFiltering,
// caching, appSettings), so that modules can read them through the configuration API too.
void add_builtin_schema(SchemaSet* out) noexcept;

}  // namespace hs::config
