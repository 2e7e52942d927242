#include "config/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace hs::config {
namespace {

using Strings = std::vector<std::string>;

LoadResult parse(std::string_view xml) {
  return parse_config(xml, "t.config");
}

Strings diags(const LoadResult& r) {
  Strings out;
  for (const Diagnostic& d : r.diagnostics)
    out.push_back(d.to_string());
  return out;
}

Strings module_names(const std::vector<ModuleEntry>& v) {
  Strings out;
  for (const ModuleEntry& m : v)
    out.push_back(m.name);
  return out;
}

Strings handler_names(const std::vector<HandlerMapping>& v) {
  Strings out;
  for (const HandlerMapping& h : v)
    out.push_back(h.name);
  return out;
}

Strings extensions(const std::vector<MimeEntry>& v) {
  Strings out;
  for (const MimeEntry& m : v)
    out.push_back(m.file_extension);
  return out;
}

std::string cwd() {
  return std::filesystem::current_path().lexically_normal().string();
}

// A configuration with one site "S" whose <bindings> holds `bindings` (first one on line 7).
std::string site_with_bindings(std::string_view bindings) {
  return std::string(R"(<configuration>
  <system.applicationHost>
    <sites>
      <site name="S" id="1">
        <application path="/"><virtualDirectory path="/" physicalPath="/srv" /></application>
        <bindings>
)") + std::string(bindings) +
         R"(        </bindings>
      </site>
    </sites>
  </system.applicationHost>
</configuration>
)";
}

std::string binding(std::string_view protocol, std::string_view info) {
  return "          <binding protocol=\"" + std::string(protocol) + "\" bindingInformation=\"" +
         std::string(info) + "\" />\n";
}

constexpr const char* kUrlPathHelp =
    " is not a URL path (\"/\" or \"/a/b\": no trailing '/', no empty, '.' or '..' segment)";

// ---------------------------------------------------------------------------------------------
// Diagnostic

TEST(Diagnostic, ToString) {
  EXPECT_EQ((Diagnostic{Diagnostic::Severity::kError, "a.config", 12, "bad"}).to_string(),
            "a.config:12: error: bad");
  EXPECT_EQ((Diagnostic{Diagnostic::Severity::kWarning, "a.config", 3, "odd"}).to_string(),
            "a.config:3: warning: odd");
  EXPECT_EQ((Diagnostic{Diagnostic::Severity::kError, "a.config", 0, "cannot open: x"}).to_string(),
            "a.config: error: cannot open: x");
}

// ---------------------------------------------------------------------------------------------
// Sites

TEST(Sites, FullSite) {
  LoadResult r = parse(R"(<configuration>
  <system.applicationHost>
    <sites>
      <site name="Default Web Site" id="1" serverAutoStart="true">
        <application path="/" applicationPool="Pool1">
          <virtualDirectory path="/" physicalPath="/srv/www" />
          <virtualDirectory path="/images" physicalPath="img" />
        </application>
        <application path="/app">
          <virtualDirectory path="/" physicalPath="/srv/app" />
        </application>
        <bindings>
          <binding protocol="http" bindingInformation="*:80:" />
          <binding protocol="HTTP" bindingInformation="127.0.0.1:8080:Example.COM" />
        </bindings>
      </site>
      <site name="Second" id="4294967295">
        <application path="/"><virtualDirectory path="/" physicalPath="/srv/2" /></application>
        <bindings><binding protocol="http" bindingInformation="[::1]:8081:" /></bindings>
      </site>
    </sites>
  </system.applicationHost>
</configuration>
)");
  EXPECT_EQ(diags(r), Strings{});
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.config.sites.size(), 2u);
  const Site& s = r.config.sites[0];
  EXPECT_EQ(s.name, "Default Web Site");
  EXPECT_EQ(s.id, 1u);
  EXPECT_EQ(s.line, 4);
  ASSERT_EQ(s.applications.size(), 2u);
  EXPECT_EQ(s.applications[0].path, "/");
  EXPECT_EQ(s.applications[0].application_pool, "Pool1");
  EXPECT_EQ(s.applications[0].line, 5);
  ASSERT_EQ(s.applications[0].virtual_directories.size(), 2u);
  EXPECT_EQ(s.applications[0].virtual_directories[0].path, "/");
  EXPECT_EQ(s.applications[0].virtual_directories[0].physical_path, "/srv/www");
  EXPECT_EQ(s.applications[0].virtual_directories[0].line, 6);
  EXPECT_EQ(s.applications[0].virtual_directories[1].path, "/images");
  EXPECT_EQ(s.applications[0].virtual_directories[1].physical_path, "img");
  EXPECT_EQ(s.applications[0].virtual_directories[1].line, 7);
  EXPECT_EQ(s.applications[1].path, "/app");
  EXPECT_EQ(s.applications[1].application_pool, "");
  EXPECT_EQ(s.applications[1].line, 9);
  ASSERT_EQ(s.applications[1].virtual_directories.size(), 1u);
  EXPECT_EQ(s.applications[1].virtual_directories[0].physical_path, "/srv/app");
  ASSERT_EQ(s.bindings.size(), 2u);
  EXPECT_EQ(s.bindings[0].protocol, "http");
  EXPECT_EQ(s.bindings[0].ip, "*");
  EXPECT_EQ(s.bindings[0].port, 80);
  EXPECT_EQ(s.bindings[0].host, "");
  EXPECT_EQ(s.bindings[0].line, 13);
  EXPECT_EQ(s.bindings[1].protocol, "http");
  EXPECT_EQ(s.bindings[1].ip, "127.0.0.1");
  EXPECT_EQ(s.bindings[1].port, 8080);
  EXPECT_EQ(s.bindings[1].host, "example.com");
  EXPECT_EQ(s.bindings[1].line, 14);

  const Site& s2 = r.config.sites[1];
  EXPECT_EQ(s2.name, "Second");
  EXPECT_EQ(s2.id, 4294967295u);
  EXPECT_EQ(s2.line, 17);
  ASSERT_EQ(s2.bindings.size(), 1u);
  EXPECT_EQ(s2.bindings[0].ip, "::1");
  EXPECT_EQ(s2.bindings[0].port, 8081);
  EXPECT_EQ(s2.bindings[0].line, 19);
}

TEST(Sites, DefaultsAndStandardIisContentAreAccepted) {
  LoadResult r = parse(R"(<configuration>
  <system.applicationHost>
    <applicationPools><add name="DefaultAppPool" /><applicationPoolDefaults x="1" /></applicationPools>
    <sites>
      <site name="S" id="1">
        <application path="/"><virtualDirectory path="/" physicalPath="/srv" /></application>
        <application path="/a" applicationPool="Other"><virtualDirectory path="/" physicalPath="/a" userName="u" password="p" logonMethod="ClearText" allowSubDirConfig="true" /></application>
        <bindings><binding protocol="http" bindingInformation="*:80:" /></bindings>
        <logFile directory="x" />
      </site>
      <siteDefaults><logFile logFormat="W3C" /><anything /></siteDefaults>
      <applicationDefaults applicationPool="DefaultAppPool" enabledProtocols="http" />
      <virtualDirectoryDefaults allowSubDirConfig="true" />
    </sites>
  </system.applicationHost>
  <configSections><sectionGroup name="x"><section name="y" /></sectionGroup></configSections>
</configuration>
)");
  // <logFile> belongs to the logging module (read through the configuration model).
  EXPECT_EQ(diags(r), Strings{});
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.config.sites.size(), 1u);
  ASSERT_EQ(r.config.sites[0].applications.size(), 2u);
  EXPECT_EQ(r.config.sites[0].applications[0].application_pool, "DefaultAppPool");
  EXPECT_EQ(r.config.sites[0].applications[1].application_pool, "Other");
}

TEST(Sites, SiteErrors) {
  LoadResult r = parse(R"(<configuration>
  <system.applicationHost>
    <sites>
      <site id="1">
        <application path="/"><virtualDirectory path="/" physicalPath="/a" /></application>
      </site>
      <site name="NoId">
        <application path="/"><virtualDirectory path="/" physicalPath="/a" /></application>
      </site>
      <site name="Zero" id="0" />
      <site name="Big" id="4294967296" />
      <site name="a/b" id="7" />
      <site name="Good" id="2">
        <application path="/"><virtualDirectory path="/" physicalPath="/a" /></application>
        <bindings><binding protocol="http" bindingInformation="*:80:" /></bindings>
      </site>
      <site name="GOOD" id="3" />
      <site name="Other" id="2" />
      <site name="NoRoot" id="4">
        <application path="/app"><virtualDirectory path="/" physicalPath="/a" /></application>
        <bindings><binding protocol="http" bindingInformation="*:81:" /></bindings>
      </site>
      <site name="" id="5" />
    </sites>
  </system.applicationHost>
</configuration>
)");
  EXPECT_EQ(diags(r),
            (Strings{
                "t.config:4: error: site: missing required attribute 'name'",
                "t.config:7: error: site: missing required attribute 'id'",
                "t.config:10: error: site id: '0' is not a number in 1..4294967295",
                "t.config:11: error: site id: '4294967296' is not a number in 1..4294967295",
                "t.config:12: error: site name: 'a/b' is not a site name (no '/' or '\\')",
                "t.config:17: error: site 'GOOD': duplicate site name (first on line 13)",
                "t.config:18: error: site 'Other': duplicate site id 2 (site 'Good' on line 13)",
                "t.config:19: error: site 'NoRoot' has no root application (path \"/\")",
                "t.config:23: error: site name: must not be empty",
            }));
  EXPECT_FALSE(r.ok);
  ASSERT_EQ(r.config.sites.size(), 2u);
  EXPECT_EQ(r.config.sites[0].name, "Good");
  EXPECT_EQ(r.config.sites[1].name, "NoRoot");
}

TEST(Sites, ApplicationAndVirtualDirectoryErrors) {
  LoadResult r = parse(R"(<configuration>
  <system.applicationHost>
    <sites>
      <site name="S" id="1">
        <application path="/">
          <virtualDirectory path="/" physicalPath="/srv" />
          <virtualDirectory path="/" physicalPath="/other" />
          <virtualDirectory path="/x" />
          <virtualDirectory path="x/" physicalPath="/p" />
        </application>
        <application path="/"><virtualDirectory path="/" physicalPath="/a" /></application>
        <application path="/app/"><virtualDirectory path="/" physicalPath="/a" /></application>
        <application path="/noroot"><virtualDirectory path="/sub" physicalPath="/a" /></application>
        <application><virtualDirectory path="/" physicalPath="/a" /></application>
        <application path="/a/../b"><virtualDirectory path="/" physicalPath="/a" /></application>
      </site>
    </sites>
  </system.applicationHost>
</configuration>
)");
  EXPECT_EQ(diags(r),
            (Strings{
                "t.config:7: error: virtualDirectory '/': duplicate virtual directory path "
                "(first on line 6)",
                "t.config:8: error: virtualDirectory: missing required attribute 'physicalPath'",
                std::string("t.config:9: error: virtualDirectory path: 'x/'") + kUrlPathHelp,
                "t.config:11: error: application '/': duplicate application path (first on "
                "line 5)",
                std::string("t.config:12: error: application path: '/app/'") + kUrlPathHelp,
                "t.config:13: error: application '/noroot' has no root virtual directory "
                "(path \"/\")",
                "t.config:14: error: application: missing required attribute 'path'",
                std::string("t.config:15: error: application path: '/a/../b'") + kUrlPathHelp,
                "t.config:4: warning: site 'S' has no bindings",
            }));
  ASSERT_EQ(r.config.sites.size(), 1u);
  ASSERT_EQ(r.config.sites[0].applications.size(), 2u);
  EXPECT_EQ(r.config.sites[0].applications[0].virtual_directories.size(), 1u);
  EXPECT_EQ(r.config.sites[0].applications[1].path, "/noroot");
}

// ---------------------------------------------------------------------------------------------
// Bindings

TEST(Bindings, ValidForms) {
  struct Case {
    const char* info;
    const char* ip;
    uint16_t port;
    const char* host;
  };
  const Case cases[] = {
      {"*:80:", "*", 80, ""},
      {":8080:", "*", 8080, ""},
      {"127.0.0.1:8080:", "127.0.0.1", 8080, ""},
      {"0.0.0.0:1:", "0.0.0.0", 1, ""},
      {"[::1]:80:", "::1", 80, ""},
      {"[2001:db8::1]:65535:", "2001:db8::1", 65535, ""},
      {"*:80:example.com", "*", 80, "example.com"},
      {"*:80:WWW.Example.COM", "*", 80, "www.example.com"},
      {"*:443:*.example.com", "*", 443, "*.example.com"},
      {"10.0.0.1:8000:my-host_1", "10.0.0.1", 8000, "my-host_1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.info);
    LoadResult r = parse(site_with_bindings(binding("http", c.info)));
    EXPECT_EQ(diags(r), Strings{});
    ASSERT_TRUE(r.ok);
    ASSERT_EQ(r.config.sites.size(), 1u);
    ASSERT_EQ(r.config.sites[0].bindings.size(), 1u);
    const Binding& b = r.config.sites[0].bindings[0];
    EXPECT_EQ(b.protocol, "http");
    EXPECT_EQ(b.ip, c.ip);
    EXPECT_EQ(b.port, c.port);
    EXPECT_EQ(b.host, c.host);
    EXPECT_EQ(b.line, 7);
  }
}

TEST(Bindings, InvalidForms) {
  struct Case {
    const char* info;
    const char* message;
  };
  const Case cases[] = {
      {"", "binding bindingInformation: must not be empty"},
      {"1.2.3.4",
       "binding bindingInformation: '1.2.3.4' is not IP:port:host (no ':' after the IP "
       "address)"},
      {"1.2.3.4:80",
       "binding bindingInformation: '1.2.3.4:80' is not IP:port:host (no ':' after the port)"},
      {"1.2.3.4:0:",
       "binding bindingInformation: '1.2.3.4:0:' is not IP:port:host (the port must be a "
       "number in 1..65535)"},
      {"1.2.3.4:70000:",
       "binding bindingInformation: '1.2.3.4:70000:' is not IP:port:host (the port must be a "
       "number in 1..65535)"},
      {"1.2.3.4::",
       "binding bindingInformation: '1.2.3.4::' is not IP:port:host (the port must be a number "
       "in 1..65535)"},
      {"1.2.3.4:8o:",
       "binding bindingInformation: '1.2.3.4:8o:' is not IP:port:host (the port must be a "
       "number in 1..65535)"},
      {"1.2.3:80:",
       "binding bindingInformation: '1.2.3:80:' is not IP:port:host ('1.2.3' is not an IPv4 "
       "address, [IPv6 address] or *)"},
      {"localhost:80:",
       "binding bindingInformation: 'localhost:80:' is not IP:port:host ('localhost' is not an "
       "IPv4 address, [IPv6 address] or *)"},
      {"[::1:80:", "binding bindingInformation: '[::1:80:' is not IP:port:host (unterminated '[')"},
      {"[::1]80:",
       "binding bindingInformation: '[::1]80:' is not IP:port:host (no ':' after the IP "
       "address)"},
      {"[1.2.3.4]:80:",
       "binding bindingInformation: '[1.2.3.4]:80:' is not IP:port:host ('1.2.3.4' is not an "
       "IPv6 address)"},
      {"*:80:a b",
       "binding bindingInformation: '*:80:a b' is not IP:port:host ('a b' is not a host name)"},
      {"*:80:a:b",
       "binding bindingInformation: '*:80:a:b' is not IP:port:host ('a:b' is not a host name)"},
      {"*:80:*.",
       "binding bindingInformation: '*:80:*.' is not IP:port:host ('*.' is not a host name)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.info);
    LoadResult r = parse(site_with_bindings(binding("http", c.info)));
    EXPECT_EQ(diags(r), (Strings{std::string("t.config:7: error: ") + c.message,
                                 "t.config:4: warning: site 'S' has no bindings"}));
    EXPECT_FALSE(r.ok);
  }
}

TEST(Bindings, Protocols) {
  LoadResult r = parse(site_with_bindings(
      binding("https", "*:443:") + binding("net.tcp", "808:*") + binding("HTTP", "*:80:") +
      "          <binding bindingInformation=\"*:81:\" />\n" + "          <clear />\n" +
      "          <binding protocol=\"https\" bindingInformation=\"*:8443:a.test\" "
      "certificateFile=\"a.pem\" certificateKeyFile=\"a.key\" clientCertificate=\"Accept\" "
      "certificateHash=\"00ff\" />\n" +
      "          <binding protocol=\"https\" bindingInformation=\"*:8444:\" "
      "certificateFile=\"a.pem\" certificateKeyFile=\"a.key\" clientCertificate=\"require\" "
      "/>\n"));
  EXPECT_EQ(diags(r),
            (Strings{
                "t.config:7: warning: https binding without certificateFile and "
                "certificateKeyFile; binding ignored",
                "t.config:8: warning: binding protocol 'net.tcp' is not supported; binding "
                "ignored",
                "t.config:10: error: binding: missing required attribute 'protocol'",
                "t.config:11: warning: unknown element <clear> ignored",
                "t.config:12: warning: https binding: certificateHash/certificateStoreName "
                "ignored (certificateFile and certificateKeyFile are used)",
                "t.config:13: error: binding clientCertificate=\"require\" needs "
                "clientCertificateAuthorities (the PEM authorities client certificates must "
                "chain to)",
            }));
  ASSERT_EQ(r.config.sites.size(), 1u);
  ASSERT_EQ(r.config.sites[0].bindings.size(), 2u);
  EXPECT_EQ(r.config.sites[0].bindings[0].protocol, "http");
  EXPECT_EQ(r.config.sites[0].bindings[0].port, 80);
  const config::Binding& tls = r.config.sites[0].bindings[1];
  EXPECT_EQ(tls.protocol, "https");
  EXPECT_EQ(tls.port, 8443);
  EXPECT_EQ(tls.host, "a.test");
  EXPECT_EQ(tls.certificate_file, "a.pem");
  EXPECT_EQ(tls.certificate_key_file, "a.key");
  EXPECT_EQ(tls.client_certificate, "accept");
}

TEST(Bindings, DuplicatesWithinAndAcrossSites) {
  LoadResult r = parse(R"(<configuration>
  <system.applicationHost>
    <sites>
      <site name="A" id="1">
        <application path="/"><virtualDirectory path="/" physicalPath="/a" /></application>
        <bindings>
          <binding protocol="http" bindingInformation="*:80:" />
          <binding protocol="http" bindingInformation="*:80:a.com" />
          <binding protocol="http" bindingInformation="127.0.0.1:80:" />
          <binding protocol="http" bindingInformation=":80:" />
        </bindings>
      </site>
      <site name="B" id="2">
        <application path="/"><virtualDirectory path="/" physicalPath="/b" /></application>
        <bindings>
          <binding protocol="http" bindingInformation="*:80:A.COM" />
          <binding protocol="http" bindingInformation="*:80:b.com" />
        </bindings>
      </site>
    </sites>
  </system.applicationHost>
</configuration>
)");
  EXPECT_EQ(diags(r), (Strings{
                          "t.config:10: error: binding ':80:' is already used by site 'A' "
                          "(line 7)",
                          "t.config:16: error: binding '*:80:A.COM' is already used by site 'A' "
                          "(line 8)",
                      }));
  ASSERT_EQ(r.config.sites.size(), 2u);
  EXPECT_EQ(r.config.sites[0].bindings.size(), 3u);
  EXPECT_EQ(r.config.sites[1].bindings.size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// globalModules

TEST(GlobalModules, EntriesAndErrors) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <globalModules>
      <add name="A" image="/m/a.so" />
      <add name="B" image="b.so" preCondition="bitness64" />
      <add name="a" image="/m/a2.so" />
      <add name="C" />
      <add image="/m/d.so" />
      <add name="E" image="e.so" />
      <remove name="e" />
      <add name="F" image="" />
    </globalModules>
  </system.webServer>
</configuration>
)");
  EXPECT_EQ(diags(r),
            (Strings{
                "t.config:6: error: globalModules/add: cannot add duplicate collection entry "
                "'a' (first added on line 4)",
                "t.config:7: error: globalModules/add: missing required attribute 'image'",
                "t.config:8: error: globalModules/add: missing required attribute 'name'",
                "t.config:11: error: globalModules/add image: must not be empty",
            }));
  EXPECT_FALSE(r.ok);
  ASSERT_EQ(r.config.global_modules.size(), 2u);
  EXPECT_EQ(r.config.global_modules[0].name, "A");
  EXPECT_EQ(r.config.global_modules[0].image, "/m/a.so");
  EXPECT_EQ(r.config.global_modules[0].pre_condition, "");
  EXPECT_EQ(r.config.global_modules[0].line, 4);
  EXPECT_EQ(r.config.global_modules[1].name, "B");
  EXPECT_EQ(r.config.global_modules[1].image, "b.so");
  EXPECT_EQ(r.config.global_modules[1].pre_condition, "bitness64");
  EXPECT_EQ(r.config.global_modules[1].line, 5);
}

TEST(GlobalModules, Clear) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <globalModules>
      <add name="A" image="a.so" />
      <clear />
      <add name="A" image="a2.so" />
    </globalModules>
  </system.webServer>
</configuration>
)");
  EXPECT_EQ(diags(r), Strings{});
  ASSERT_EQ(r.config.global_modules.size(), 1u);
  EXPECT_EQ(r.config.global_modules[0].image, "a2.so");
  EXPECT_EQ(r.config.global_modules[0].line, 6);
}

TEST(GlobalModules, NotAllowedInLocation) {
  LoadResult r = parse(R"(<configuration>
  <location path="">
    <system.webServer>
      <globalModules><add name="A" image="a.so" /></globalModules>
    </system.webServer>
    <system.applicationHost />
    <system.web />
  </location>
</configuration>
)");
  EXPECT_EQ(diags(r),
            (Strings{
                "t.config:4: error: <globalModules> is only allowed at the top level, not "
                "inside <location>",
                "t.config:6: error: <system.applicationHost> is not allowed inside <location>",
                "t.config:7: warning: unknown element <system.web> ignored",
            }));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.config.global_modules.empty());
}

// ---------------------------------------------------------------------------------------------
// modules

TEST(Modules, AddRemoveWithinSection) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <modules runAllManagedModulesForAllRequests="true">
      <add name="A" />
      <add name="B" type="Managed.Type, Asm" preCondition="managedHandler" />
      <remove name="X" />
      <add name="C" bogus="1" />
      <remove name="a" />
      <remove name="x" />
    </modules>
  </system.webServer>
</configuration>
)");
  EXPECT_EQ(diags(r),
            Strings{"t.config:7: warning: modules/add: unknown attribute 'bogus' ignored"});
  ASSERT_TRUE(r.ok);
  const WebServerSettings& s = r.config.web_server;
  EXPECT_TRUE(s.modules_set);
  EXPECT_FALSE(s.modules_cleared);
  EXPECT_EQ(module_names(s.modules), (Strings{"B", "C"}));
  EXPECT_EQ(s.modules_removed, (Strings{"X", "a"}));
  EXPECT_EQ(s.modules[0].type, "Managed.Type, Asm");
  EXPECT_EQ(s.modules[0].pre_condition, "managedHandler");
  EXPECT_EQ(s.modules[0].line, 5);
  EXPECT_EQ(s.modules[1].type, "");
  EXPECT_EQ(s.modules[1].line, 7);
  EXPECT_FALSE(s.handlers_set);
  EXPECT_FALSE(s.default_document_set);
  EXPECT_FALSE(s.mime_map_set);
  EXPECT_FALSE(s.request_limits_set);
}

TEST(Modules, ClearResetsRemovals) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <modules>
      <add name="A" />
      <remove name="Z" />
      <clear />
      <add name="B" />
      <remove name="Y" />
      <add name="b" />
      <add />
    </modules>
  </system.webServer>
</configuration>
)");
  EXPECT_EQ(diags(r), (Strings{
                          "t.config:9: error: modules/add: cannot add duplicate collection entry "
                          "'b' (first added on line 7)",
                          "t.config:10: error: modules/add: missing required attribute 'name'",
                      }));
  const WebServerSettings& s = r.config.web_server;
  EXPECT_EQ(module_names(s.modules), (Strings{"B"}));
  EXPECT_TRUE(s.modules_cleared);
  EXPECT_EQ(s.modules_removed, (Strings{"Y"}));
}

// ---------------------------------------------------------------------------------------------
// handlers

TEST(Handlers, AttributesAndDefaults) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <handlers accessPolicy="Read, Script">
      <add name="Full" path="*.php" verb="GET,POST" modules="FastCgiModule" scriptProcessor="/usr/bin/php-cgi" resourceType="either" requireAccess="Script, Read" responseBufferLimit="0" preCondition="bitness64" allowPathInfo="TRUE" type="Some.Type" />
      <add name="Min" path="*" verb="*" />
      <add name="Max" path="x" verb="GET" responseBufferLimit="4294967295" allowPathInfo="False" requireAccess="None" resourceType="File" />
    </handlers>
  </system.webServer>
</configuration>
)");
  EXPECT_EQ(diags(r), Strings{});
  ASSERT_TRUE(r.ok);
  const WebServerSettings& s = r.config.web_server;
  EXPECT_TRUE(s.handlers_set);
  EXPECT_EQ(s.handlers_access_policy, "Read, Script");
  ASSERT_EQ(s.handlers.size(), 3u);
  const HandlerMapping& f = s.handlers[0];
  EXPECT_EQ(f.name, "Full");
  EXPECT_EQ(f.path, "*.php");
  EXPECT_EQ(f.verb, "GET,POST");
  EXPECT_EQ(f.modules, "FastCgiModule");
  EXPECT_EQ(f.script_processor, "/usr/bin/php-cgi");
  EXPECT_EQ(f.resource_type, "Either");
  EXPECT_EQ(f.require_access, "Script, Read");
  EXPECT_EQ(f.response_buffer_limit, 0u);
  EXPECT_EQ(f.pre_condition, "bitness64");
  EXPECT_TRUE(f.allow_path_info);
  EXPECT_EQ(f.type, "Some.Type");
  EXPECT_EQ(f.line, 4);
  const HandlerMapping& m = s.handlers[1];
  EXPECT_EQ(m.name, "Min");
  EXPECT_EQ(m.path, "*");
  EXPECT_EQ(m.verb, "*");
  EXPECT_EQ(m.modules, "");
  EXPECT_EQ(m.script_processor, "");
  EXPECT_EQ(m.resource_type, "Unspecified");
  EXPECT_EQ(m.require_access, "Script");
  EXPECT_EQ(m.response_buffer_limit, 4194304u);
  EXPECT_EQ(m.pre_condition, "");
  EXPECT_FALSE(m.allow_path_info);
  EXPECT_EQ(m.line, 5);
  const HandlerMapping& x = s.handlers[2];
  EXPECT_EQ(x.response_buffer_limit, 4294967295u);
  EXPECT_FALSE(x.allow_path_info);
  EXPECT_EQ(x.require_access, "None");
  EXPECT_EQ(x.resource_type, "File");
}

TEST(Handlers, ErrorsCarryTheAttributesLine) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <handlers>
      <add name="A" path="a"
           verb="GET"
           responseBufferLimit="4294967296"
           allowPathInfo="yes" />
      <add name="B" verb="GET" />
      <add name="C" path="c" />
      <add path="d" verb="GET" />
      <add name="E" path="e" verb="GET"
           resourceType="Folder" requireAccess="Read,Modify" />
      <add name="F" path="f" verb="GET" responseBufferLimit="-1" />
      <add name="G" path="g" verb="GET" responseBufferLimit=" 1" />
      <add name="H" path="" verb="GET" />
      <add name="A" path="a2" verb="GET" />
    </handlers>
  </system.webServer>
</configuration>
)");
  EXPECT_EQ(diags(r),
            (Strings{
                "t.config:6: error: handlers/add responseBufferLimit: '4294967296' is not a "
                "number in 0..4294967295",
                "t.config:7: error: handlers/add allowPathInfo: 'yes' is not a boolean (true "
                "or false)",
                "t.config:8: error: handlers/add: missing required attribute 'path'",
                "t.config:9: error: handlers/add: missing required attribute 'verb'",
                "t.config:10: error: handlers/add: missing required attribute 'name'",
                "t.config:12: error: handlers/add resourceType: 'Folder' is not one of File, "
                "Directory, Either, Unspecified",
                "t.config:12: error: handlers/add requireAccess: 'Read,Modify' is not a list of "
                "None, Read, Write, Script, Execute",
                "t.config:13: error: handlers/add responseBufferLimit: '-1' is not a number in "
                "0..4294967295",
                "t.config:14: error: handlers/add responseBufferLimit: ' 1' is not a number in "
                "0..4294967295",
                "t.config:15: error: handlers/add path: must not be empty",
            }));
  EXPECT_FALSE(r.ok);
  // Entries with errors are dropped, so the second "A" is not a duplicate.
  ASSERT_EQ(r.config.web_server.handlers.size(), 1u);
  EXPECT_EQ(r.config.web_server.handlers[0].path, "a2");
  EXPECT_EQ(r.config.web_server.handlers[0].line, 16);
}

TEST(Handlers, DuplicatesAreCaseInsensitiveAndRemoveAllowsReAdd) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <handlers>
      <add name="Static" path="*" verb="*" />
      <add name="STATIC" path="x" verb="*" />
      <remove name="static" />
      <add name="static" path="y" verb="*" />
      <remove />
    </handlers>
  </system.webServer>
</configuration>
)");
  EXPECT_EQ(diags(r), (Strings{
                          "t.config:5: error: handlers/add: cannot add duplicate collection "
                          "entry 'STATIC' (first added on line 4)",
                          "t.config:8: error: handlers/remove: missing required attribute 'name'",
                      }));
  const WebServerSettings& s = r.config.web_server;
  ASSERT_EQ(s.handlers.size(), 1u);
  EXPECT_EQ(s.handlers[0].name, "static");
  EXPECT_EQ(s.handlers[0].path, "y");
  EXPECT_EQ(s.handlers_removed, Strings{"static"});
  EXPECT_FALSE(s.handlers_cleared);
}

// ---------------------------------------------------------------------------------------------
// defaultDocument

TEST(DefaultDocument, FilesAndEnabled) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <defaultDocument enabled="FALSE">
      <files>
        <add value="Default.htm" />
        <add value="index.html" />
        <add value="INDEX.HTML" />
        <remove value="default.htm" />
        <add value="home.html" />
      </files>
      <files />
    </defaultDocument>
  </system.webServer>
</configuration>
)");
  EXPECT_EQ(diags(r), (Strings{
                          "t.config:7: error: files/add: cannot add duplicate collection entry "
                          "'INDEX.HTML' (first added on line 6)",
                          "t.config:11: error: duplicate <files> element (first on line 4)",
                      }));
  const WebServerSettings& s = r.config.web_server;
  EXPECT_TRUE(s.default_document_set);
  EXPECT_FALSE(s.default_document_enabled);
  EXPECT_TRUE(s.default_document_enabled_set);
  EXPECT_EQ(s.default_documents, (Strings{"index.html", "home.html"}));
  EXPECT_EQ(s.default_documents_removed, Strings{"default.htm"});
  EXPECT_FALSE(s.default_documents_cleared);
}

TEST(DefaultDocument, BadEnabledAndNoAttribute) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <defaultDocument enabled="1" />
  </system.webServer>
</configuration>
)");
  EXPECT_EQ(diags(r), Strings{"t.config:3: error: defaultDocument enabled: '1' is not a boolean "
                              "(true or false)"});
  EXPECT_TRUE(r.config.web_server.default_document_enabled);
  EXPECT_FALSE(r.config.web_server.default_document_enabled_set);

  r = parse(R"(<configuration>
  <system.webServer>
    <defaultDocument><files><clear /><add value="a.html" /></files></defaultDocument>
  </system.webServer>
</configuration>
)");
  EXPECT_EQ(diags(r), Strings{});
  EXPECT_TRUE(r.config.web_server.default_document_set);
  EXPECT_TRUE(r.config.web_server.default_document_enabled);
  EXPECT_FALSE(r.config.web_server.default_document_enabled_set);
  EXPECT_TRUE(r.config.web_server.default_documents_cleared);
  EXPECT_EQ(r.config.web_server.default_documents, Strings{"a.html"});
}

// ---------------------------------------------------------------------------------------------
// staticContent

TEST(StaticContent, MimeMap) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <staticContent>
      <remove fileExtension=".txt" />
      <mimeMap fileExtension=".md" mimeType="text/markdown; charset=utf-8" />
      <mimeMap fileExtension=".MD" mimeType="text/x-markdown" />
      <mimeMap fileExtension="json" mimeType="application/json" />
      <mimeMap fileExtension=".x" mimeType="text/plain&#13;&#10;Set-Cookie: a=b" />
      <mimeMap fileExtension=".y" />
      <clientCache cacheControlMode="UseMaxAge" />
      <mimeMap fileExtension=".webmanifest" mimeType="application/manifest+json" />
    </staticContent>
  </system.webServer>
</configuration>
)");
  EXPECT_EQ(diags(r),
            (Strings{
                "t.config:6: error: mimeMap: cannot add duplicate collection entry '.MD' (first "
                "added on line 5)",
                "t.config:7: error: mimeMap fileExtension: 'json' is not a file extension "
                "(\".ext\")",
                "t.config:8: error: mimeMap mimeType: 'text/plain\\x0d\\x0aSet-Cookie: a=b' is "
                "not a MIME type (control characters)",
                "t.config:9: error: mimeMap: missing required attribute 'mimeType'",
            }));
  const WebServerSettings& s = r.config.web_server;
  EXPECT_TRUE(s.mime_map_set);
  ASSERT_EQ(s.mime_map.size(), 2u);
  EXPECT_EQ(s.mime_map[0].file_extension, ".md");
  EXPECT_EQ(s.mime_map[0].mime_type, "text/markdown; charset=utf-8");
  EXPECT_EQ(s.mime_map[0].line, 5);
  EXPECT_EQ(s.mime_map[1].file_extension, ".webmanifest");
  EXPECT_EQ(s.mime_map_removed, Strings{".txt"});
  EXPECT_FALSE(s.mime_map_cleared);
}

TEST(StaticContent, Clear) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <staticContent lockAttributes="x">
      <mimeMap fileExtension=".a" mimeType="a/a" />
      <clear />
      <mimeMap fileExtension=".b" mimeType="b/b" />
    </staticContent>
  </system.webServer>
</configuration>
)");
  EXPECT_EQ(diags(r), Strings{});
  EXPECT_EQ(extensions(r.config.web_server.mime_map), Strings{".b"});
  EXPECT_TRUE(r.config.web_server.mime_map_cleared);
}

// ---------------------------------------------------------------------------------------------
// requestLimits

TEST(RequestLimits, ValuesAndUnknownContent) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <security>
      <requestFiltering allowDoubleEscaping="false">
        <fileExtensions allowUnlisted="true" />
        <requestLimits maxAllowedContentLength="4294967295" maxQueryString="0">
          <headerLimits />
        </requestLimits>
      </requestFiltering>
      <authentication />
    </security>
  </system.webServer>
</configuration>
)");
  EXPECT_EQ(diags(r), (Strings{
                          "t.config:10: warning: unknown element <authentication> ignored",
                      }));
  ASSERT_TRUE(r.ok);
  const WebServerSettings& s = r.config.web_server;
  EXPECT_TRUE(s.request_limits_set);
  EXPECT_EQ(s.request_limits.max_allowed_content_length, 4294967295u);
  EXPECT_TRUE(s.request_limits.max_allowed_content_length_set);
  EXPECT_EQ(s.request_limits.max_url, 4096u);
  EXPECT_FALSE(s.request_limits.max_url_set);
  EXPECT_EQ(s.request_limits.max_query_string, 0u);
  EXPECT_TRUE(s.request_limits.max_query_string_set);
}

TEST(RequestFiltering, AllowHighBitCharacters) {
  auto with = [](const std::string& attr) {
    return parse("<configuration>\n  <system.webServer><security><requestFiltering " + attr +
                 " /></security></system.webServer>\n</configuration>\n");
  };
  LoadResult def = with("");
  EXPECT_EQ(diags(def), Strings{});
  EXPECT_TRUE(def.config.web_server.allow_high_bit_characters);
  EXPECT_FALSE(def.config.web_server.allow_high_bit_characters_set);
  LoadResult off = with("allowHighBitCharacters=\"False\"");
  EXPECT_EQ(diags(off), Strings{});
  EXPECT_FALSE(off.config.web_server.allow_high_bit_characters);
  EXPECT_TRUE(off.config.web_server.allow_high_bit_characters_set);
  LoadResult bad = with("allowHighBitCharacters=\"no\"");
  EXPECT_EQ(diags(bad), (Strings{"t.config:2: error: requestFiltering allowHighBitCharacters: "
                                 "'no' is not a boolean (true or false)"}));
  EXPECT_TRUE(bad.config.web_server.allow_high_bit_characters);
}

TEST(RequestFiltering, AllowHighBitCharactersPerLocation) {
  LoadResult r = parse(R"(<configuration>
  <system.applicationHost><sites>
    <site name="Main" id="1">
      <application path="/"><virtualDirectory path="/" physicalPath="/tmp" /></application>
      <bindings><binding protocol="http" bindingInformation="*:80:" /></bindings>
    </site>
  </sites></system.applicationHost>
  <location path="Main/ascii">
    <system.webServer><security><requestFiltering allowHighBitCharacters="false" /></security></system.webServer>
  </location>
  <location path="Main/ascii/again">
    <system.webServer><security><requestFiltering allowHighBitCharacters="true" /></security></system.webServer>
  </location>
</configuration>
)");
  ASSERT_EQ(diags(r), Strings{});
  EXPECT_TRUE(effective_settings(r.config, "Main", "/").allow_high_bit_characters);
  EXPECT_FALSE(effective_settings(r.config, "Main", "/ascii").allow_high_bit_characters);
  EXPECT_FALSE(effective_settings(r.config, "Main", "/ascii/x").allow_high_bit_characters);
  EXPECT_TRUE(effective_settings(r.config, "Main", "/ascii/again/x").allow_high_bit_characters);
}

TEST(RequestLimits, BadValues) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <security>
      <requestFiltering>
        <requestLimits maxAllowedContentLength="4294967296" maxUrl="abc"
                       maxQueryString="99999999999999999999999" />
        <requestLimits maxUrl="1" />
      </requestFiltering>
    </security>
  </system.webServer>
</configuration>
)");
  EXPECT_EQ(diags(r),
            (Strings{
                "t.config:5: error: requestLimits maxAllowedContentLength: '4294967296' is not "
                "a number in 0..4294967295",
                "t.config:5: error: requestLimits maxUrl: 'abc' is not a number in "
                "0..4294967295",
                "t.config:6: error: requestLimits maxQueryString: '99999999999999999999999' is "
                "not a number in 0..4294967295",
                "t.config:7: error: duplicate <requestLimits> element (first on line 5)",
            }));
  const RequestLimits& l = r.config.web_server.request_limits;
  EXPECT_EQ(l.max_allowed_content_length, 30000000u);
  EXPECT_EQ(l.max_url, 4096u);
  EXPECT_EQ(l.max_query_string, 2048u);
  EXPECT_FALSE(l.max_allowed_content_length_set || l.max_url_set || l.max_query_string_set);
}

// ---------------------------------------------------------------------------------------------
// Unknown content, attributes, sections

TEST(Unknown, ElementsAttributesAndText) {
  LoadResult r =
      parse(R"(<configuration xmlns="http://schemas.microsoft.com/.NetConfiguration/v2.0" foo="1">
  <system.web>
    <compilation debug="true"><deep /></compilation>
  </system.web>
  <system.applicationHost>
    <log centralLogFileMode="Site" />
    <sites lockElements="x" bar="2">
      hello
    </sites>
  </system.applicationHost>
  <system.webServer>
    <httpErrors errorMode="Detailed" />
    <modules lockItem="true"><add name="A" lockItem="true" /><![CDATA[x]]></modules>
  </system.webServer>
</configuration>
)");
  EXPECT_EQ(diags(r), (Strings{
                          "t.config:1: warning: configuration: unknown attribute 'foo' ignored",
                          "t.config:2: warning: unknown element <system.web> ignored",
                          "t.config:7: warning: sites: unknown attribute 'bar' ignored",
                          "t.config:8: warning: text in <sites> ignored",
                          "t.config:13: warning: text in <modules> ignored",
                      }));
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(module_names(r.config.web_server.modules), Strings{"A"});
}

TEST(Unknown, DuplicateAttributeIsAnError) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <modules>
      <add name="A"
           name="B" />
    </modules>
  </system.webServer>
</configuration>
)");
  EXPECT_EQ(diags(r), Strings{"t.config:5: error: modules/add: duplicate attribute 'name'"});
  EXPECT_FALSE(r.ok);
}

TEST(Sections, DefinedOncePerPath) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <handlers />
    <handlers />
  </system.webServer>
  <system.webServer>
    <modules />
    <handlers />
  </system.webServer>
  <location path="">
    <system.webServer><modules /><defaultDocument /></system.webServer>
  </location>
  <location path="Site">
    <system.webServer><modules /></system.webServer>
  </location>
  <location path="site/">
    <system.webServer><modules /><handlers /></system.webServer>
  </location>
  <location path="Site/app">
    <system.webServer><modules /></system.webServer>
  </location>
  <system.applicationHost><sites /></system.applicationHost>
  <system.applicationHost><sites /></system.applicationHost>
</configuration>
)");
  EXPECT_EQ(diags(r),
            (Strings{
                "t.config:4: error: duplicate 'system.webServer/handlers' section for this path "
                "(first defined on line 3)",
                "t.config:8: error: duplicate 'system.webServer/handlers' section for this path "
                "(first defined on line 3)",
                "t.config:11: error: duplicate 'system.webServer/modules' section for this path "
                "(first defined on line 7)",
                "t.config:17: error: duplicate 'system.webServer/modules' section for this path "
                "(first defined on line 14)",
                "t.config:23: error: duplicate 'system.applicationHost/sites' section for this "
                "path (first defined on line 22)",
                "t.config:13: warning: location path 'Site': there is no site named 'Site'",
                "t.config:16: warning: location path 'site': there is no site named 'site'",
                "t.config:19: warning: location path 'Site/app': there is no site named 'Site'",
            }));
  EXPECT_FALSE(r.ok);
  ASSERT_EQ(r.config.locations.size(), 4u);
  EXPECT_TRUE(r.config.locations[2].settings.handlers_set);
  EXPECT_FALSE(r.config.locations[2].settings.modules_set);
}

// ---------------------------------------------------------------------------------------------
// Locations

TEST(Locations, Paths) {
  LoadResult r = parse(R"(<configuration>
  <location><system.webServer /></location>
  <location path="."><system.webServer /></location>
  <location path="S"><system.webServer /></location>
  <location path="S/app/sub/" inheritInChildApplications="false" overrideMode="Allow"><system.webServer /></location>
  <location path="/app"><system.webServer /></location>
  <location path="S//x"><system.webServer /></location>
  <location path="S/../x"><system.webServer /></location>
  <location path="Missing/x"><system.webServer /></location>
  <system.applicationHost><sites><site name="s" id="1"><application path="/"><virtualDirectory path="/" physicalPath="/p" /></application><bindings><binding protocol="http" bindingInformation="*:80:" /></bindings></site></sites></system.applicationHost>
</configuration>
)");
  EXPECT_EQ(diags(r),
            (Strings{
                "t.config:6: error: location path: '/app' is not a site name optionally "
                "followed by a URL path (\"Site\", \"Site/app\")",
                "t.config:7: error: location path: 'S//x' is not a site name optionally "
                "followed by a URL path (\"Site\", \"Site/app\")",
                "t.config:8: error: location path: 'S/../x' is not a site name optionally "
                "followed by a URL path (\"Site\", \"Site/app\")",
                "t.config:9: warning: location path 'Missing/x': there is no site named "
                "'Missing'",
            }));
  const std::vector<Location>& l = r.config.locations;
  ASSERT_EQ(l.size(), 5u);
  EXPECT_EQ(l[0].path, "");
  EXPECT_EQ(l[0].line, 2);
  EXPECT_EQ(l[1].path, "");
  EXPECT_EQ(l[1].site_name, "");
  EXPECT_EQ(l[1].url_path, "");
  EXPECT_EQ(l[2].path, "S");
  EXPECT_EQ(l[2].site_name, "S");
  EXPECT_EQ(l[2].url_path, "");
  EXPECT_EQ(l[3].path, "S/app/sub");
  EXPECT_EQ(l[3].site_name, "S");
  EXPECT_EQ(l[3].url_path, "/app/sub");
  EXPECT_EQ(l[3].line, 5);
  EXPECT_EQ(l[4].path, "Missing/x");
}

constexpr const char* kMergeConfig = R"(<configuration>
  <system.applicationHost>
    <sites>
      <site name="Main" id="1">
        <application path="/"><virtualDirectory path="/" physicalPath="/srv" /></application>
        <bindings><binding protocol="http" bindingInformation="*:80:" /></bindings>
      </site>
      <site name="Other" id="2">
        <application path="/"><virtualDirectory path="/" physicalPath="/srv2" /></application>
        <bindings><binding protocol="http" bindingInformation="*:81:" /></bindings>
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <modules><add name="M1" /><add name="M2" /></modules>
    <handlers accessPolicy="Read">
      <add name="Static" path="*" verb="GET" modules="StaticFileModule" />
      <add name="Hello" path="hello" verb="GET" modules="M1" />
    </handlers>
    <defaultDocument><files><add value="index.html" /></files></defaultDocument>
    <staticContent><mimeMap fileExtension=".a" mimeType="a/a" /></staticContent>
  </system.webServer>
  <location path="Main/app/sub">
    <system.webServer>
      <modules><remove name="M1" /><add name="M4" /></modules>
      <handlers><add name="Sub" path="*.x" verb="*" modules="M4" /></handlers>
      <security><requestFiltering><requestLimits maxQueryString="10" /></requestFiltering></security>
    </system.webServer>
  </location>
  <location path="Main">
    <system.webServer>
      <modules><add name="M3" /></modules>
      <handlers accessPolicy="Read, Script"><remove name="Hello" /><add name="Site" path="site" verb="GET" modules="M2" /></handlers>
      <defaultDocument enabled="false"><files><add value="home.html" /></files></defaultDocument>
      <staticContent><mimeMap fileExtension=".b" mimeType="b/b" /></staticContent>
      <security><requestFiltering><requestLimits maxUrl="2000" maxAllowedContentLength="5" /></requestFiltering></security>
    </system.webServer>
  </location>
  <location path="Main/app">
    <system.webServer>
      <staticContent><clear /><mimeMap fileExtension=".c" mimeType="c/c" /></staticContent>
      <defaultDocument><files><remove value="INDEX.html" /></files></defaultDocument>
    </system.webServer>
  </location>
  <location path="">
    <system.webServer>
      <security><requestFiltering><requestLimits maxAllowedContentLength="7" maxUrl="1000" /></requestFiltering></security>
    </system.webServer>
  </location>
</configuration>
)";

void expect_no_edits(const WebServerSettings& s) {
  EXPECT_FALSE(s.modules_cleared || s.handlers_cleared || s.default_documents_cleared ||
               s.mime_map_cleared);
  EXPECT_TRUE(s.modules_removed.empty() && s.handlers_removed.empty() &&
              s.default_documents_removed.empty() && s.mime_map_removed.empty());
}

TEST(EffectiveSettings, SiteLevel) {
  LoadResult r = parse(kMergeConfig);
  ASSERT_EQ(diags(r), Strings{});
  for (std::string_view url : {"/", "", "/apple", "/x/y", "/App/sub"}) {
    SCOPED_TRACE(url);
    WebServerSettings s = effective_settings(r.config, "Main", url);
    EXPECT_EQ(module_names(s.modules), (Strings{"M1", "M2", "M3"}));
    EXPECT_EQ(handler_names(s.handlers), (Strings{"Site", "Static"}));
    EXPECT_EQ(s.handlers_access_policy, "Read, Script");
    EXPECT_EQ(s.default_documents, (Strings{"home.html", "index.html"}));
    EXPECT_FALSE(s.default_document_enabled);
    EXPECT_TRUE(s.default_document_enabled_set);
    EXPECT_EQ(extensions(s.mime_map), (Strings{".a", ".b"}));
    EXPECT_TRUE(s.request_limits_set);
    EXPECT_EQ(s.request_limits.max_allowed_content_length, 5u);
    EXPECT_EQ(s.request_limits.max_url, 2000u);
    EXPECT_EQ(s.request_limits.max_query_string, 2048u);
    EXPECT_FALSE(s.request_limits.max_query_string_set);
    EXPECT_TRUE(s.modules_set && s.handlers_set && s.default_document_set && s.mime_map_set);
    expect_no_edits(s);
  }
}

TEST(EffectiveSettings, NestedLocationsApplyFromLeastToMostSpecific) {
  LoadResult r = parse(kMergeConfig);
  ASSERT_EQ(diags(r), Strings{});
  // "Main/app/sub" comes first in the file but applies last.
  for (std::string_view url : {"/app/sub", "/app/sub/", "/app/sub/x/y.html"}) {
    SCOPED_TRACE(url);
    WebServerSettings s = effective_settings(r.config, "main", url);
    EXPECT_EQ(module_names(s.modules), (Strings{"M2", "M3", "M4"}));
    EXPECT_EQ(handler_names(s.handlers), (Strings{"Sub", "Site", "Static"}));
    EXPECT_EQ(s.default_documents, Strings{"home.html"});
    EXPECT_FALSE(s.default_document_enabled);
    EXPECT_EQ(extensions(s.mime_map), Strings{".c"});
    EXPECT_EQ(s.request_limits.max_allowed_content_length, 5u);
    EXPECT_EQ(s.request_limits.max_url, 2000u);
    EXPECT_EQ(s.request_limits.max_query_string, 10u);
    EXPECT_TRUE(s.request_limits.max_query_string_set);
    expect_no_edits(s);
  }
  WebServerSettings app = effective_settings(r.config, "Main", "/app/subway");
  EXPECT_EQ(module_names(app.modules), (Strings{"M1", "M2", "M3"}));
  EXPECT_EQ(handler_names(app.handlers), (Strings{"Site", "Static"}));
  EXPECT_EQ(extensions(app.mime_map), Strings{".c"});
  EXPECT_EQ(app.default_documents, Strings{"home.html"});
}

TEST(EffectiveSettings, OtherSiteGetsTopLevelAndGlobalLocation) {
  LoadResult r = parse(kMergeConfig);
  ASSERT_EQ(diags(r), Strings{});
  WebServerSettings s = effective_settings(r.config, "Other", "/app/sub");
  EXPECT_EQ(module_names(s.modules), (Strings{"M1", "M2"}));
  EXPECT_EQ(handler_names(s.handlers), (Strings{"Static", "Hello"}));
  EXPECT_EQ(s.handlers_access_policy, "Read");
  EXPECT_EQ(s.default_documents, Strings{"index.html"});
  EXPECT_TRUE(s.default_document_enabled);
  EXPECT_FALSE(s.default_document_enabled_set);
  EXPECT_EQ(extensions(s.mime_map), Strings{".a"});
  EXPECT_EQ(s.request_limits.max_allowed_content_length, 7u);
  EXPECT_EQ(s.request_limits.max_url, 1000u);
  EXPECT_EQ(s.request_limits.max_query_string, 2048u);

  // Nothing configured at all: the defaults.
  WebServerSettings empty = effective_settings(Config{}, "x", "/");
  EXPECT_FALSE(empty.modules_set || empty.handlers_set || empty.default_document_set ||
               empty.mime_map_set || empty.request_limits_set);
  EXPECT_TRUE(empty.default_document_enabled);
  EXPECT_EQ(empty.request_limits.max_allowed_content_length, 30000000u);
}

TEST(EffectiveSettings, TopLevelEditsAreNotCarriedOver) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <modules><clear /><add name="A" /><remove name="Z" /></modules>
  </system.webServer>
</configuration>
)");
  ASSERT_EQ(diags(r), Strings{});
  EXPECT_TRUE(r.config.web_server.modules_cleared);
  WebServerSettings s = effective_settings(r.config, "S", "/");
  EXPECT_EQ(module_names(s.modules), Strings{"A"});
  expect_no_edits(s);
}

TEST(EffectiveSettings, InheritedDuplicatesAreErrors) {
  LoadResult r = parse(R"(<configuration>
  <system.applicationHost><sites><site name="S" id="1"><application path="/"><virtualDirectory path="/" physicalPath="/p" /></application><bindings><binding protocol="http" bindingInformation="*:80:" /></bindings></site></sites></system.applicationHost>
  <system.webServer>
    <modules><add name="A" /></modules>
    <handlers><add name="H" path="*" verb="*" /></handlers>
    <defaultDocument><files><add value="index.html" /></files></defaultDocument>
  </system.webServer>
  <location path="S">
    <system.webServer>
      <modules><add name="a" /><add name="B" /></modules>
      <handlers><remove name="H" /><add name="H" path="x" verb="*" /></handlers>
      <defaultDocument><files><add value="INDEX.html" /></files></defaultDocument>
    </system.webServer>
  </location>
  <location path="S/app">
    <system.webServer>
      <modules><add name="B" /></modules>
      <handlers><add name="H" path="y" verb="*" /></handlers>
    </system.webServer>
  </location>
  <location path="S/other">
    <system.webServer>
      <modules><clear /><add name="A" /><add name="B" /></modules>
    </system.webServer>
  </location>
</configuration>
)");
  EXPECT_EQ(diags(r),
            (Strings{
                "t.config:10: error: modules/add: cannot add duplicate collection entry 'a' "
                "(inherited from line 4)",
                "t.config:8: error: files/add: cannot add duplicate collection entry "
                "'INDEX.html' (inherited)",
                "t.config:17: error: modules/add: cannot add duplicate collection entry 'B' "
                "(inherited from line 10)",
                "t.config:18: error: handlers/add: cannot add duplicate collection entry 'H' "
                "(inherited from line 11)",
            }));
  EXPECT_FALSE(r.ok);
  // Despite the errors, effective_settings() drops the duplicates.
  WebServerSettings s = effective_settings(r.config, "S", "/app");
  EXPECT_EQ(module_names(s.modules), (Strings{"A", "B"}));
  ASSERT_EQ(s.handlers.size(), 1u);
  EXPECT_EQ(s.handlers[0].path, "x");
  WebServerSettings other = effective_settings(r.config, "S", "/other");
  EXPECT_EQ(module_names(other.modules), (Strings{"A", "B"}));
  EXPECT_EQ(other.modules[0].line, 23);
}

// ---------------------------------------------------------------------------------------------
// XML-level errors

TEST(Xml, SyntaxErrorLine) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    </handlers>
  </system.webServer>
</configuration>
)");
  EXPECT_EQ(diags(r), Strings{"t.config:3: error: XML syntax error: Start-end tags mismatch"});
  EXPECT_FALSE(r.ok);

  r = parse("<configuration>\n  <modules>\n    <add name=\"x />\n  </modules>\n</configuration>\n");
  EXPECT_EQ(diags(r),
            Strings{"t.config:3: error: XML syntax error: Error parsing element attribute"});

  r = parse("<configuration>\n<system.webServer>\n");
  EXPECT_EQ(diags(r), Strings{"t.config:2: error: XML syntax error: Start-end tags mismatch"});
}

TEST(Xml, NotXml) {
  LoadResult r = parse("hello world\n");
  EXPECT_EQ(diags(r), Strings{"t.config:1: error: XML syntax error: text outside the root "
                              "element"});
  EXPECT_FALSE(r.ok);
  r = parse("<configuration/>\ntrailing\n");
  EXPECT_EQ(diags(r), Strings{"t.config:2: error: XML syntax error: text outside the root "
                              "element"});
  r = parse(std::string_view("\x01\x02\x00\x03", 4));
  EXPECT_EQ(diags(r), Strings{"t.config:1: error: XML syntax error: text outside the root "
                              "element"});
  r = parse("<?xml version=\"1.0\"?>\n<!-- only a comment -->\n");
  EXPECT_EQ(diags(r), Strings{"t.config:2: error: XML syntax error: No document element found"});
}

TEST(Xml, EmptyFile) {
  for (std::string_view text : {"", "  \n\t\r\n", "\xef\xbb\xbf"}) {
    LoadResult r = parse(text);
    EXPECT_EQ(diags(r), Strings{"t.config:1: error: the file is empty (expected a "
                                "<configuration> element)"});
    EXPECT_FALSE(r.ok);
  }
}

TEST(Xml, RootMustBeConfiguration) {
  LoadResult r = parse("<?xml version=\"1.0\"?>\n<config>\n</config>\n");
  EXPECT_EQ(diags(r), Strings{"t.config:2: error: the root element is <config>, expected "
                              "<configuration>"});
  EXPECT_FALSE(r.ok);
  r = parse("<configuration/>\n<configuration/>\n");
  EXPECT_EQ(diags(r), Strings{"t.config:2: error: more than one root element (<configuration>)"});
  EXPECT_FALSE(r.ok);
}

TEST(Xml, ByteOrderMarkAndLineEndings) {
  LoadResult r = parse(
      "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n"
      "  <unknown />\n</configuration>\n");
  EXPECT_EQ(diags(r), Strings{"t.config:3: warning: unknown element <unknown> ignored"});
  EXPECT_TRUE(r.ok);

  r = parse(
      "<configuration>\r\n  <system.webServer>\r\n    <handlers>\r\n      <add name=\"A\"\r\n"
      "           path=\"a\" verb=\"GET\"\r\n           allowPathInfo=\"no\" />\r\n"
      "    </handlers>\r\n  </system.webServer>\r\n  <x />\r\n</configuration>\r\n");
  EXPECT_EQ(diags(r), (Strings{
                          "t.config:6: error: handlers/add allowPathInfo: 'no' is not a boolean "
                          "(true or false)",
                          "t.config:9: warning: unknown element <x> ignored",
                      }));

  r = parse(std::string_view("\xff\xfe<\0c\0", 6));
  EXPECT_EQ(diags(r), Strings{"t.config:1: error: the file is UTF-16; save it as UTF-8"});
  EXPECT_FALSE(r.ok);
}

TEST(Xml, AttributeLinesSurviveEscapesAndMultiLineValues) {
  LoadResult r = parse(
      "<configuration>\n<system.webServer><handlers><add name=\"a&amp;&lt;&#x41;b\"\n"
      " path=\"multi\nline\nvalue\" verb=\"GET\"\n allowPathInfo=\"x\"/></handlers>"
      "</system.webServer></configuration>");
  EXPECT_EQ(diags(r), Strings{"t.config:6: error: handlers/add allowPathInfo: 'x' is not a "
                              "boolean (true or false)"});
}

TEST(Xml, DoctypeEntitiesAreNotExpanded) {
  LoadResult r = parse(
      "<?xml version=\"1.0\"?>\n<!DOCTYPE c [ <!ENTITY e \"x\"> ]>\n<configuration>\n"
      "  <system.webServer><modules><add name=\"&e;\" /></modules></system.webServer>\n"
      "</configuration>\n");
  EXPECT_EQ(diags(r), Strings{});
  EXPECT_EQ(module_names(r.config.web_server.modules), Strings{"&e;"});
}

// ---------------------------------------------------------------------------------------------
// Files and paths

TEST(LoadConfigFile, IoErrors) {
  LoadResult r = load_config_file("/nonexistent-dir/applicationHost.config");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(diags(r), Strings{"/nonexistent-dir/applicationHost.config: error: cannot open: No "
                              "such file or directory"});
  EXPECT_EQ(r.config.file, "/nonexistent-dir/applicationHost.config");

  r = load_config_file("/");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(diags(r), Strings{"/: error: cannot read: Is a directory"});
}

TEST(LoadConfigFile, ReadsAndParses) {
  std::string dir = testing::TempDir() + "hs_config_test_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::string path = dir + "/app.config";
  {
    std::ofstream out(path);
    out << "<configuration>\n  <system.webServer>\n    <defaultDocument enabled=\"maybe\" />\n"
           "  </system.webServer>\n</configuration>\n";
  }
  LoadResult r = load_config_file(path);
  EXPECT_EQ(diags(r), Strings{path + ":3: error: defaultDocument enabled: 'maybe' is not a "
                                     "boolean (true or false)"});
  EXPECT_EQ(r.config.file, path);
  EXPECT_EQ(r.config.base_dir, std::filesystem::path(dir).lexically_normal().string());
  std::filesystem::remove_all(dir);
}

TEST(ResolvePath, RelativeToTheConfigFilesDirectory) {
  LoadResult r = parse_config("<configuration/>", "/etc/hs/app.config");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.config.base_dir, "/etc/hs");
  EXPECT_EQ(resolve_path(r.config, "site"), "/etc/hs/site");
  EXPECT_EQ(resolve_path(r.config, "./a/./b/"), "/etc/hs/a/b/");
  EXPECT_EQ(resolve_path(r.config, "../build/modules/hello.so"), "/etc/build/modules/hello.so");
  EXPECT_EQ(resolve_path(r.config, "/abs/x/../y"), "/abs/x/../y");
  EXPECT_EQ(resolve_path(r.config, ""), "");

  r = parse_config("<configuration/>", "conf/../conf/app.config");
  EXPECT_EQ(r.config.base_dir, cwd() + "/conf");
  EXPECT_EQ(resolve_path(r.config, "site"), cwd() + "/conf/site");

  r = parse_config("<configuration/>", "app.config");
  EXPECT_EQ(r.config.base_dir, cwd());

  r = parse_config("<configuration/>", "/app.config");
  EXPECT_EQ(r.config.base_dir, "/");
  EXPECT_EQ(resolve_path(r.config, "site"), "/site");

  EXPECT_EQ(resolve_path(Config{}, "a/./b"), "a/b");
}

// ---------------------------------------------------------------------------------------------
// check_module_references

TEST(CheckModuleReferences, UnknownNames) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <globalModules><add name="Hello" image="hello.so" /></globalModules>
    <modules>
      <add name="hello" />
      <add name="StaticFileModule" />
      <add name="Missing" />
      <add name="Managed" type="A.B" />
    </modules>
    <handlers>
      <add name="H1" path="*" verb="*" modules="Hello, StaticFileModule" />
      <add name="H2" path="*" verb="*" modules="Hello,Nope" />
      <add name="H3" path="*" verb="*" type="A.B" />
    </handlers>
  </system.webServer>
  <location path="S">
    <system.webServer><modules><add name="Ghost" /></modules></system.webServer>
  </location>
</configuration>
)");
  ASSERT_EQ(diags(r), Strings{"t.config:16: warning: location path 'S': there is no site named "
                              "'S'"});
  const std::string_view builtins[] = {"StaticFileModule", "DefaultDocumentModule"};
  std::vector<Diagnostic> out;
  EXPECT_FALSE(check_module_references(r.config, builtins, &out));
  Strings got;
  for (const Diagnostic& d : out)
    got.push_back(d.to_string());
  EXPECT_EQ(got, (Strings{
                     "t.config:7: error: modules/add 'Missing': not a global module "
                     "(<globalModules>) nor a built-in module",
                     "t.config:8: warning: modules/add 'Managed': managed modules are not "
                     "supported; ignored",
                     "t.config:12: error: handlers/add 'H2': module 'Nope' is not a global "
                     "module (<globalModules>) nor a built-in module",
                     "t.config:13: error: handlers/add 'H3': no modules (managed handlers are "
                     "not supported)",
                     "t.config:17: error: modules/add 'Ghost': not a global module "
                     "(<globalModules>) nor a built-in module",
                 }));
}

// ---------------------------------------------------------------------------------------------
// The example shipped in examples/

TEST(ExampleFile, LoadsCleanly) {
  std::string path = std::filesystem::absolute(std::filesystem::path(__FILE__).parent_path() /
                                               "../../../examples/applicationHost.config")
                         .lexically_normal()
                         .string();
  LoadResult r = load_config_file(path);
  EXPECT_EQ(diags(r), Strings{});
  ASSERT_TRUE(r.ok);
  const Config& c = r.config;

  ASSERT_EQ(c.sites.size(), 1u);
  const Site& site = c.sites[0];
  EXPECT_EQ(site.name, "Default Web Site");
  EXPECT_EQ(site.id, 1u);
  ASSERT_EQ(site.bindings.size(), 1u);
  EXPECT_EQ(site.bindings[0].protocol, "http");
  EXPECT_EQ(site.bindings[0].ip, "127.0.0.1");
  EXPECT_EQ(site.bindings[0].port, 8080);
  EXPECT_EQ(site.bindings[0].host, "");
  ASSERT_EQ(site.applications.size(), 1u);
  EXPECT_EQ(site.applications[0].path, "/");
  EXPECT_EQ(site.applications[0].application_pool, "DefaultAppPool");
  ASSERT_EQ(site.applications[0].virtual_directories.size(), 1u);
  std::string root = resolve_path(c, site.applications[0].virtual_directories[0].physical_path);
  EXPECT_EQ(root, (std::filesystem::path(path).parent_path() / "site").string());
  EXPECT_TRUE(std::filesystem::is_regular_file(root + "/index.html"));

  Strings globals;
  for (const GlobalModule& g : c.global_modules)
    globals.push_back(g.name + "=" + resolve_path(c, g.image));
  std::string build =
      (std::filesystem::path(path).parent_path().parent_path() / "build/modules/").string();
  EXPECT_EQ(globals, (Strings{
                         "HelloModule=" + build + "hello.so",
                         "EchoModule=" + build + "echo.so",
                         "StreamModule=" + build + "stream.so",
                         "AsyncModule=" + build + "async.so",
                         "HeaderFilterModule=" + build + "header_filter.so",
                     }));

  WebServerSettings s = effective_settings(c, "Default Web Site", "/");
  EXPECT_EQ(module_names(s.modules),
            (Strings{"HeaderFilterModule", "HelloModule", "EchoModule", "StreamModule",
                     "AsyncModule", "DefaultDocumentModule", "StaticFileModule"}));
  ASSERT_EQ(s.handlers.size(), 5u);
  EXPECT_EQ(handler_names(s.handlers), (Strings{"Hello", "Echo", "Stream", "Async", "StaticFile"}));
  EXPECT_EQ(s.handlers[0].path, "hello");
  EXPECT_EQ(s.handlers[0].verb, "GET,HEAD");
  EXPECT_EQ(s.handlers[0].modules, "HelloModule");
  EXPECT_EQ(s.handlers[1].verb, "POST");
  EXPECT_EQ(s.handlers[2].verb, "*");
  EXPECT_EQ(s.handlers[4].path, "*");
  EXPECT_EQ(s.handlers[4].modules, "StaticFileModule,DefaultDocumentModule");
  EXPECT_EQ(s.handlers[4].resource_type, "Either");
  EXPECT_TRUE(s.default_document_enabled);
  EXPECT_EQ(s.default_documents, (Strings{"index.html", "index.htm"}));
  EXPECT_EQ(extensions(s.mime_map), (Strings{".md", ".webmanifest"}));
  EXPECT_EQ(s.request_limits.max_allowed_content_length, 16777216u);
  EXPECT_EQ(s.request_limits.max_url, 4096u);
  EXPECT_EQ(s.request_limits.max_query_string, 2048u);

  WebServerSettings files = effective_settings(c, "Default Web Site", "/files/x.txt");
  EXPECT_FALSE(files.default_document_enabled);
  EXPECT_EQ(files.request_limits.max_allowed_content_length, 1048576u);
  EXPECT_EQ(files.request_limits.max_url, 4096u);

  const std::string_view builtins[] = {"StaticFileModule", "DefaultDocumentModule"};
  std::vector<Diagnostic> refs;
  EXPECT_TRUE(check_module_references(c, builtins, &refs));
  EXPECT_TRUE(refs.empty());
}

// ---------------------------------------------------------------------------------------------
// caching (the fragment cache's limits)

TEST(Caching, TopLevelValuesAndIgnoredParts) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <caching enabled="true" maxCacheSize="16" maxResponseSize="1024" bogus="1">
      <profiles />
      <other />
    </caching>
  </system.webServer>
  <location path="">
    <system.webServer>
      <caching maxCacheSize="99" />
    </system.webServer>
  </location>
</configuration>
)");
  EXPECT_EQ(diags(r),
            (Strings{
                "t.config:3: warning: caching: unknown attribute 'bogus' ignored",
                "t.config:5: warning: unknown element <other> ignored",
                "t.config:10: warning: <caching> sets the server-wide fragment cache: only "
                "the top-level section counts; ignored inside <location>",
            }));
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.config.caching.set);
  EXPECT_EQ(r.config.caching.max_cache_size_mb, 16u);
  EXPECT_TRUE(r.config.caching.max_cache_size_set);
  EXPECT_EQ(r.config.caching.max_response_size, 1024u);
}

TEST(Caching, BadValuesAreErrorsWithTheLine) {
  LoadResult r = parse(R"(<configuration>
  <system.webServer>
    <caching maxCacheSize="-1" maxResponseSize="4294967296" />
  </system.webServer>
</configuration>
)");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(diags(r),
            (Strings{"t.config:3: error: caching maxCacheSize: '-1' is not a number in "
                     "0..4294967295",
                     "t.config:3: error: caching maxResponseSize: '4294967296' is not a number "
                     "in 0..4294967295"}));
  EXPECT_FALSE(r.config.caching.max_cache_size_set || r.config.caching.max_response_size_set);
}

}  // namespace
}  // namespace hs::config

namespace hs::config {
namespace {

// <configSections> registers module sections: their elements are kept for the configuration
// API and are no longer "unknown element" warnings; undeclared ones still are.
TEST(ConfigSections, DeclaredSectionsAreKeptWithoutWarnings) {
  LoadResult r = parse(R"(<configuration>
  <configSections>
    <sectionGroup name="system.webServer">
      <section name="hsts" overrideModeDefault="Allow" />
      <sectionGroup name="deep"><section name="inner" allowDefinition="Everywhere" /></sectionGroup>
    </sectionGroup>
    <section name="appSettings" />
  </configSections>
  <system.webServer>
    <hsts enabled="true" max-age="5" />
    <deep><inner x="1" /></deep>
    <other />
  </system.webServer>
  <appSettings><add key="k" value="v" /></appSettings>
  <location path="Site"><system.webServer><hsts enabled="false" /></system.webServer></location>
</configuration>)");
  EXPECT_TRUE(r.ok);
  // <deep> itself is not a section (only deep/inner is), so it is reported; <other> too.
  EXPECT_EQ(diags(r),
            (Strings{"t.config:11: warning: unknown element <deep> ignored",
                     "t.config:12: warning: unknown element <other> ignored",
                     "t.config:15: warning: location path 'Site': there is no site named 'Site'"}));
  ASSERT_EQ(r.config.declared_sections.size(), 3u);
  EXPECT_EQ(r.config.declared_sections[0].name, "system.webServer/hsts");
  EXPECT_EQ(r.config.declared_sections[0].override_mode_default, "Allow");
  EXPECT_EQ(r.config.declared_sections[1].name, "system.webServer/deep/inner");
  EXPECT_EQ(r.config.declared_sections[1].allow_definition, "Everywhere");
  EXPECT_NE(r.config.declaration("SYSTEM.WEBSERVER/HSTS"), nullptr);  // case-insensitive
  EXPECT_EQ(r.config.declaration("system.webServer/other"), nullptr);
  // The whole file is kept, with lines.
  ASSERT_NE(r.config.document, nullptr);
  const XmlElement* hsts = r.config.document->child("system.webServer")->child("hsts");
  ASSERT_NE(hsts, nullptr);
  EXPECT_EQ(hsts->line, 10);
  ASSERT_NE(hsts->attribute("max-age"), nullptr);
  EXPECT_EQ(*hsts->attribute("max-age"), "5");
  EXPECT_EQ(hsts->attribute("maxAge"), nullptr);
}

TEST(ConfigSections, Errors) {
  LoadResult r = parse(R"(<configuration>
  <configSections>
    <section name="a" />
    <section name="A" />
    <section />
  </configSections>
</configuration>)");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(diags(r), (Strings{"t.config:4: error: section 'A' is declared twice (first on line 3)",
                               "t.config:5: error: section: missing required attribute 'name'"}));
}

}  // namespace
}  // namespace hs::config
