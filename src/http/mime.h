#pragma once

// File-extension to media-type mapping for the static-file handler.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hs::http {

// Maps file name extensions to media types. Starts with a built-in table of common web types;
// text types carry no charset parameter (as in nginx's mime.types), so callers append one if
// they want it. Extensions are matched case-insensitively. lookup() does not allocate.
//
// Not thread-safe for mutation; concurrent lookup() calls on an unchanging map are safe.
class MimeMap {
 public:
  // Media type returned for names without a known extension, unless changed.
  static constexpr std::string_view kDefaultType = "application/octet-stream";
  // Longest extension set() accepts; longer extensions never match.
  static constexpr size_t kMaxExtensionLength = 32;

  // A map holding the built-in table.
  MimeMap();

  // Adds or replaces the type for `ext`, overriding a built-in entry. `ext` may start with one
  // '.'; the rest must be 1..kMaxExtensionLength characters containing no '.', '/', '\\',
  // control character or SP. `type` must be non-empty. Returns false (changing nothing) if an
  // argument is invalid. Two forms IIS knows are accepted too: "." names files without an
  // extension, and ".*" (or "*") any extension the map does not list.
  bool set(std::string_view ext, std::string_view type);

  // Removes the mapping for `ext` (built-in or set), after which it maps to the default type.
  // Returns whether a mapping existed.
  bool remove(std::string_view ext);

  // Removes every mapping, including the built-in ones.
  void clear();

  // Changes the type returned for unknown or missing extensions. An empty `type` restores
  // kDefaultType.
  void set_default_type(std::string_view type);

  // Media type for a path or file name, chosen by the extension of its final '/'-separated
  // segment: the text after that segment's last '.'. A segment whose only '.' is its first
  // character (".profile") has no extension, nor does one ending in '.' ("file."). Unknown or
  // missing extensions yield the default type. The returned view stays valid until the map is
  // next modified.
  std::string_view lookup(std::string_view path_or_name) const;

  // The same choice, but only from what the map lists — an extension's entry, else "." for a
  // name without extension, else ".*" — and nullopt when none applies: IIS's StaticFileModule
  // serves only such files (404.3 otherwise).
  std::optional<std::string_view> lookup_known(std::string_view path_or_name) const;

  // Number of extension mappings.
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string ext;  // lower-case, no leading dot
    std::string type;
  };

  // Position of `lower_ext` in entries_, or of where it would be inserted.
  std::vector<Entry>::const_iterator find_slot(std::string_view lower_ext) const;

  std::vector<Entry> entries_;  // sorted by ext; "*" is the ".*" entry
  std::string default_type_;
  std::optional<std::string> no_extension_type_;  // the "." entry
};

}  // namespace hs::http
