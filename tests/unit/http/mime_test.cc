#include "http/mime.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hs::http {
namespace {

constexpr std::string_view kOctet = "application/octet-stream";

TEST(MimeMap, DefaultTable) {
  const MimeMap map;
  struct Case {
    const char* name;
    const char* type;
  };
  const Case cases[] = {
      {"index.html", "text/html"},
      {"index.htm", "text/html"},
      {"readme.txt", "text/plain"},
      {"style.css", "text/css"},
      {"app.js", "text/javascript"},
      {"module.mjs", "text/javascript"},
      {"data.json", "application/json"},
      {"feed.xml", "application/xml"},
      {"logo.svg", "image/svg+xml"},
      {"a.png", "image/png"},
      {"a.jpg", "image/jpeg"},
      {"a.jpeg", "image/jpeg"},
      {"a.gif", "image/gif"},
      {"a.webp", "image/webp"},
      {"a.avif", "image/avif"},
      {"favicon.ico", "image/x-icon"},
      {"doc.pdf", "application/pdf"},
      {"mod.wasm", "application/wasm"},
      {"f.woff", "font/woff"},
      {"f.woff2", "font/woff2"},
      {"f.ttf", "font/ttf"},
      {"f.otf", "font/otf"},
      {"v.mp4", "video/mp4"},
      {"v.webm", "video/webm"},
      {"s.mp3", "audio/mpeg"},
      {"s.ogg", "audio/ogg"},
      {"s.wav", "audio/wav"},
      {"a.zip", "application/zip"},
      {"a.gz", "application/gzip"},
      {"a.tar", "application/x-tar"},
      {"t.csv", "text/csv"},
      {"README.md", "text/markdown"},
      {"app.js.map", "application/json"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(map.lookup(c.name), c.type) << c.name;
  }
}

TEST(MimeMap, TextTypesHaveNoCharset) {
  const MimeMap map;
  for (const char* name : {"a.html", "a.txt", "a.css", "a.js", "a.csv", "a.md"}) {
    EXPECT_EQ(map.lookup(name).find(';'), std::string_view::npos) << name;
  }
}

TEST(MimeMap, ExtensionSelection) {
  const MimeMap map;
  struct Case {
    const char* path;
    std::string_view type;
  };
  const Case cases[] = {
      {"/var/www/index.html", "text/html"},
      {"/a.b/c", kOctet},                      // dot only in a directory name
      {"/a.html/", kOctet},                    // empty final segment
      {"archive.tar.gz", "application/gzip"},  // last extension
      {"INDEX.HTML", "text/html"},             // case-insensitive
      {"photo.JpEg", "image/jpeg"},
      {"/dir/.html", kOctet},  // hidden file without an extension
      {".gitignore", kOctet},
      {"/dir/.hidden.css", "text/css"},
      {"file.", kOctet},
      {"file..", kOctet},
      {"a..css", "text/css"},
      {"noext", kOctet},
      {"", kOctet},
      {"/", kOctet},
      {".", kOctet},
      {"..", kOctet},
      {"a.unknownext", kOctet},
      {"a.html?x=1", kOctet},  // not a URL: no query stripping
      {"a.toolongextensiontoolongextensiontoolong", kOctet},
      {"dir\\a.html", "text/html"},  // '\' is not a separator
  };
  for (const auto& c : cases) {
    EXPECT_EQ(map.lookup(c.path), c.type) << '"' << c.path << '"';
  }
}

TEST(MimeMap, SetOverridesAndAdds) {
  MimeMap map;
  const size_t initial = map.size();
  EXPECT_TRUE(map.set("html", "text/html; charset=utf-8"));
  EXPECT_EQ(map.lookup("a.html"), "text/html; charset=utf-8");
  EXPECT_EQ(map.lookup("a.htm"), "text/html");  // other extensions untouched
  EXPECT_EQ(map.size(), initial);

  EXPECT_TRUE(map.set(".FOO", "application/x-foo"));  // dot and case are normalised
  EXPECT_EQ(map.lookup("x.foo"), "application/x-foo");
  EXPECT_EQ(map.lookup("x.FOO"), "application/x-foo");
  EXPECT_EQ(map.size(), initial + 1);

  EXPECT_TRUE(map.set("Foo", "application/x-foo2"));  // replaces, not duplicates
  EXPECT_EQ(map.lookup("x.foo"), "application/x-foo2");
  EXPECT_EQ(map.size(), initial + 1);

  EXPECT_TRUE(map.set("aaa", "a/a"));   // sorts before everything
  EXPECT_TRUE(map.set("zzzz", "z/z"));  // and after
  EXPECT_EQ(map.lookup("x.aaa"), "a/a");
  EXPECT_EQ(map.lookup("x.zzzz"), "z/z");
  EXPECT_EQ(map.lookup("x.css"), "text/css");

  const std::string longest(MimeMap::kMaxExtensionLength, 'q');
  EXPECT_TRUE(map.set(longest, "q/q"));
  EXPECT_EQ(map.lookup("file." + longest), "q/q");
}

TEST(MimeMap, SetRejectsInvalidArguments) {
  MimeMap map;
  const size_t initial = map.size();
  EXPECT_FALSE(map.set("", "a/b"));
  EXPECT_FALSE(map.set("..x", "a/b"));
  EXPECT_FALSE(map.set("tar.gz", "a/b"));
  EXPECT_FALSE(map.set("a/b", "a/b"));
  EXPECT_FALSE(map.set("a\\b", "a/b"));
  EXPECT_FALSE(map.set("a b", "a/b"));
  EXPECT_FALSE(map.set("a\tb", "a/b"));
  EXPECT_FALSE(map.set(std::string_view("a\0b", 3), "a/b"));
  EXPECT_FALSE(map.set("html", ""));
  EXPECT_FALSE(map.set(std::string(MimeMap::kMaxExtensionLength + 1, 'q'), "a/b"));
  EXPECT_EQ(map.size(), initial);
  EXPECT_EQ(map.lookup("a.html"), "text/html");
}

TEST(MimeMap, Remove) {
  MimeMap map;
  EXPECT_TRUE(map.remove("HTML"));
  EXPECT_EQ(map.lookup("a.html"), kOctet);
  EXPECT_FALSE(map.remove("html"));
  EXPECT_TRUE(map.remove(".css"));
  EXPECT_EQ(map.lookup("a.css"), kOctet);
  EXPECT_FALSE(map.remove("nonexistent"));
  EXPECT_FALSE(map.remove(""));
  EXPECT_FALSE(map.remove("a/b"));
  EXPECT_TRUE(map.set("css", "text/css"));
  EXPECT_EQ(map.lookup("a.css"), "text/css");
}

TEST(MimeMap, ClearAndDefaultType) {
  MimeMap map;
  map.set_default_type("text/plain");
  EXPECT_EQ(map.lookup("noext"), "text/plain");
  EXPECT_EQ(map.lookup("a.unknown"), "text/plain");
  EXPECT_EQ(map.lookup("a.png"), "image/png");
  map.clear();
  EXPECT_EQ(map.size(), 0u);
  EXPECT_EQ(map.lookup("a.png"), "text/plain");
  map.set_default_type("");
  EXPECT_EQ(map.lookup("a.png"), kOctet);
  EXPECT_EQ(MimeMap::kDefaultType, kOctet);
}

TEST(MimeMap, BuiltInTableHasNoDuplicatesOrCharsets) {
  // The complete built-in extension list; size() pins it to the table.
  const std::vector<std::string> extensions = {
      "html", "htm", "shtml", "xhtml", "txt", "text", "log", "css", "csv", "tsv", "md", "markdown",
      "ics", "vtt", "js", "mjs", "json", "map", "jsonld", "webmanifest", "xml", "xsl", "rss",
      "atom", "yaml", "yml", "toml", "pdf", "rtf", "epub", "wasm", "svg", "png", "apng", "jpg",
      "jpeg", "gif", "webp", "avif", "bmp", "tif", "tiff", "ico", "woff", "woff2", "ttf", "otf",
      "eot", "mp4", "m4v", "webm", "ogv", "mov", "avi", "mpeg", "mpg", "mp3", "m4a", "aac", "ogg",
      "oga", "opus", "flac", "wav", "zip", "gz", "tgz", "tar", "bz2", "xz", "zst", "7z", "jar",
      "rar", "cab",
      // IIS's default <staticContent> entries.
      "bin", "exe", "dll", "msi", "iso", "img", "dmg", "deb", "rpm", "class", "doc", "dot", "docx",
      "xls", "xlsx", "ppt", "pps", "pptx", "odt", "ods", "odp", "pub", "vsd", "xps", "ps", "eps",
      "ai", "psd", "dvi", "latex", "tex", "swf", "flv", "asf", "wmv", "wma", "3gp", "3g2", "mkv",
      "ts", "m3u", "m3u8", "mid", "midi", "aif", "aiff", "au", "snd", "jfif", "svgz", "crt", "cer",
      "der", "crl", "p7b", "p12", "pfx", "eml", "mht", "mhtml", "vcf", "htc", "xsd", "xslt", "dtd",
      "wsdl", "xaml", "appcache", "manifest", "application", "sgml", "rtx"};
  const MimeMap defaults;
  EXPECT_EQ(defaults.size(), extensions.size());
  for (const auto& ext : extensions) {
    MimeMap map;
    const std::string name = "x." + ext;
    ASSERT_TRUE(map.lookup_known(name).has_value()) << ext;
    const std::string_view type = *map.lookup_known(name);
    EXPECT_NE(type.find('/'), std::string_view::npos) << ext;
    EXPECT_EQ(type.find(';'), std::string_view::npos) << ext;
    // A duplicated key would survive one removal.
    EXPECT_TRUE(map.remove(ext)) << ext;
    EXPECT_FALSE(map.lookup_known(name).has_value()) << ext;
    EXPECT_EQ(map.lookup(name), kOctet) << ext;
  }
}

TEST(MimeMap, KnownOnlyAndIisWildcards) {
  MimeMap map;
  EXPECT_EQ(map.lookup_known("/a/b.html"), std::optional<std::string_view>("text/html"));
  EXPECT_FALSE(map.lookup_known("/a/b.unknownext").has_value());
  EXPECT_FALSE(map.lookup_known("/a/README").has_value());
  EXPECT_FALSE(map.lookup_known("/a/.profile").has_value());
  EXPECT_FALSE(map.lookup_known("/a/file.").has_value());
  EXPECT_EQ(map.lookup("/a/README"), kOctet);
  // "." maps names without an extension; ".*" every extension the map does not list.
  const size_t n = map.size();
  EXPECT_TRUE(map.set(".", "text/plain"));
  EXPECT_EQ(map.size(), n);
  EXPECT_EQ(map.lookup_known("/a/README"), std::optional<std::string_view>("text/plain"));
  EXPECT_FALSE(map.lookup_known("/a/b.unknownext").has_value());
  EXPECT_TRUE(map.set(".*", "application/x-any"));
  EXPECT_EQ(map.lookup_known("/a/b.unknownext"),
            std::optional<std::string_view>("application/x-any"));
  EXPECT_EQ(map.lookup("/a/b.unknownext"), "application/x-any");
  EXPECT_EQ(map.lookup_known("/a/b.css"), std::optional<std::string_view>("text/css"));
  EXPECT_TRUE(map.remove("."));
  EXPECT_EQ(map.lookup_known("/a/README"), std::optional<std::string_view>("application/x-any"));
  map.clear();
  EXPECT_FALSE(map.lookup_known("/a/README").has_value());
}

}  // namespace
}  // namespace hs::http
