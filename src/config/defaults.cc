#include <mutex>

#include "config/sections.h"

namespace hs::config {
namespace {

// What IIS's own applicationHost.config holds for the sections the server's built-in modules
// implement, as shipped (IIS 10), plus what httpserv adds on purpose: the brotli scheme (IIS
// needs the iisbrotli add-on for it) and JSON, XML and WebAssembly among the compressed types.
// The file a user writes is read on top of this level, so "IIS's defaults" hold unless that
// file <remove>s or <clear>s them, exactly as a web.config does under IIS.
constexpr const char kDefaults[] = R"(<configuration>
  <system.webServer>
    <security>
      <requestFiltering>
        <fileExtensions allowUnlisted="true" applyToWebDAV="true">
          <add fileExtension=".asa" allowed="false"/>
          <add fileExtension=".asax" allowed="false"/>
          <add fileExtension=".ascx" allowed="false"/>
          <add fileExtension=".master" allowed="false"/>
          <add fileExtension=".skin" allowed="false"/>
          <add fileExtension=".browser" allowed="false"/>
          <add fileExtension=".sitemap" allowed="false"/>
          <add fileExtension=".config" allowed="false"/>
          <add fileExtension=".cs" allowed="false"/>
          <add fileExtension=".csproj" allowed="false"/>
          <add fileExtension=".vb" allowed="false"/>
          <add fileExtension=".vbproj" allowed="false"/>
          <add fileExtension=".webinfo" allowed="false"/>
          <add fileExtension=".licx" allowed="false"/>
          <add fileExtension=".resx" allowed="false"/>
          <add fileExtension=".resources" allowed="false"/>
          <add fileExtension=".mdb" allowed="false"/>
          <add fileExtension=".vjsproj" allowed="false"/>
          <add fileExtension=".java" allowed="false"/>
          <add fileExtension=".jsl" allowed="false"/>
          <add fileExtension=".ldb" allowed="false"/>
          <add fileExtension=".dsdgm" allowed="false"/>
          <add fileExtension=".ssdgm" allowed="false"/>
          <add fileExtension=".lsad" allowed="false"/>
          <add fileExtension=".ssmap" allowed="false"/>
          <add fileExtension=".cd" allowed="false"/>
          <add fileExtension=".dsprototype" allowed="false"/>
          <add fileExtension=".lsaprototype" allowed="false"/>
          <add fileExtension=".sdm" allowed="false"/>
          <add fileExtension=".sdmDocument" allowed="false"/>
          <add fileExtension=".mdf" allowed="false"/>
          <add fileExtension=".ldf" allowed="false"/>
          <add fileExtension=".ad" allowed="false"/>
          <add fileExtension=".dd" allowed="false"/>
          <add fileExtension=".ldd" allowed="false"/>
          <add fileExtension=".sd" allowed="false"/>
          <add fileExtension=".adprototype" allowed="false"/>
          <add fileExtension=".lddprototype" allowed="false"/>
          <add fileExtension=".exclude" allowed="false"/>
          <add fileExtension=".refresh" allowed="false"/>
          <add fileExtension=".compiled" allowed="false"/>
          <add fileExtension=".msgx" allowed="false"/>
          <add fileExtension=".vsdisco" allowed="false"/>
          <add fileExtension=".rules" allowed="false"/>
        </fileExtensions>
        <verbs allowUnlisted="true" applyToWebDAV="true"/>
        <hiddenSegments applyToWebDAV="true">
          <add segment="web.config"/>
          <add segment="bin"/>
          <add segment="App_code"/>
          <add segment="App_GlobalResources"/>
          <add segment="App_LocalResources"/>
          <add segment="App_WebReferences"/>
          <add segment="App_Data"/>
          <add segment="App_Browsers"/>
        </hiddenSegments>
      </requestFiltering>
    </security>
    <httpCompression>
      <scheme name="br" dll="libbrotlienc"/>
      <scheme name="gzip" dll="libz"/>
      <staticTypes>
        <add mimeType="text/*" enabled="true"/>
        <add mimeType="message/*" enabled="true"/>
        <add mimeType="application/javascript" enabled="true"/>
        <add mimeType="application/atom+xml" enabled="true"/>
        <add mimeType="application/xaml+xml" enabled="true"/>
        <add mimeType="image/svg+xml" enabled="true"/>
        <add mimeType="application/json" enabled="true"/>
        <add mimeType="application/xml" enabled="true"/>
        <add mimeType="application/rss+xml" enabled="true"/>
        <add mimeType="application/manifest+json" enabled="true"/>
        <add mimeType="application/wasm" enabled="true"/>
        <add mimeType="*/*" enabled="false"/>
      </staticTypes>
      <dynamicTypes>
        <add mimeType="text/*" enabled="true"/>
        <add mimeType="message/*" enabled="true"/>
        <add mimeType="application/x-javascript" enabled="true"/>
        <add mimeType="application/javascript" enabled="true"/>
        <add mimeType="application/json" enabled="true"/>
        <add mimeType="application/xml" enabled="true"/>
        <add mimeType="*/*" enabled="false"/>
      </dynamicTypes>
    </httpCompression>
  </system.webServer>
</configuration>
)";

}  // namespace

const XmlElement& server_defaults() noexcept {
  // Immortal: read by every thread until exit. The text is ours and valid (a unit test parses
  // it with diagnostics), so a failure here can only be running out of memory at startup.
  static const XmlElement* const doc = [] {
    LoadResult r = parse_config(kDefaults, "<server defaults>");
    return r.config.document ? new XmlElement(*r.config.document) : new XmlElement();
  }();
  return *doc;
}

std::string_view server_defaults_text() noexcept {
  return kDefaults;
}

}  // namespace hs::config
