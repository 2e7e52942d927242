#include "config/schema.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <pugixml.hpp>

namespace hs::config {
namespace {

using Severity = Diagnostic::Severity;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

bool parse_type(std::string_view t, AttributeType* out) {
  static const struct {
    const char* name;
    AttributeType type;
  } kTypes[] = {{"string", AttributeType::kString}, {"bool", AttributeType::kBool},
                {"uint", AttributeType::kUint},     {"int", AttributeType::kInt},
                {"int64", AttributeType::kInt64},   {"timeSpan", AttributeType::kTimeSpan},
                {"enum", AttributeType::kEnum},     {"flags", AttributeType::kFlags}};
  for (const auto& k : kTypes) {
    if (iequals(k.name, t)) {
      *out = k.type;
      return true;
    }
  }
  return false;
}

bool is_true(const char* v) {
  return iequals(v, "true");
}

class SchemaParser {
 public:
  SchemaParser(std::string_view xml, const std::string& file, std::vector<Diagnostic>* diags)
      : xml_(xml), file_(file), diags_(diags) {
    for (size_t i = 0; i < xml_.size(); ++i) {
      if (xml_[i] == '\n') newlines_.push_back(i);
    }
  }

  void run(SchemaSet* out) {
    pugi::xml_document doc;
    pugi::xml_parse_result r =
        doc.load_buffer(xml_.data(), xml_.size(), pugi::parse_default, pugi::encoding_auto);
    if (r.status == pugi::status_out_of_memory) throw std::bad_alloc();
    if (!r) {
      error(line_at(r.offset), std::string("XML syntax error: ") + r.description());
      return;
    }
    pugi::xml_node root = doc.document_element();
    if (std::string_view(root.name()) != "configSchema") {
      error(line_of(root),
            "the root element is <" + std::string(root.name()) + ">, expected <configSchema>");
      return;
    }
    for (pugi::xml_node s : root.children()) {
      if (s.type() != pugi::node_element) continue;
      if (std::string_view(s.name()) != "sectionSchema") {
        warning(line_of(s), "unknown element <" + std::string(s.name()) + "> ignored");
        continue;
      }
      std::string name = s.attribute("name").value();
      if (name.empty()) {
        error(line_of(s), "sectionSchema: missing required attribute 'name'");
        continue;
      }
      auto section = std::make_shared<ElementSchema>();
      section->name = name;
      if (!parse_element_body(s, section.get())) continue;  // reported
      if (const ElementSchema* existing = out->section(name)) {
        (void)existing;
        warning(line_of(s), "section " + name + " is already defined by another schema; ignored");
        continue;
      }
      out->sections.push_back(std::move(section));
    }
  }

 private:
  // Attributes, child elements and the collection of an element (or section) schema.
  bool parse_element_body(pugi::xml_node n, ElementSchema* e) {
    e->allow_unrecognized_attributes = is_true(n.attribute("allowUnrecognizedAttributes").value());
    bool ok = true;
    for (pugi::xml_node c : n.children()) {
      if (c.type() != pugi::node_element) continue;
      std::string_view kind = c.name();
      if (kind == "attribute") {
        AttributeSchema a;
        if (parse_attribute(c, &a)) {
          e->attributes.push_back(std::move(a));
        } else {
          ok = false;
        }
      } else if (kind == "element") {
        auto child = std::make_shared<ElementSchema>();
        child->name = c.attribute("name").value();
        if (child->name.empty()) {
          error(line_of(c), "element: missing required attribute 'name'");
          ok = false;
          continue;
        }
        if (!parse_element_body(c, child.get())) ok = false;
        e->children.push_back(std::move(child));
      } else if (kind == "collection") {
        auto col = std::make_shared<CollectionSchema>();
        std::string add = c.attribute("addElement").value();
        if (add.empty()) {
          error(line_of(c), "collection: missing required attribute 'addElement'");
          ok = false;
          continue;
        }
        col->add_names.clear();
        size_t start = 0;
        while (start <= add.size()) {
          size_t comma = add.find(',', start);
          std::string item =
              add.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
          if (!item.empty()) col->add_names.push_back(item);
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
        col->remove_name = c.attribute("removeElement").value();
        col->clear_name = c.attribute("clearElement").value();
        if (pugi::xml_attribute m = c.attribute("mergeAppend"))
          col->merge_append = is_true(m.value());
        col->allow_duplicates = is_true(c.attribute("allowDuplicates").value());
        col->allow_unrecognized_attributes =
            is_true(c.attribute("allowUnrecognizedAttributes").value());
        col->item = std::make_shared<ElementSchema>();
        col->item->name = col->add_names.empty() ? "add" : col->add_names.front();
        col->item->allow_unrecognized_attributes = col->allow_unrecognized_attributes;
        if (!parse_element_body(c, col->item.get())) ok = false;
        col->item->allow_unrecognized_attributes = col->allow_unrecognized_attributes;
        e->collection = std::move(col);
      } else {
        warning(line_of(c), "unknown element <" + std::string(kind) + "> ignored");
      }
    }
    return ok;
  }

  bool parse_attribute(pugi::xml_node c, AttributeSchema* a) {
    a->name = c.attribute("name").value();
    if (a->name.empty()) {
      error(line_of(c), "attribute: missing required attribute 'name'");
      return false;
    }
    a->type_name = c.attribute("type").value();
    if (a->type_name.empty()) a->type_name = "string";
    if (!parse_type(a->type_name, &a->type)) {
      error(line_of(c), "attribute " + a->name + ": unknown type '" + a->type_name +
                            "' (string, bool, uint, int, int64, timeSpan, enum, flags)");
      return false;
    }
    if (pugi::xml_attribute d = c.attribute("defaultValue")) {
      a->has_default = true;
      a->default_value = d.value();
    }
    a->required = is_true(c.attribute("required").value());
    a->is_unique_key = is_true(c.attribute("isUniqueKey").value());
    a->is_combined_key = is_true(c.attribute("isCombinedKey").value());
    a->expanded = is_true(c.attribute("expanded").value());
    a->case_sensitive = is_true(c.attribute("caseSensitive").value());
    a->allow_infinite = is_true(c.attribute("allowInfinite").value());
    a->validation_type = c.attribute("validationType").value();
    a->validation_parameter = c.attribute("validationParameter").value();
    a->time_span_format = c.attribute("timeSpanFormat").value();
    for (pugi::xml_node v : c.children()) {
      std::string_view kind = v.name();
      if (v.type() != pugi::node_element || (kind != "enum" && kind != "flag")) continue;
      EnumValue ev;
      ev.name = v.attribute("name").value();
      std::string text = v.attribute("value").value();
      char* end = nullptr;
      errno = 0;
      unsigned long long n = std::strtoull(text.c_str(), &end, 0);
      if (ev.name.empty() || text.empty() || *end != '\0' || errno != 0 || n > 0xFFFFFFFFull) {
        error(line_of(v),
              "attribute " + a->name + ": enum value '" + text + "' is not a name with a number");
        return false;
      }
      ev.value = static_cast<uint32_t>(n);
      a->values.push_back(std::move(ev));
    }
    return true;
  }

  int line_at(ptrdiff_t offset) const {
    if (offset < 0) return 0;
    auto it = std::lower_bound(newlines_.begin(), newlines_.end(), static_cast<size_t>(offset));
    return static_cast<int>(it - newlines_.begin()) + 1;
  }
  int line_of(pugi::xml_node n) const { return line_at(n.offset_debug()); }
  void error(int line, std::string m) { diags_->push_back({Severity::kError, file_, line, m}); }
  void warning(int line, std::string m) { diags_->push_back({Severity::kWarning, file_, line, m}); }

  std::string_view xml_;
  std::string file_;
  std::vector<Diagnostic>* diags_;
  std::vector<size_t> newlines_;
};

// <logFile>, which IIS declares twice, under <site> and under <siteDefaults> (IIS_schema.xml):
// add_builtin_schema() puts it in both places.
constexpr const char kLogFileSchema[] = R"(      <element name="logFile">
        <attribute name="enabled" type="bool" defaultValue="true"/>
        <attribute name="directory" type="string" defaultValue="logs" expanded="true"/>
        <attribute name="logFormat" type="enum" defaultValue="W3C">
          <enum name="IIS" value="0"/><enum name="NCSA" value="1"/><enum name="W3C" value="2"/><enum name="Custom" value="3"/>
        </attribute>
        <attribute name="period" type="enum" defaultValue="Daily">
          <enum name="MaxSize" value="0"/><enum name="Daily" value="1"/><enum name="Weekly" value="2"/><enum name="Monthly" value="3"/><enum name="Hourly" value="4"/>
        </attribute>
        <attribute name="truncateSize" type="int64" defaultValue="20971520"/>
        <attribute name="localTimeRollover" type="bool" defaultValue="false"/>
        <attribute name="logExtFileFlags" type="flags" defaultValue="Date, Time, ClientIP, UserName, ServerIP, Method, UriStem, UriQuery, HttpStatus, Win32Status, TimeTaken, ServerPort, UserAgent, Referer, HttpSubStatus">
          <flag name="Date" value="1"/><flag name="Time" value="2"/><flag name="ClientIP" value="4"/><flag name="UserName" value="8"/><flag name="SiteName" value="16"/><flag name="ComputerName" value="32"/><flag name="ServerIP" value="64"/><flag name="Method" value="128"/><flag name="UriStem" value="256"/><flag name="UriQuery" value="512"/><flag name="HttpStatus" value="1024"/><flag name="Win32Status" value="2048"/><flag name="BytesSent" value="4096"/><flag name="BytesRecv" value="8192"/><flag name="TimeTaken" value="16384"/><flag name="ServerPort" value="32768"/><flag name="UserAgent" value="65536"/><flag name="Cookie" value="131072"/><flag name="Referer" value="262144"/><flag name="ProtocolVersion" value="524288"/><flag name="Host" value="1048576"/><flag name="HttpSubStatus" value="2097152"/>
        </attribute>
        <attribute name="logSiteId" type="bool" defaultValue="true"/>
        <attribute name="logTargetW3C" type="flags" defaultValue="File">
          <flag name="File" value="1"/><flag name="ETW" value="2"/>
        </attribute>
        <attribute name="flushByEntryCountW3CLog" type="uint" defaultValue="0"/>
        <attribute name="maxLogLineLength" type="uint" defaultValue="65536"/>
        <attribute name="customLogPluginClsid" type="string" defaultValue=""/>
        <element name="customFields">
          <attribute name="maxCustomFieldLength" type="uint" defaultValue="4096"/>
          <collection addElement="add" removeElement="remove" clearElement="clear">
            <attribute name="logFieldName" type="string" required="true" isUniqueKey="true"/>
            <attribute name="sourceName" type="string" required="true"/>
            <attribute name="sourceType" type="enum" required="true" defaultValue="RequestHeader">
              <enum name="RequestHeader" value="0"/><enum name="ResponseHeader" value="1"/><enum name="ServerVariable" value="2"/>
            </attribute>
          </collection>
        </element>
      </element>
)";

// The server's own sections, written for httpserv (types and defaults as configuration.md), in
// three parts around the two <logFile> elements.
constexpr const char kBuiltinSchema[] = R"(<configSchema>
  <sectionSchema name="system.applicationHost/sites">
    <collection addElement="site" clearElement="clear" removeElement="remove">
      <attribute name="name" type="string" required="true" isUniqueKey="true"/>
      <attribute name="id" type="uint" required="true"/>
      <attribute name="serverAutoStart" type="bool" defaultValue="true"/>
)";
constexpr const char kBuiltinSchemaAfterSiteLog[] = R"(      <element name="bindings">
        <collection addElement="binding" clearElement="clear">
          <attribute name="protocol" type="string" required="true" isCombinedKey="true"/>
          <attribute name="bindingInformation" type="string" required="true" isCombinedKey="true"/>
          <attribute name="sslFlags" type="uint" defaultValue="0"/>
        </collection>
      </element>
      <collection addElement="application" removeElement="remove" clearElement="clear">
        <attribute name="path" type="string" required="true" isUniqueKey="true"/>
        <attribute name="applicationPool" type="string"/>
        <attribute name="enabledProtocols" type="string" defaultValue="http"/>
        <attribute name="preloadEnabled" type="bool" defaultValue="false"/>
        <collection addElement="virtualDirectory" removeElement="remove" clearElement="clear">
          <attribute name="path" type="string" required="true" isUniqueKey="true"/>
          <attribute name="physicalPath" type="string" required="true" expanded="true"/>
          <attribute name="userName" type="string"/>
          <attribute name="logonMethod" type="string" defaultValue="ClearText"/>
          <attribute name="allowSubDirConfig" type="bool" defaultValue="true"/>
        </collection>
      </collection>
    </collection>
    <element name="siteDefaults">
)";
constexpr const char kBuiltinSchemaAfterDefaultsLog[] = R"(    </element>
    <element name="applicationDefaults">
      <attribute name="applicationPool" type="string"/>
    </element>
    <element name="virtualDirectoryDefaults" />
  </sectionSchema>
  <sectionSchema name="system.webServer/globalModules">
    <collection addElement="add" removeElement="remove" clearElement="clear">
      <attribute name="name" type="string" required="true" isUniqueKey="true"/>
      <attribute name="image" type="string" required="true" expanded="true"/>
      <attribute name="preCondition" type="string" defaultValue=""/>
    </collection>
  </sectionSchema>
  <sectionSchema name="system.webServer/modules">
    <attribute name="runAllManagedModulesForAllRequests" type="bool" defaultValue="false"/>
    <attribute name="runManagedModulesForWebDavRequests" type="bool" defaultValue="false"/>
    <collection addElement="add" removeElement="remove" clearElement="clear">
      <attribute name="name" type="string" required="true" isUniqueKey="true"/>
      <attribute name="type" type="string" defaultValue=""/>
      <attribute name="preCondition" type="string" defaultValue=""/>
    </collection>
  </sectionSchema>
  <sectionSchema name="system.webServer/handlers">
    <attribute name="accessPolicy" type="flags" defaultValue="Read">
      <flag name="None" value="0"/><flag name="Read" value="1"/><flag name="Write" value="2"/>
      <flag name="Execute" value="4"/><flag name="Source" value="16"/><flag name="Script" value="512"/>
    </attribute>
    <collection addElement="add" removeElement="remove" clearElement="clear" mergeAppend="false">
      <attribute name="name" type="string" required="true" isUniqueKey="true"/>
      <attribute name="path" type="string" required="true"/>
      <attribute name="verb" type="string" required="true"/>
      <attribute name="type" type="string"/>
      <attribute name="modules" type="string"/>
      <attribute name="scriptProcessor" type="string" expanded="true"/>
      <attribute name="resourceType" type="string" defaultValue="Unspecified"/>
      <attribute name="requireAccess" type="string" defaultValue="Script"/>
      <attribute name="allowPathInfo" type="bool" defaultValue="false"/>
      <attribute name="preCondition" type="string" defaultValue=""/>
      <attribute name="responseBufferLimit" type="uint" defaultValue="4194304"/>
    </collection>
  </sectionSchema>
  <sectionSchema name="system.webServer/defaultDocument">
    <attribute name="enabled" type="bool" defaultValue="true"/>
    <element name="files">
      <collection addElement="add" removeElement="remove" clearElement="clear" mergeAppend="false">
        <attribute name="value" type="string" isUniqueKey="true"/>
      </collection>
    </element>
  </sectionSchema>
  <sectionSchema name="system.webServer/staticContent">
    <attribute name="lockAttributes" type="string"/>
    <attribute name="isDocFooterFileName" type="bool" defaultValue="false"/>
    <attribute name="defaultDocFooter" type="string" defaultValue=""/>
    <attribute name="enableDocFooter" type="bool" defaultValue="false"/>
    <element name="clientCache">
      <attribute name="cacheControlMode" type="enum" defaultValue="NoControl">
        <enum name="NoControl" value="0"/><enum name="DisableCache" value="1"/><enum name="UseMaxAge" value="2"/><enum name="UseExpires" value="3"/>
      </attribute>
      <attribute name="cacheControlMaxAge" type="timeSpan" defaultValue="1.00:00:00"/>
      <attribute name="httpExpires" type="string" defaultValue=""/>
      <attribute name="cacheControlCustom" type="string" defaultValue=""/>
      <attribute name="setEtag" type="bool" defaultValue="true"/>
    </element>
    <collection addElement="mimeMap" removeElement="remove" clearElement="clear">
      <attribute name="fileExtension" type="string" required="true" isUniqueKey="true"/>
      <attribute name="mimeType" type="string" required="true"/>
    </collection>
  </sectionSchema>
  <sectionSchema name="system.webServer/security/requestFiltering">
    <attribute name="allowDoubleEscaping" type="bool" defaultValue="false"/>
    <attribute name="allowHighBitCharacters" type="bool" defaultValue="true"/>
    <attribute name="unescapeQueryString" type="bool" defaultValue="true"/>
    <attribute name="removeServerHeader" type="bool" defaultValue="false"/>
    <element name="denyUrlSequences">
      <collection addElement="add" removeElement="remove" clearElement="clear">
        <attribute name="sequence" type="string" required="true" isUniqueKey="true" validationType="nonEmptyString"/>
      </collection>
    </element>
    <element name="fileExtensions">
      <attribute name="allowUnlisted" type="bool" defaultValue="true"/>
      <attribute name="applyToWebDAV" type="bool" defaultValue="true"/>
      <collection addElement="add" removeElement="remove" clearElement="clear">
        <attribute name="fileExtension" type="string" required="true" isUniqueKey="true"/>
        <attribute name="allowed" type="bool" required="true" defaultValue="true"/>
      </collection>
    </element>
    <element name="hiddenSegments">
      <attribute name="applyToWebDAV" type="bool" defaultValue="true"/>
      <collection addElement="add" removeElement="remove" clearElement="clear">
        <attribute name="segment" type="string" required="true" isUniqueKey="true" validationType="nonEmptyString"/>
      </collection>
    </element>
    <element name="requestLimits">
      <attribute name="maxAllowedContentLength" type="uint" defaultValue="30000000"/>
      <attribute name="maxUrl" type="uint" defaultValue="4096"/>
      <attribute name="maxQueryString" type="uint" defaultValue="2048"/>
      <element name="headerLimits">
        <collection addElement="add" removeElement="remove" clearElement="clear">
          <attribute name="header" type="string" required="true" isUniqueKey="true" validationType="nonEmptyString"/>
          <attribute name="sizeLimit" type="uint" required="true"/>
        </collection>
      </element>
    </element>
    <element name="verbs">
      <attribute name="allowUnlisted" type="bool" defaultValue="true"/>
      <attribute name="applyToWebDAV" type="bool" defaultValue="true"/>
      <collection addElement="add" removeElement="remove" clearElement="clear">
        <attribute name="verb" type="string" required="true" isUniqueKey="true" validationType="nonEmptyString"/>
        <attribute name="allowed" type="bool" required="true" defaultValue="true"/>
      </collection>
    </element>
    <element name="alwaysAllowedUrls">
      <collection addElement="add" removeElement="remove" clearElement="clear">
        <attribute name="url" type="string" required="true" isUniqueKey="true" validationType="nonEmptyString"/>
      </collection>
    </element>
    <element name="alwaysAllowedQueryStrings">
      <collection addElement="add" removeElement="remove" clearElement="clear">
        <attribute name="queryString" type="string" required="true" isUniqueKey="true" validationType="nonEmptyString"/>
      </collection>
    </element>
    <element name="denyQueryStringSequences">
      <collection addElement="add" removeElement="remove" clearElement="clear">
        <attribute name="sequence" type="string" required="true" isUniqueKey="true" validationType="nonEmptyString"/>
      </collection>
    </element>
    <element name="filteringRules">
      <collection addElement="filteringRule" removeElement="remove" clearElement="clear">
        <attribute name="name" type="string" required="true" isUniqueKey="true"/>
        <attribute name="scanUrl" type="bool" defaultValue="false"/>
        <attribute name="scanQueryString" type="bool" defaultValue="false"/>
        <attribute name="scanAllRaw" type="bool" defaultValue="false"/>
        <element name="scanHeaders">
          <collection addElement="add" removeElement="remove" clearElement="clear">
            <attribute name="requestHeader" type="string" required="true" isUniqueKey="true"/>
          </collection>
        </element>
        <element name="appliesTo">
          <collection addElement="add" removeElement="remove" clearElement="clear">
            <attribute name="fileExtension" type="string" required="true" isUniqueKey="true"/>
          </collection>
        </element>
        <element name="denyStrings">
          <collection addElement="add" removeElement="remove" clearElement="clear">
            <attribute name="string" type="string" required="true" isUniqueKey="true"/>
          </collection>
        </element>
      </collection>
    </element>
  </sectionSchema>
  <sectionSchema name="system.webServer/serverRuntime">
    <attribute name="enabled" type="bool" defaultValue="true"/>
    <attribute name="appConcurrentRequestLimit" type="uint" defaultValue="5000"/>
    <attribute name="maxRequestEntityAllowed" type="uint" defaultValue="4294967295"/>
    <attribute name="uploadReadAheadSize" type="uint" defaultValue="49152" validationType="integerRange" validationParameter="0,2147483647"/>
    <attribute name="alternateHostName" type="string"/>
    <attribute name="enableNagling" type="bool" defaultValue="false"/>
    <attribute name="frequentHitThreshold" type="uint" defaultValue="2" validationType="integerRange" validationParameter="1,2147483647"/>
    <attribute name="frequentHitTimePeriod" type="timeSpan" defaultValue="00:00:10"/>
    <attribute name="authenticatedUserOverride" type="enum" defaultValue="UseAuthenticatedUser">
      <enum name="UseAuthenticatedUser" value="0"/><enum name="UseWorkerProcessUser" value="1"/>
    </attribute>
  </sectionSchema>
  <sectionSchema name="system.applicationHost/applicationPools">
    <collection addElement="add" removeElement="remove" clearElement="clear">
      <attribute name="name" type="string" required="true" isUniqueKey="true"/>
      <attribute name="queueLength" type="uint" defaultValue="1000"/>
    </collection>
    <element name="applicationPoolDefaults">
      <attribute name="queueLength" type="uint" defaultValue="1000" validationType="integerRange" validationParameter="10,65535"/>
    </element>
  </sectionSchema>
  <sectionSchema name="system.applicationHost/httpservStatus">
    <attribute name="listen" type="string" defaultValue=""/>
  </sectionSchema>
  <sectionSchema name="system.webServer/caching">
    <attribute name="enabled" type="bool" defaultValue="true"/>
    <attribute name="enableKernelCache" type="bool" defaultValue="true"/>
    <attribute name="maxCacheSize" type="uint" defaultValue="0"/>
    <attribute name="maxResponseSize" type="uint" defaultValue="262144"/>
  </sectionSchema>
  <sectionSchema name="system.applicationHost/log">
    <attribute name="centralLogFileMode" type="enum" defaultValue="Site">
      <enum name="Site" value="0"/><enum name="CentralBinary" value="1"/><enum name="CentralW3C" value="2"/>
    </attribute>
    <attribute name="logInUTF8" type="bool" defaultValue="true"/>
    <element name="centralBinaryLogFile"/>
    <element name="centralW3CLogFile"/>
  </sectionSchema>
  <sectionSchema name="system.webServer/httpLogging">
    <attribute name="dontLog" type="bool" defaultValue="false"/>
    <attribute name="selectiveLogging" type="enum" defaultValue="LogAll">
      <enum name="LogAll" value="0"/><enum name="LogSuccessful" value="1"/><enum name="LogError" value="2"/>
    </attribute>
  </sectionSchema>
  <sectionSchema name="system.webServer/httpErrors">
    <attribute name="errorMode" type="enum" defaultValue="DetailedLocalOnly">
      <enum name="DetailedLocalOnly" value="0"/><enum name="Custom" value="1"/><enum name="Detailed" value="2"/>
    </attribute>
    <attribute name="existingResponse" type="enum" defaultValue="Auto">
      <enum name="Auto" value="0"/><enum name="Replace" value="1"/><enum name="PassThrough" value="2"/>
    </attribute>
    <attribute name="defaultPath" type="string" defaultValue="" expanded="true"/>
    <attribute name="defaultResponseMode" type="enum" defaultValue="File">
      <enum name="File" value="0"/><enum name="ExecuteURL" value="1"/><enum name="Redirect" value="2"/>
    </attribute>
    <attribute name="detailedMoreInformationLink" type="string" defaultValue="https://go.microsoft.com/fwlink/?LinkID=62293"/>
    <attribute name="allowAbsolutePathsWhenDelegated" type="bool" defaultValue="false"/>
    <collection addElement="error" removeElement="remove" clearElement="clear">
      <attribute name="statusCode" type="uint" required="true" isCombinedKey="true" validationType="integerRange" validationParameter="400,999"/>
      <attribute name="subStatusCode" type="int" defaultValue="-1" isCombinedKey="true" validationType="integerRange" validationParameter="-1,999"/>
      <attribute name="prefixLanguageFilePath" type="string" defaultValue="" expanded="true"/>
      <attribute name="path" type="string" required="true" expanded="true"/>
      <attribute name="responseMode" type="enum" defaultValue="File">
        <enum name="File" value="0"/><enum name="ExecuteURL" value="1"/><enum name="Redirect" value="2"/>
      </attribute>
    </collection>
  </sectionSchema>
  <sectionSchema name="system.webServer/urlCompression">
    <attribute name="doStaticCompression" type="bool" defaultValue="true"/>
    <attribute name="doDynamicCompression" type="bool" defaultValue="true"/>
    <attribute name="dynamicCompressionBeforeCache" type="bool" defaultValue="false"/>
  </sectionSchema>
  <sectionSchema name="system.webServer/httpCompression">
    <attribute name="directory" type="string" defaultValue="" expanded="true"/>
    <attribute name="doDiskSpaceLimiting" type="bool" defaultValue="true"/>
    <attribute name="maxDiskSpaceUsage" type="uint" defaultValue="100"/>
    <attribute name="minFileSizeForComp" type="uint" defaultValue="2700"/>
    <attribute name="noCompressionForHttp10" type="bool" defaultValue="true"/>
    <attribute name="noCompressionForProxies" type="bool" defaultValue="true"/>
    <attribute name="noCompressionForRange" type="bool" defaultValue="true"/>
    <attribute name="sendCacheHeaders" type="bool" defaultValue="false"/>
    <attribute name="cacheControlHeader" type="string" defaultValue="max-age=86400"/>
    <attribute name="expiresHeader" type="string" defaultValue="Wed, 01 Jan 1997 12:00:00 GMT"/>
    <attribute name="staticCompressionDisableCpuUsage" type="uint" defaultValue="100"/>
    <attribute name="staticCompressionEnableCpuUsage" type="uint" defaultValue="50"/>
    <attribute name="dynamicCompressionDisableCpuUsage" type="uint" defaultValue="90"/>
    <attribute name="dynamicCompressionEnableCpuUsage" type="uint" defaultValue="50"/>
    <attribute name="dynamicCompressionBufferLimit" type="uint" defaultValue="65536"/>
    <attribute name="staticCompressionIgnoreHitFrequency" type="bool" defaultValue="true"/>
    <collection addElement="scheme" removeElement="remove" clearElement="clear">
      <attribute name="name" type="string" required="true" isUniqueKey="true"/>
      <attribute name="dll" type="string" defaultValue="" expanded="true"/>
      <attribute name="doStaticCompression" type="bool" defaultValue="true"/>
      <attribute name="doDynamicCompression" type="bool" defaultValue="true"/>
      <attribute name="staticCompressionLevel" type="uint" defaultValue="7"/>
      <attribute name="dynamicCompressionLevel" type="uint" defaultValue="0"/>
    </collection>
    <element name="staticTypes">
      <collection addElement="add" removeElement="remove" clearElement="clear">
        <attribute name="mimeType" type="string" required="true" isUniqueKey="true"/>
        <attribute name="enabled" type="bool" defaultValue="false"/>
      </collection>
    </element>
    <element name="dynamicTypes">
      <collection addElement="add" removeElement="remove" clearElement="clear">
        <attribute name="mimeType" type="string" required="true" isUniqueKey="true"/>
        <attribute name="enabled" type="bool" defaultValue="false"/>
      </collection>
    </element>
  </sectionSchema>
  <sectionSchema name="system.webServer/httpProtocol">
    <attribute name="allowKeepAlive" type="bool" defaultValue="true"/>
    <element name="customHeaders">
      <collection addElement="add" removeElement="remove" clearElement="clear">
        <attribute name="name" type="string" required="true" isUniqueKey="true"/>
        <attribute name="value" type="string" defaultValue=""/>
      </collection>
    </element>
    <element name="redirectHeaders">
      <collection addElement="add" removeElement="remove" clearElement="clear">
        <attribute name="name" type="string" required="true" isUniqueKey="true"/>
        <attribute name="value" type="string" defaultValue=""/>
      </collection>
    </element>
  </sectionSchema>
  <sectionSchema name="system.webServer/httpRedirect">
    <attribute name="enabled" type="bool" defaultValue="false"/>
    <attribute name="destination" type="string" defaultValue=""/>
    <attribute name="exactDestination" type="bool" defaultValue="false"/>
    <attribute name="childOnly" type="bool" defaultValue="false"/>
    <attribute name="httpResponseStatus" type="enum" defaultValue="Found">
      <enum name="Permanent" value="301"/><enum name="Found" value="302"/><enum name="Temporary" value="307"/><enum name="PermRedirect" value="308"/>
    </attribute>
    <collection addElement="add" removeElement="remove" clearElement="clear">
      <attribute name="wildcard" type="string" required="true" isUniqueKey="true"/>
      <attribute name="destination" type="string" required="true"/>
    </collection>
  </sectionSchema>
  <sectionSchema name="system.webServer/directoryBrowse">
    <attribute name="enabled" type="bool" defaultValue="false"/>
    <attribute name="showFlags" type="flags" defaultValue="Date, Time, Size, Extension">
      <flag name="None" value="0"/><flag name="Date" value="2"/><flag name="Time" value="4"/><flag name="Size" value="8"/><flag name="Extension" value="16"/><flag name="LongDate" value="32"/>
    </attribute>
  </sectionSchema>
  <sectionSchema name="appSettings">
    <attribute name="file" type="string"/>
    <collection addElement="add" removeElement="remove" clearElement="clear">
      <attribute name="key" type="string" isUniqueKey="true"/>
      <attribute name="value" type="string"/>
    </collection>
  </sectionSchema>
</configSchema>)";

}  // namespace

const AttributeSchema* ElementSchema::attribute(std::string_view attr) const noexcept {
  for (const AttributeSchema& a : attributes) {
    if (a.name == attr) return &a;
  }
  return nullptr;
}

const ElementSchema* ElementSchema::child(std::string_view child_name) const noexcept {
  for (const auto& c : children) {
    if (c->name == child_name) return c.get();
  }
  return nullptr;
}

const ElementSchema* SchemaSet::section(std::string_view name) const noexcept {
  for (const auto& s : sections) {
    if (iequals(s->name, name)) return s.get();
  }
  return nullptr;
}

void parse_schema(std::string_view xml, const std::string& file_name, SchemaSet* out,
                  std::vector<Diagnostic>* diags) noexcept {
  try {
    SchemaParser(xml, file_name, diags).run(out);
  } catch (const std::bad_alloc&) {
    diags->push_back({Severity::kError, file_name, 0, "out of memory"});
  }
}

void load_schema_file(const std::string& path, SchemaSet* out,
                      std::vector<Diagnostic>* diags) noexcept {
  try {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
      diags->push_back({Severity::kError, path, 0, std::string("cannot open: ") + strerror(errno)});
      return;
    }
    std::string data;
    char buf[16384];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0 && data.size() < (size_t{16} << 20))
      data.append(buf, n);
    std::fclose(f);
    parse_schema(data, path, out, diags);
  } catch (const std::bad_alloc&) {
    diags->push_back({Severity::kError, path, 0, "out of memory"});
  }
}

void load_schema_dir(const std::string& dir, SchemaSet* out,
                     std::vector<Diagnostic>* diags) noexcept {
  try {
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) return;
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name.size() > 4 && iequals(std::string_view(name).substr(name.size() - 4), ".xml"))
        names.push_back(std::move(name));
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names)
      load_schema_file(dir + "/" + name, out, diags);
  } catch (const std::bad_alloc&) {
    diags->push_back({Severity::kError, dir, 0, "out of memory"});
  }
}

void add_builtin_schema(SchemaSet* out) noexcept {
  std::vector<Diagnostic> diags;
  std::string xml = std::string(kBuiltinSchema) + kLogFileSchema + kBuiltinSchemaAfterSiteLog +
                    kLogFileSchema + kBuiltinSchemaAfterDefaultsLog;
  parse_schema(xml, "<built-in schema>", out, &diags);
}

}  // namespace hs::config
