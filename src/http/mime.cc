#include "http/mime.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace hs::http {
namespace {

struct DefaultEntry {
  std::string_view ext;
  std::string_view type;
};

// Built-in table. Types follow the IANA registry where one exists (text/javascript per
// RFC 9239, application/yaml per RFC 9512) and common server practice otherwise.
constexpr DefaultEntry kDefaults[] = {
    // Text and documents.
    {"html", "text/html"},
    {"htm", "text/html"},
    {"shtml", "text/html"},
    {"xhtml", "application/xhtml+xml"},
    {"txt", "text/plain"},
    {"text", "text/plain"},
    {"log", "text/plain"},
    {"css", "text/css"},
    {"csv", "text/csv"},
    {"tsv", "text/tab-separated-values"},
    {"md", "text/markdown"},
    {"markdown", "text/markdown"},
    {"ics", "text/calendar"},
    {"vtt", "text/vtt"},
    {"js", "text/javascript"},
    {"mjs", "text/javascript"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"jsonld", "application/ld+json"},
    {"webmanifest", "application/manifest+json"},
    {"xml", "application/xml"},
    {"xsl", "application/xml"},
    {"rss", "application/rss+xml"},
    {"atom", "application/atom+xml"},
    {"yaml", "application/yaml"},
    {"yml", "application/yaml"},
    {"toml", "application/toml"},
    {"pdf", "application/pdf"},
    {"rtf", "application/rtf"},
    {"epub", "application/epub+zip"},
    {"wasm", "application/wasm"},
    // Images.
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"apng", "image/apng"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"bmp", "image/bmp"},
    {"tif", "image/tiff"},
    {"tiff", "image/tiff"},
    {"ico", "image/x-icon"},
    // Fonts.
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"eot", "application/vnd.ms-fontobject"},
    // Audio and video.
    {"mp4", "video/mp4"},
    {"m4v", "video/mp4"},
    {"webm", "video/webm"},
    {"ogv", "video/ogg"},
    {"mov", "video/quicktime"},
    {"avi", "video/x-msvideo"},
    {"mpeg", "video/mpeg"},
    {"mpg", "video/mpeg"},
    {"mp3", "audio/mpeg"},
    {"m4a", "audio/mp4"},
    {"aac", "audio/aac"},
    {"ogg", "audio/ogg"},
    {"oga", "audio/ogg"},
    {"opus", "audio/ogg"},
    {"flac", "audio/flac"},
    {"wav", "audio/wav"},
    // Archives.
    {"zip", "application/zip"},
    {"gz", "application/gzip"},
    {"tgz", "application/gzip"},
    {"tar", "application/x-tar"},
    {"bz2", "application/x-bzip2"},
    {"xz", "application/x-xz"},
    {"zst", "application/zstd"},
    {"7z", "application/x-7z-compressed"},
    {"jar", "application/java-archive"},
    {"rar", "application/x-rar-compressed"},
    {"cab", "application/vnd.ms-cab-compressed"},
    // Further entries of IIS's default <staticContent> (its applicationHost.config), so that
    // what a stock IIS serves is served here too: IIS's StaticFileModule refuses extensions
    // that are not in the map (404.3), and so does the IIS layer (static_bridge.h).
    {"bin", "application/octet-stream"},
    {"exe", "application/octet-stream"},
    {"dll", "application/x-msdownload"},
    {"msi", "application/octet-stream"},
    {"iso", "application/octet-stream"},
    {"img", "application/octet-stream"},
    {"dmg", "application/octet-stream"},
    {"deb", "application/octet-stream"},
    {"rpm", "application/x-rpm"},
    {"class", "application/x-java-applet"},
    {"doc", "application/msword"},
    {"dot", "application/msword"},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"xls", "application/vnd.ms-excel"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"ppt", "application/vnd.ms-powerpoint"},
    {"pps", "application/vnd.ms-powerpoint"},
    {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {"odt", "application/vnd.oasis.opendocument.text"},
    {"ods", "application/vnd.oasis.opendocument.spreadsheet"},
    {"odp", "application/vnd.oasis.opendocument.presentation"},
    {"pub", "application/x-mspublisher"},
    {"vsd", "application/vnd.visio"},
    {"xps", "application/vnd.ms-xpsdocument"},
    {"ps", "application/postscript"},
    {"eps", "application/postscript"},
    {"ai", "application/postscript"},
    {"psd", "application/octet-stream"},
    {"dvi", "application/x-dvi"},
    {"latex", "application/x-latex"},
    {"tex", "application/x-tex"},
    {"swf", "application/x-shockwave-flash"},
    {"flv", "video/x-flv"},
    {"asf", "video/x-ms-asf"},
    {"wmv", "video/x-ms-wmv"},
    {"wma", "audio/x-ms-wma"},
    {"3gp", "video/3gpp"},
    {"3g2", "video/3gpp2"},
    {"mkv", "video/x-matroska"},
    {"ts", "video/vnd.dlna.mpeg-tts"},
    {"m3u", "audio/x-mpegurl"},
    {"m3u8", "application/vnd.apple.mpegurl"},
    {"mid", "audio/mid"},
    {"midi", "audio/mid"},
    {"aif", "audio/aiff"},
    {"aiff", "audio/aiff"},
    {"au", "audio/basic"},
    {"snd", "audio/basic"},
    {"jfif", "image/pjpeg"},
    {"svgz", "image/svg+xml"},
    {"crt", "application/x-x509-ca-cert"},
    {"cer", "application/x-x509-ca-cert"},
    {"der", "application/x-x509-ca-cert"},
    {"crl", "application/pkix-crl"},
    {"p7b", "application/x-pkcs7-certificates"},
    {"p12", "application/x-pkcs12"},
    {"pfx", "application/x-pkcs12"},
    {"eml", "message/rfc822"},
    {"mht", "message/rfc822"},
    {"mhtml", "message/rfc822"},
    {"vcf", "text/x-vcard"},
    {"htc", "text/x-component"},
    {"xsd", "text/xml"},
    {"xslt", "text/xml"},
    {"dtd", "text/xml"},
    {"wsdl", "text/xml"},
    {"xaml", "application/xaml+xml"},
    {"appcache", "text/cache-manifest"},
    {"manifest", "application/x-ms-manifest"},
    {"application", "application/x-ms-application"},
    {"sgml", "text/sgml"},
    {"rtx", "text/richtext"},
};

char to_lower_ascii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Lower-cases `ext` into `buf`, which holds MimeMap::kMaxExtensionLength characters. Returns
// nullopt if `ext` is empty or too long; does not validate characters.
std::optional<std::string_view> lower_into(std::string_view ext,
                                           char (&buf)[MimeMap::kMaxExtensionLength]) {
  if (ext.empty() || ext.size() > MimeMap::kMaxExtensionLength) {
    return std::nullopt;
  }
  std::transform(ext.begin(), ext.end(), buf, to_lower_ascii);
  return std::string_view(buf, ext.size());
}

// Strips one leading '.', lower-cases and validates an extension given to set()/remove().
std::optional<std::string_view> normalize_ext(std::string_view ext,
                                              char (&buf)[MimeMap::kMaxExtensionLength]) {
  if (!ext.empty() && ext.front() == '.') {
    ext.remove_prefix(1);
  }
  for (const char ch : ext) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7F || c == '.' || c == '/' || c == '\\') {
      return std::nullopt;
    }
  }
  return lower_into(ext, buf);
}

}  // namespace

MimeMap::MimeMap() : default_type_(kDefaultType) {
  entries_.reserve(std::size(kDefaults));
  for (const auto& d : kDefaults) {
    entries_.push_back(Entry{std::string(d.ext), std::string(d.type)});
  }
  std::sort(entries_.begin(), entries_.end(),
            [](const Entry& a, const Entry& b) { return a.ext < b.ext; });
}

std::vector<MimeMap::Entry>::const_iterator MimeMap::find_slot(std::string_view lower_ext) const {
  return std::lower_bound(
      entries_.begin(), entries_.end(), lower_ext,
      [](const Entry& e, std::string_view key) { return std::string_view(e.ext) < key; });
}

bool MimeMap::set(std::string_view ext, std::string_view type) {
  if (ext == ".") {
    if (type.empty()) return false;
    no_extension_type_.emplace(type);
    return true;
  }
  char buf[kMaxExtensionLength];
  const auto key = normalize_ext(ext, buf);
  if (!key || type.empty()) {
    return false;
  }
  const auto slot = find_slot(*key);
  if (slot != entries_.end() && slot->ext == *key) {
    entries_[static_cast<size_t>(slot - entries_.begin())].type.assign(type);
  } else {
    entries_.insert(slot, Entry{std::string(*key), std::string(type)});
  }
  return true;
}

bool MimeMap::remove(std::string_view ext) {
  if (ext == ".") {
    bool had = no_extension_type_.has_value();
    no_extension_type_.reset();
    return had;
  }
  char buf[kMaxExtensionLength];
  const auto key = normalize_ext(ext, buf);
  if (!key) {
    return false;
  }
  const auto slot = find_slot(*key);
  if (slot == entries_.end() || slot->ext != *key) {
    return false;
  }
  entries_.erase(slot);
  return true;
}

void MimeMap::clear() {
  entries_.clear();
  no_extension_type_.reset();
}

void MimeMap::set_default_type(std::string_view type) {
  default_type_.assign(type.empty() ? kDefaultType : type);
}

std::optional<std::string_view> MimeMap::lookup_known(std::string_view path_or_name) const {
  const size_t slash = path_or_name.rfind('/');
  const std::string_view name =
      slash == std::string_view::npos ? path_or_name : path_or_name.substr(slash + 1);
  const size_t dot = name.rfind('.');
  auto wildcard = [&]() -> std::optional<std::string_view> {
    const auto slot = find_slot("*");
    if (slot != entries_.end() && slot->ext == "*") return std::string_view(slot->type);
    return std::nullopt;
  };
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size()) {
    if (no_extension_type_) return std::string_view(*no_extension_type_);
    return wildcard();
  }
  char buf[kMaxExtensionLength];
  const auto key = lower_into(name.substr(dot + 1), buf);
  if (key) {
    const auto slot = find_slot(*key);
    if (slot != entries_.end() && slot->ext == *key) return std::string_view(slot->type);
  }
  return wildcard();
}

std::string_view MimeMap::lookup(std::string_view path_or_name) const {
  if (std::optional<std::string_view> t = lookup_known(path_or_name)) return *t;
  return default_type_;
}

}  // namespace hs::http
