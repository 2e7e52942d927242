// The configuration API (src/admin) over a parsed configuration: paths, merging, schema types,
// collections, the COM contract (reference counts, out-parameters, HRESULTs for bad input),
// CoCreateInstance, and concurrent readers.
#include "admin/admin_manager.h"

#include <comdef.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "config/schema.h"
#include "config/sections.h"

namespace hs::admin {
namespace {

constexpr char kSchema[] = R"(<configSchema>
  <sectionSchema name="system.webServer/sample">
    <attribute name="text" type="string" defaultValue="dflt" expanded="true" />
    <attribute name="on" type="bool" defaultValue="false" />
    <attribute name="count" type="uint" defaultValue="5" />
    <attribute name="delta" type="int" defaultValue="-3" />
    <attribute name="big" type="int64" defaultValue="5000000000" />
    <attribute name="wait" type="timeSpan" defaultValue="00:00:01" />
    <attribute name="secs" type="timeSpan" defaultValue="90" timeSpanFormat="Seconds" />
    <attribute name="level" type="enum" defaultValue="Low">
      <enum name="Low" value="1" /><enum name="High" value="9" />
    </attribute>
    <attribute name="opts" type="flags" defaultValue="None">
      <flag name="None" value="0" /><flag name="A" value="1" /><flag name="B" value="4" />
    </attribute>
    <element name="child"><attribute name="x" type="uint" defaultValue="1" /></element>
    <collection addElement="entry" removeElement="drop" clearElement="reset" mergeAppend="false">
      <attribute name="key" type="string" isUniqueKey="true" />
      <attribute name="val" type="uint" defaultValue="0" />
    </collection>
  </sectionSchema>
</configSchema>)";

constexpr char kConfig[] = R"(<configuration>
  <configSections>
    <sectionGroup name="system.webServer"><section name="sample" /><section name="noSchema" /></sectionGroup>
  </configSections>
  <system.applicationHost><sites>
    <site name="Site One" id="1"><application path="/"><virtualDirectory path="/" physicalPath="/tmp" /></application></site>
  </sites></system.applicationHost>
  <system.webServer>
    <sample text="%HS_ADMIN_TEST_VAR%/x" count="7" opts="A, B" level="High">
      <entry key="one" val="1" /><entry key="two" />
    </sample>
    <noSchema anything="goes"><add name="n1" /><add name="n2" /></noSchema>
  </system.webServer>
  <location path="site one/app">
    <system.webServer>
      <sample on="true"><drop key="one" /><entry key="three" val="3" /><child x="2" /></sample>
    </system.webServer>
  </location>
  <location path="Site One/app/deeper">
    <system.webServer><sample><reset /><entry key="four" /></sample></system.webServer>
  </location>
  <location path="Site One/bad">
    <system.webServer><sample count="-1" /></system.webServer>
  </location>
</configuration>)";

class AdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("HS_ADMIN_TEST_VAR", "expanded", 1);
    config::LoadResult r = config::parse_config(kConfig, "/tmp/applicationHost.config");
    ASSERT_TRUE(r.ok) << (r.diagnostics.empty() ? "" : r.diagnostics[0].to_string());
    auto model = std::make_shared<Model>();
    model->config = std::make_shared<const config::Config>(std::move(r.config));
    config::add_builtin_schema(&model->schemas);
    std::vector<config::Diagnostic> diags;
    config::parse_schema(kSchema, "sample.xml", &model->schemas, &diags);
    ASSERT_TRUE(diags.empty()) << diags[0].to_string();
    model_ = model;
    mgr_ = create_admin_manager(model_);
    ASSERT_NE(mgr_, nullptr);
  }
  void TearDown() override { EXPECT_EQ(mgr_->Release(), 0u); }

  IAppHostElement* section(const wchar_t* name, const wchar_t* path) {
    IAppHostElement* e = nullptr;
    HRESULT hr = mgr_->GetAdminSection(name, path, &e);
    EXPECT_EQ(hr, S_OK) << std::hex << hr;
    return e;
  }
  static _variant_t value(IAppHostElement* e, const wchar_t* name) {
    IAppHostProperty* p = nullptr;
    EXPECT_EQ(e->GetPropertyByName(name, &p), S_OK);
    _variant_t v;
    if (p != nullptr) {
      EXPECT_EQ(p->get_Value(&v.GetVARIANT()), S_OK);
      p->Release();
    }
    return v;
  }
  static std::wstring text(IAppHostElement* e, const wchar_t* name) {
    IAppHostProperty* p = nullptr;
    EXPECT_EQ(e->GetPropertyByName(name, &p), S_OK);
    BSTR b = nullptr;
    if (p != nullptr) {
      EXPECT_EQ(p->get_StringValue(&b), S_OK);
      p->Release();
    }
    std::wstring s = b != nullptr ? b : L"<null>";
    SysFreeString(b);
    return s;
  }
  static std::wstring keys(IAppHostElement* e) {
    IAppHostElementCollection* c = nullptr;
    EXPECT_EQ(e->get_Collection(&c), S_OK);
    std::wstring out;
    DWORD n = 0;
    c->get_Count(&n);
    for (DWORD i = 0; i < n; ++i) {
      VARIANT index;
      index.vt = VT_UI4;
      index.ulVal = i;
      IAppHostElement* item = nullptr;
      EXPECT_EQ(c->get_Item(index, &item), S_OK);
      out += (i ? L"," : L"") + text(item, L"key") + L"=" + text(item, L"val");
      item->Release();
    }
    c->Release();
    return out;
  }

  std::shared_ptr<const Model> model_;
  IAppHostWritableAdminManager* mgr_ = nullptr;
};

TEST_F(AdminTest, TypesAndDefaultsAtTheTopLevel) {
  IAppHostElement* s = section(L"system.webServer/sample", L"MACHINE/WEBROOT/APPHOST");
  _variant_t v = value(s, L"text");
  EXPECT_EQ(v.vt, VT_BSTR);
  EXPECT_STREQ(v.bstrVal, L"expanded/x");  // expanded="true"
  EXPECT_EQ(text(s, L"text"), L"expanded/x");
  v = value(s, L"on");
  EXPECT_EQ(v.vt, VT_BOOL);
  EXPECT_EQ(v.boolVal, VARIANT_FALSE);
  v = value(s, L"count");
  EXPECT_EQ(v.vt, VT_UI4);
  EXPECT_EQ(v.ulVal, 7u);
  v = value(s, L"delta");
  EXPECT_EQ(v.vt, VT_I4);
  EXPECT_EQ(v.lVal, -3);
  v = value(s, L"big");
  EXPECT_EQ(v.vt, VT_I8);
  EXPECT_EQ(v.llVal, 5000000000);
  v = value(s, L"wait");
  EXPECT_EQ(v.vt, VT_UI8);
  EXPECT_EQ(v.ullVal, 10000000u);
  EXPECT_EQ(value(s, L"secs").ullVal, 900000000u);
  v = value(s, L"level");
  EXPECT_EQ(v.vt, VT_I4);
  EXPECT_EQ(v.lVal, 9);
  EXPECT_EQ(text(s, L"level"), L"High");
  EXPECT_EQ(value(s, L"opts").lVal, 5);
  EXPECT_EQ(keys(s), L"one=1,two=0");

  IAppHostProperty* p = nullptr;
  ASSERT_EQ(s->GetPropertyByName(L"count", &p), S_OK);
  VARIANT meta;
  ASSERT_EQ(p->GetMetadata(L"isDefaultValue", &meta), S_OK);
  EXPECT_EQ(meta.boolVal, VARIANT_FALSE);
  EXPECT_EQ(p->GetMetadata(L"noSuchMetadata", &meta), HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED));
  VARIANT write;
  write.vt = VT_UI4;
  write.ulVal = 1;
  EXPECT_EQ(p->put_Value(write), E_ACCESSDENIED);
  p->Release();
  ASSERT_EQ(s->GetPropertyByName(L"delta", &p), S_OK);
  ASSERT_EQ(p->GetMetadata(L"isDefaultValue", &meta), S_OK);
  EXPECT_EQ(meta.boolVal, VARIANT_TRUE);
  p->Release();
  EXPECT_EQ(s->Release(), 0u);
}

TEST_F(AdminTest, LocationsMergePerPath) {
  // Site names compare case-insensitively; mergeAppend="false" puts the deeper items first.
  IAppHostElement* app =
      section(L"system.webServer/sample", L"MACHINE/WEBROOT/APPHOST/Site One/app/");
  EXPECT_EQ(value(app, L"on").boolVal, VARIANT_TRUE);
  EXPECT_EQ(value(app, L"count").ulVal, 7u);  // inherited
  EXPECT_EQ(keys(app), L"three=3,two=0");
  IAppHostElement* child = nullptr;
  ASSERT_EQ(app->GetElementByName(L"child", &child), S_OK);
  EXPECT_EQ(value(child, L"x").ulVal, 2u);
  child->Release();
  app->Release();

  IAppHostElement* deeper =
      section(L"system.webServer/sample", L"machine/webroot/apphost/Site One/app/deeper/file.htm");
  EXPECT_EQ(keys(deeper), L"four=0");
  EXPECT_EQ(value(deeper, L"on").boolVal, VARIANT_TRUE);
  deeper->Release();

  // "/apple" is not under "/app".
  IAppHostElement* apple =
      section(L"system.webServer/sample", L"MACHINE/WEBROOT/APPHOST/Site One/apple");
  EXPECT_EQ(value(apple, L"on").boolVal, VARIANT_FALSE);
  apple->Release();

  // MACHINE/WEBROOT is above applicationHost.config: schema defaults only.
  IAppHostElement* webroot = section(L"system.webServer/sample", L"MACHINE/WEBROOT");
  EXPECT_EQ(value(webroot, L"count").ulVal, 5u);
  EXPECT_EQ(keys(webroot), L"");
  webroot->Release();

  // NULL and "" mean APPHOST.
  IAppHostElement* null_path = section(L"system.webServer/sample", nullptr);
  EXPECT_EQ(value(null_path, L"count").ulVal, 7u);
  null_path->Release();
}

TEST_F(AdminTest, SectionsWithoutSchemaAndTheServersOwn) {
  IAppHostElement* s = section(L"system.webServer/noSchema", L"");
  _variant_t v = value(s, L"anything");
  EXPECT_EQ(v.vt, VT_BSTR);
  EXPECT_STREQ(v.bstrVal, L"goes");
  IAppHostElementCollection* c = nullptr;
  ASSERT_EQ(s->get_Collection(&c), S_OK);
  DWORD n = 0;
  c->get_Count(&n);
  EXPECT_EQ(n, 2u);
  c->Release();
  s->Release();

  IAppHostElement* sites = section(L"system.applicationHost/sites", L"MACHINE/WEBROOT/APPHOST");
  ASSERT_EQ(sites->get_Collection(&c), S_OK);
  VARIANT i0;
  i0.vt = VT_I2;
  i0.iVal = 0;
  IAppHostElement* site = nullptr;
  ASSERT_EQ(c->get_Item(i0, &site), S_OK);
  EXPECT_EQ(text(site, L"name"), L"Site One");
  EXPECT_EQ(value(site, L"id").vt, VT_UI4);
  site->Release();
  c->Release();
  sites->Release();
}

TEST_F(AdminTest, BadInputGivesHresults) {
  IAppHostElement* e = reinterpret_cast<IAppHostElement*>(0x1);
  EXPECT_EQ(mgr_->GetAdminSection(L"system.webServer/unknown", L"", &e),
            HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND));
  EXPECT_EQ(e, nullptr);
  EXPECT_EQ(mgr_->GetAdminSection(L"system.webServer/sample", L"NOT/A/PATH", &e),
            HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
  EXPECT_EQ(mgr_->GetAdminSection(L"system.webServer/sample", L"MACHINE/WEBROOT/APPHOST/a//b", &e),
            HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
  EXPECT_EQ(mgr_->GetAdminSection(nullptr, L"", &e), E_INVALIDARG);
  EXPECT_EQ(mgr_->GetAdminSection(L"system.webServer/sample", L"", nullptr), E_POINTER);
  // A value that does not fit the schema (count="-1" for a uint) at the path that sets it.
  EXPECT_EQ(mgr_->GetAdminSection(L"system.webServer/sample",
                                  L"MACHINE/WEBROOT/APPHOST/Site One/bad", &e),
            HRESULT_FROM_WIN32(ERROR_INVALID_DATA));

  IAppHostElement* s = section(L"system.webServer/sample", L"");
  IAppHostProperty* p = reinterpret_cast<IAppHostProperty*>(0x1);
  EXPECT_EQ(s->GetPropertyByName(L"missing", &p), HRESULT_FROM_WIN32(ERROR_INVALID_INDEX));
  EXPECT_EQ(p, nullptr);
  EXPECT_EQ(s->GetPropertyByName(nullptr, &p), E_INVALIDARG);
  EXPECT_EQ(s->GetElementByName(L"missing", &e), HRESULT_FROM_WIN32(ERROR_INVALID_INDEX));
  IAppHostPropertyCollection* props = nullptr;
  ASSERT_EQ(s->get_Properties(&props), S_OK);
  VARIANT index;
  index.vt = VT_I4;
  index.lVal = 1000;
  EXPECT_EQ(props->get_Item(index, &p), HRESULT_FROM_WIN32(ERROR_INVALID_INDEX));
  index.vt = VT_R8;
  EXPECT_EQ(props->get_Item(index, &p), E_INVALIDARG);
  index.vt = VT_BSTR;
  index.bstrVal = L"count";
  ASSERT_EQ(props->get_Item(index, &p), S_OK);
  p->Release();
  EXPECT_EQ(props->get_Item(index, nullptr), E_POINTER);
  props->Release();
  IAppHostElement* child = nullptr;
  ASSERT_EQ(s->GetElementByName(L"child", &child), S_OK);
  IAppHostElementCollection* none = reinterpret_cast<IAppHostElementCollection*>(0x1);
  EXPECT_EQ(child->get_Collection(&none), S_OK);  // not a collection: success and NULL
  EXPECT_EQ(none, nullptr);
  IAppHostChildElementCollection* kids = nullptr;
  ASSERT_EQ(child->get_ChildElements(&kids), S_OK);  // an empty collection, never NULL
  DWORD n = 99;
  kids->get_Count(&n);
  EXPECT_EQ(n, 0u);
  kids->Release();
  child->Release();
  EXPECT_EQ(s->Clear(), E_ACCESSDENIED);
  s->Release();
  EXPECT_EQ(mgr_->CommitChanges(), E_ACCESSDENIED);
}

TEST_F(AdminTest, ComContract) {
  IUnknown* unknown = nullptr;
  ASSERT_EQ(mgr_->QueryInterface(IID_IAppHostAdminManager, reinterpret_cast<void**>(&unknown)),
            S_OK);
  unknown->Release();
  void* writable = reinterpret_cast<void*>(0x1);
  EXPECT_EQ(mgr_->QueryInterface(IID_IAppHostWritableAdminManager, &writable), E_NOINTERFACE);
  EXPECT_EQ(writable, nullptr);
  IAppHostConfigManager* cm = nullptr;
  ASSERT_EQ(mgr_->get_ConfigManager(&cm), S_OK);
  BSTR unique = nullptr;
  ASSERT_EQ(cm->GetUniqueConfigPath(L"MACHINE/WEBROOT/APPHOST/Site One/app/x/y", &unique), S_OK);
  EXPECT_STREQ(unique, L"MACHINE/WEBROOT/APPHOST/Site One/app");
  SysFreeString(unique);
  cm->Release();

  // A section outlives the manager reference and keeps its values (a snapshot).
  IAppHostElement* s = section(L"system.webServer/sample", L"");
  IAppHostProperty* p = nullptr;
  ASSERT_EQ(s->GetPropertyByName(L"count", &p), S_OK);
  EXPECT_EQ(s->Release(), 0u);  // the property keeps what it needs
  _variant_t v;
  ASSERT_EQ(p->get_Value(&v.GetVARIANT()), S_OK);
  EXPECT_EQ(v.ulVal, 7u);
  EXPECT_EQ(p->AddRef(), 2u);
  EXPECT_EQ(p->Release(), 1u);
  EXPECT_EQ(p->Release(), 0u);
}

TEST_F(AdminTest, CoCreateInstanceUsesTheProcessModel) {
  set_process_model(model_);
  void* out = nullptr;
  ASSERT_EQ(
      co_create_instance(CLSID_AppHostWritableAdminManager, IID_IAppHostWritableAdminManager, &out),
      S_OK);
  auto* w = static_cast<IAppHostWritableAdminManager*>(out);
  IAppHostElement* s = nullptr;
  ASSERT_EQ(w->GetAdminSection(L"system.webServer/sample", L"MACHINE/WEBROOT/APPHOST", &s), S_OK);
  EXPECT_EQ(value(s, L"count").ulVal, 7u);
  s->Release();
  EXPECT_EQ(w->put_CommitPath(L"MACHINE/WEBROOT/APPHOST/Site One"), S_OK);
  BSTR path = nullptr;
  ASSERT_EQ(w->get_CommitPath(&path), S_OK);
  EXPECT_STREQ(path, L"MACHINE/WEBROOT/APPHOST/Site One");
  SysFreeString(path);
  EXPECT_EQ(w->Release(), 0u);
  EXPECT_EQ(co_create_instance(IID_IAppHostElement, IID_IUnknown, &out), REGDB_E_CLASSNOTREG);
  EXPECT_EQ(out, nullptr);
  // The process-wide manager is immortal: a module's Release never frees it.
  IAppHostAdminManager* process = process_admin_manager();
  process->Release();
  process->Release();
  ASSERT_EQ(process->GetAdminSection(L"system.webServer/sample", L"", &s), S_OK);
  s->Release();
  set_process_model(nullptr);
}

TEST_F(AdminTest, ConcurrentReaders) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        IAppHostElement* s = nullptr;
        if (mgr_->GetAdminSection(L"system.webServer/sample",
                                  L"MACHINE/WEBROOT/APPHOST/Site One/app", &s) != S_OK) {
          continue;
        }
        if (keys(s) == L"three=3,two=0") ok.fetch_add(1);
        s->Release();
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(ok.load(), 800);
}

TEST(Schema, Diagnostics) {
  config::SchemaSet set;
  std::vector<config::Diagnostic> diags;
  config::parse_schema(
      "<configSchema><sectionSchema name=\"a/b\"><attribute name=\"x\" "
      "type=\"wrong\"/></sectionSchema><sectionSchema/></configSchema>",
      "s.xml", &set, &diags);
  ASSERT_EQ(diags.size(), 2u);
  EXPECT_EQ(diags[0].to_string(),
            "s.xml:1: error: attribute x: unknown type 'wrong' (string, "
            "bool, uint, int, int64, timeSpan, enum, flags)");
  EXPECT_EQ(diags[1].to_string(),
            "s.xml:1: error: sectionSchema: missing required attribute 'name'");
  EXPECT_EQ(set.section("a/b"), nullptr);  // the broken section is dropped
  diags.clear();
  config::parse_schema("<configSchema><sectionSchema", "t.xml", &set, &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_NE(diags[0].message.find("XML syntax error"), std::string::npos);
}

TEST(Schema, ValueConversions) {
  config::AttributeSchema ts;
  ts.type = config::AttributeType::kTimeSpan;
  config::TypedValue v;
  std::string why;
  ASSERT_TRUE(config::convert_value(&ts, "1.02:03:04.5", &v, &why));
  EXPECT_EQ(v.number, ((((1 * 24 + 2) * 60 + 3) * 60 + 4) * 10000000LL) + 5000000);
  EXPECT_FALSE(config::convert_value(&ts, "25:00:00", &v, &why));
  config::AttributeSchema u;
  u.type = config::AttributeType::kUint;
  EXPECT_FALSE(config::convert_value(&u, "4294967296", &v, &why));
  EXPECT_EQ(why, "'4294967296' is not a number in 0..4294967295");
  u.allow_infinite = true;
  ASSERT_TRUE(config::convert_value(&u, "Infinite", &v, &why));
  EXPECT_EQ(v.number, 4294967295LL);
  config::AttributeSchema b;
  b.type = config::AttributeType::kBool;
  ASSERT_TRUE(config::convert_value(&b, "TRUE", &v, &why));
  EXPECT_TRUE(v.boolean);
  EXPECT_FALSE(config::convert_value(&b, "yes", &v, &why));
  EXPECT_EQ(config::expand_environment("%NO_SUCH_VAR_X%"), "%NO_SUCH_VAR_X%");
}

}  // namespace
}  // namespace hs::admin
