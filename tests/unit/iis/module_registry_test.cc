// ModuleRegistry (dlopen + RegisterModule + ordering + terminate), HttpServerImpl, the module
// context container and the UTF-8 ⇄ wchar_t helpers. The test modules are in tests/modules;
// their paths come from compile definitions (RM_*_PATH).
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <atomic>
#include <clocale>
#include <cstdio>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "iis/context_container.h"
#include "iis/http_server_impl.h"
#include "iis/module_registry.h"
#include "iis/wide.h"
#include "module_log_capture.h"

namespace hs::iis {
namespace {

using iis_test::clear_module_log;
using iis_test::count_module_log;
using iis_test::module_messages;

std::string hex(HRESULT hr) {
  char buf[16];
  snprintf(buf, sizeof(buf), "0x%08X", static_cast<unsigned>(hr));
  return buf;
}

std::vector<std::string> names(const std::vector<const ModuleRegistration*>& v) {
  std::vector<std::string> out;
  for (const auto* r : v)
    out.push_back(r->name);
  return out;
}

// True while `path` is mapped in the process (RTLD_NOLOAD does not load it).
bool image_loaded(const char* path) {
  void* h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
  if (h == nullptr) return false;
  dlclose(h);
  return true;
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { clear_module_log(); }

  // Loads and expects success.
  const ModuleRegistration* must_load(ModuleRegistry& reg, const std::string& name,
                                      const char* path) {
    std::string error;
    EXPECT_TRUE(reg.load(name, path, &server_, &error)) << error;
    EXPECT_EQ(error, "");
    return reg.find(name);
  }

  // Loads and expects failure; returns the error.
  std::string must_fail(ModuleRegistry& reg, const std::string& name, const std::string& path) {
    std::string error;
    EXPECT_FALSE(reg.load(name, path, &server_, &error));
    EXPECT_NE(error.find("'" + name + "'"), std::string::npos) << error;
    EXPECT_NE(error.find(path), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    return error;
  }

  HttpServerImpl server_;
};

// --- priorities -------------------------------------------------------------------------------

TEST(PriorityRank, AliasesAndUnknown) {
  EXPECT_EQ(priority_rank(PRIORITY_ALIAS_FIRST), 0);
  EXPECT_EQ(priority_rank(PRIORITY_ALIAS_HIGH), 1);
  EXPECT_EQ(priority_rank(PRIORITY_ALIAS_MEDIUM), 2);
  EXPECT_EQ(priority_rank(PRIORITY_ALIAS_LOW), 3);
  EXPECT_EQ(priority_rank(PRIORITY_ALIAS_LAST), 4);
  EXPECT_EQ(priority_rank(L"first"), 0);
  EXPECT_EQ(priority_rank(L"Last"), 4);
  EXPECT_EQ(priority_rank(L"URGENT"), -1);
  EXPECT_EQ(priority_rank(L""), -1);
  EXPECT_EQ(priority_rank(L"FIRSTX"), -1);
  EXPECT_EQ(priority_rank(L"FIRS"), -1);
  EXPECT_EQ(priority_rank(nullptr), -1);
}

TEST(PriorityRank, RegistrationDefaultsToMedium) {
  ModuleRegistration r;
  r.request_priority[RQ_BEGIN_REQUEST] = kPriorityFirst;
  EXPECT_EQ(r.request_rank(RQ_BEGIN_REQUEST), kPriorityFirst);
  EXPECT_EQ(r.request_rank(RQ_END_REQUEST), kPriorityMedium);
  EXPECT_EQ(r.post_request_rank(RQ_BEGIN_REQUEST), kPriorityMedium);
  EXPECT_EQ(r.global_rank(GL_PRE_BEGIN_REQUEST), kPriorityMedium);
}

// --- loading ----------------------------------------------------------------------------------

TEST_F(RegistryTest, LoadsAWellBehavedModule) {
  ModuleRegistry reg;
  const ModuleRegistration* m = must_load(reg, "OkModule", RM_OK_PATH);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->name, "OkModule");
  EXPECT_EQ(m->wname, L"OkModule");
  EXPECT_EQ(m->image, RM_OK_PATH);
  EXPECT_EQ(m->order, 0u);
  EXPECT_NE(m->id, nullptr);
  EXPECT_NE(m->factory, nullptr);
  EXPECT_NE(m->global, nullptr);
  EXPECT_NE(m->dl_handle, nullptr);
  EXPECT_EQ(m->request_mask,
            DWORD{RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER | RQ_SEND_RESPONSE});
  EXPECT_EQ(m->post_request_mask, DWORD{RQ_BEGIN_REQUEST});
  EXPECT_EQ(m->global_mask, DWORD{GL_PRE_BEGIN_REQUEST | GL_CUSTOM_NOTIFICATION});
  EXPECT_EQ(m->request_rank(RQ_BEGIN_REQUEST), kPriorityHigh);
  EXPECT_EQ(m->request_rank(RQ_EXECUTE_REQUEST_HANDLER), kPriorityMedium);

  // RegisterModule saw dwServerVersion 10, GetName and GetId.
  char expected[128];
  snprintf(expected, sizeof(expected), "register OkModule version=%u id=%p",
           ModuleRegistry::kServerVersion, m->id);
  EXPECT_EQ(count_module_log("rm_ok", expected), 1) << expected;
  EXPECT_EQ(ModuleRegistry::kServerVersion, 10u);

  EXPECT_EQ(reg.modules().size(), 1u);
  EXPECT_EQ(reg.find("okmodule"), m);  // case-insensitive
  EXPECT_EQ(reg.find("OKMODULE"), m);
  EXPECT_EQ(reg.find("Other"), nullptr);
  EXPECT_EQ(reg.find(m->id), m);
  EXPECT_EQ(reg.find(HTTP_MODULE_ID{nullptr}), nullptr);
}

TEST_F(RegistryTest, MissingImage) {
  ModuleRegistry reg;
  const std::string path = std::string(TEST_MODULES_DIR) + "/does_not_exist.so";
  std::string error = must_fail(reg, "Ghost", path);
  EXPECT_NE(error.find("cannot load"), std::string::npos) << error;
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;  // dlerror text
  EXPECT_TRUE(reg.modules().empty());
}

TEST_F(RegistryTest, NotASharedObject) {
  ModuleRegistry reg;
  std::string error = must_fail(reg, "Source", __FILE__);
  EXPECT_NE(error.find("cannot load"), std::string::npos) << error;
}

TEST_F(RegistryTest, NoRegisterModuleExport) {
  ModuleRegistry reg;
  std::string error = must_fail(reg, "NoExport", RM_NOEXPORT_PATH);
  EXPECT_NE(error.find("no RegisterModule export"), std::string::npos) << error;
  EXPECT_FALSE(image_loaded(RM_NOEXPORT_PATH));  // closed at once: no module code ran
}

TEST_F(RegistryTest, RegisterModuleFails) {
  ModuleRegistry reg;
  std::string error = must_fail(reg, "Failing", RM_FAIL_PATH);
  EXPECT_NE(error.find("RegisterModule failed with 0x80004005"), std::string::npos) << error;
  EXPECT_TRUE(reg.modules().empty());
  EXPECT_EQ(reg.find("Failing"), nullptr);
  // Kept mapped until terminate() (module code may still be referenced).
  EXPECT_TRUE(image_loaded(RM_FAIL_PATH));
  reg.terminate();
  EXPECT_FALSE(image_loaded(RM_FAIL_PATH));
}

TEST_F(RegistryTest, RegisterModuleThrows) {
  ModuleRegistry reg;
  std::string error = must_fail(reg, "Thrower", RM_THROW_PATH);
  EXPECT_NE(error.find("RegisterModule threw"), std::string::npos) << error;
  EXPECT_NE(error.find("boom from rm_throw"), std::string::npos) << error;
  EXPECT_TRUE(reg.modules().empty());
}

TEST_F(RegistryTest, UnknownPriorityAliasIsInvalidArg) {
  ModuleRegistry reg;
  std::string error = must_fail(reg, "BadPrio", RM_BADPRIO_PATH);
  EXPECT_EQ(count_module_log("rm_badprio", "priority " + hex(E_INVALIDARG)), 1);
  EXPECT_NE(error.find("RegisterModule failed with 0x80070057"), std::string::npos) << error;
}

TEST_F(RegistryTest, DuplicateNameIsRefusedCaseInsensitively) {
  ModuleRegistry reg;
  must_load(reg, "Dup", RM_OK_PATH);
  std::string error = must_fail(reg, "DUP", RM_OK_PATH);
  EXPECT_NE(error.find("duplicate module name"), std::string::npos) << error;
  // The duplicate never reached RegisterModule.
  EXPECT_EQ(module_messages("rm_ok").size(), 1u);
  EXPECT_EQ(reg.modules().size(), 1u);
  // Even a built-in may not reuse a name.
  std::string builtin_error;
  EXPECT_FALSE(reg.add_builtin(
      "dup", [](DWORD, IHttpModuleRegistrationInfo*, IHttpServer*) -> HRESULT { return S_OK; },
      &server_, &builtin_error));
  EXPECT_NE(builtin_error.find("duplicate module name"), std::string::npos) << builtin_error;
  EXPECT_NE(builtin_error.find("<built-in>"), std::string::npos) << builtin_error;
}

TEST_F(RegistryTest, EmptyNameIsRefused) {
  ModuleRegistry reg;
  std::string error;
  EXPECT_FALSE(reg.load("", RM_OK_PATH, &server_, &error));
  EXPECT_NE(error.find("empty module name"), std::string::npos) << error;
}

TEST_F(RegistryTest, NullErrorPointerIsAllowed) {
  ModuleRegistry reg;
  EXPECT_FALSE(reg.load("Ghost", "/nonexistent/x.so", &server_, nullptr));
  EXPECT_TRUE(reg.load("Ok", RM_OK_PATH, &server_, nullptr));
}

TEST_F(RegistryTest, IdsAreUniqueStableAndNeverReused) {
  ModuleRegistry reg;
  std::set<HTTP_MODULE_ID> ids;
  must_load(reg, "m0", RM_OK_PATH);
  must_fail(reg, "bad", RM_FAIL_PATH);  // consumes an id, not an order
  must_load(reg, "m1", RM_OK_PATH);
  must_load(reg, "m2", RM_TWICE_PATH);
  ASSERT_EQ(reg.modules().size(), 3u);
  for (size_t i = 0; i < reg.modules().size(); ++i) {
    const ModuleRegistration& m = *reg.modules()[i];
    EXPECT_EQ(m.order, i);  // order is the index in modules()
    EXPECT_NE(m.id, nullptr);
    EXPECT_TRUE(ids.insert(m.id).second);
    EXPECT_EQ(reg.find(m.id), &m);
  }
  const HTTP_MODULE_ID first = reg.modules()[0]->id;
  reg.freeze();
  EXPECT_EQ(reg.modules()[0]->id, first);
  EXPECT_EQ(reg.find("m0")->id, first);
}

TEST_F(RegistryTest, LoadAfterFreezeIsRefused) {
  ModuleRegistry reg;
  must_load(reg, "a", RM_OK_PATH);
  reg.freeze();
  EXPECT_TRUE(reg.frozen());
  std::string error;
  EXPECT_FALSE(reg.load("b", RM_OK_PATH, &server_, &error));
  EXPECT_NE(error.find("'b'"), std::string::npos) << error;
  EXPECT_EQ(reg.modules().size(), 1u);
}

// --- registration-info rules ------------------------------------------------------------------

TEST_F(RegistryTest, RegistrationInfoRules) {
  ModuleRegistry reg;
  const ModuleRegistration* m = must_load(reg, "Twice", RM_TWICE_PATH);
  ASSERT_NE(m, nullptr);
  const auto log = module_messages("rm_twice");
  auto has = [&](const std::string& line) {
    for (const auto& l : log) {
      if (l == line) return true;
    }
    return false;
  };
  EXPECT_TRUE(
      has("second SetRequestNotifications " + hex(HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS))));
  EXPECT_TRUE(
      has("second SetGlobalNotifications " + hex(HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS))));
  EXPECT_TRUE(has("multi-bit priority " + hex(E_INVALIDARG)));
  EXPECT_TRUE(has("unknown-bit priority " + hex(E_INVALIDARG)));
  EXPECT_TRUE(has("post priority on RQ_SEND_RESPONSE " + hex(E_INVALIDARG)));
  EXPECT_TRUE(has("lowercase alias " + hex(S_OK)));
  EXPECT_EQ(log.size(), 6u);

  // The first registration won.
  EXPECT_EQ(m->request_mask, DWORD{RQ_BEGIN_REQUEST});
  EXPECT_EQ(m->global_mask, DWORD{GL_PRE_BEGIN_REQUEST});
  EXPECT_EQ(m->request_rank(RQ_BEGIN_REQUEST), kPriorityLast);

  // After RegisterModule returned, the (still valid) object refuses changes.
  void* h = dlopen(RM_TWICE_PATH, RTLD_NOW | RTLD_NOLOAD);
  ASSERT_NE(h, nullptr);
  auto late = reinterpret_cast<HRESULT (*)()>(dlsym(h, "rm_twice_late_call"));
  auto late_prio = reinterpret_cast<HRESULT (*)()>(dlsym(h, "rm_twice_late_priority"));
  ASSERT_NE(late, nullptr);
  ASSERT_NE(late_prio, nullptr);
  EXPECT_EQ(late(), E_UNEXPECTED);
  EXPECT_EQ(late_prio(), E_UNEXPECTED);
  dlclose(h);
  EXPECT_EQ(m->request_rank(RQ_BEGIN_REQUEST), kPriorityLast);
}

// Built-in registration functions used below. They record what the registration object said.
HRESULT g_hr_a = S_OK, g_hr_b = S_OK, g_hr_c = S_OK, g_hr_d = S_OK;
IHttpServer* g_seen_server = nullptr;
DWORD g_seen_version = 0;
std::wstring g_seen_name;

HRESULT WINAPI probe_null_objects(DWORD version, IHttpModuleRegistrationInfo* info,
                                  IHttpServer* server) {
  g_seen_version = version;
  g_seen_server = server;
  g_seen_name = info->GetName();
  g_hr_a = info->SetRequestNotifications(nullptr, RQ_BEGIN_REQUEST, 0);      // E_INVALIDARG
  g_hr_b = info->SetGlobalNotifications(nullptr, GL_STOP_LISTENING);         // E_INVALIDARG
  g_hr_c = info->SetPriorityForGlobalNotification(0x1, PRIORITY_ALIAS_LOW);  // unused GL bit
  g_hr_d = info->SetPriorityForGlobalNotification(GL_STOP_LISTENING, L"nope");
  return S_OK;  // registered nothing: accepted with a warning
}

TEST_F(RegistryTest, BuiltinNullObjectsAndEmptyRegistration) {
  ModuleRegistry reg;
  std::string error;
  testing::internal::CaptureStderr();
  ASSERT_TRUE(reg.add_builtin("Probe", probe_null_objects, &server_, &error)) << error;
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(g_hr_a, E_INVALIDARG);
  EXPECT_EQ(g_hr_b, E_INVALIDARG);
  EXPECT_EQ(g_hr_c, E_INVALIDARG);
  EXPECT_EQ(g_hr_d, E_INVALIDARG);
  EXPECT_EQ(g_seen_version, 10u);
  EXPECT_EQ(g_seen_server, &server_);
  EXPECT_EQ(g_seen_name, L"Probe");
  EXPECT_NE(err.find("'Probe'"), std::string::npos) << err;
  EXPECT_NE(err.find("registered no notifications"), std::string::npos) << err;
  const ModuleRegistration* m = reg.find("probe");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->image, "<built-in>");
  EXPECT_EQ(m->dl_handle, nullptr);
  EXPECT_EQ(m->factory, nullptr);
  EXPECT_EQ(m->request_mask, 0u);
}

TEST_F(RegistryTest, BuiltinFailuresNameTheModule) {
  ModuleRegistry reg;
  std::string error;
  EXPECT_FALSE(reg.add_builtin(
      "Nope", [](DWORD, IHttpModuleRegistrationInfo*, IHttpServer*) -> HRESULT { return E_FAIL; },
      &server_, &error));
  EXPECT_EQ(error, "module 'Nope' (image <built-in>): RegisterModule failed with 0x80004005");
  EXPECT_FALSE(reg.add_builtin(
      "Boom", [](DWORD, IHttpModuleRegistrationInfo*, IHttpServer*) -> HRESULT { throw 42; },
      &server_, &error));
  EXPECT_EQ(error, "module 'Boom' (image <built-in>): RegisterModule threw an exception");
  EXPECT_FALSE(reg.add_builtin("Null", nullptr, &server_, &error));
  EXPECT_NE(error.find("'Null'"), std::string::npos);
  EXPECT_TRUE(reg.modules().empty());
}

// --- ordering ---------------------------------------------------------------------------------

TEST_F(RegistryTest, SubscribersAreOrderedByPriorityThenLoadOrder) {
  ModuleRegistry reg;
  // rm_ok takes the alias after the last '-' of its name; "e" keeps its default (HIGH for
  // RQ_BEGIN_REQUEST only).
  for (const char* name : {"a-LAST", "b-FIRST", "c-MEDIUM", "d-FIRST", "e"}) {
    must_load(reg, name, RM_OK_PATH);
  }
  reg.freeze();
  using V = std::vector<std::string>;
  EXPECT_EQ(names(reg.subscribers(RQ_BEGIN_REQUEST, false)),
            (V{"b-FIRST", "d-FIRST", "e", "c-MEDIUM", "a-LAST"}));
  EXPECT_EQ(names(reg.subscribers(RQ_BEGIN_REQUEST, true)),
            (V{"b-FIRST", "d-FIRST", "c-MEDIUM", "e", "a-LAST"}));
  EXPECT_EQ(names(reg.subscribers(RQ_EXECUTE_REQUEST_HANDLER, false)),
            (V{"a-LAST", "b-FIRST", "c-MEDIUM", "d-FIRST", "e"}));
  // RQ_SEND_RESPONSE: the sorted order (b d c e a) reversed, so FIRST runs last.
  EXPECT_EQ(names(reg.subscribers(RQ_SEND_RESPONSE, false)),
            (V{"a-LAST", "e", "c-MEDIUM", "d-FIRST", "b-FIRST"}));
  EXPECT_EQ(names(reg.global_subscribers(GL_PRE_BEGIN_REQUEST)),
            (V{"b-FIRST", "d-FIRST", "c-MEDIUM", "e", "a-LAST"}));
  EXPECT_EQ(names(reg.global_subscribers(GL_CUSTOM_NOTIFICATION)),
            (V{"a-LAST", "b-FIRST", "c-MEDIUM", "d-FIRST", "e"}));

  EXPECT_TRUE(reg.subscribers(RQ_END_REQUEST, false).empty());
  EXPECT_TRUE(reg.subscribers(RQ_EXECUTE_REQUEST_HANDLER, true).empty());
  EXPECT_TRUE(reg.subscribers(RQ_SEND_RESPONSE, true).empty());
  EXPECT_TRUE(reg.subscribers(RQ_BEGIN_REQUEST | RQ_END_REQUEST, false).empty());
  EXPECT_TRUE(reg.subscribers(0, false).empty());
  EXPECT_TRUE(reg.global_subscribers(GL_STOP_LISTENING).empty());
  EXPECT_TRUE(reg.global_subscribers(GL_PRE_BEGIN_REQUEST | GL_STOP_LISTENING).empty());
  // The same vector every time (cached).
  EXPECT_EQ(&reg.subscribers(RQ_BEGIN_REQUEST, false), &reg.subscribers(RQ_BEGIN_REQUEST, false));
}

TEST_F(RegistryTest, SubscribersAreCurrentBeforeFreeze) {
  ModuleRegistry reg;
  must_load(reg, "x", RM_OK_PATH);
  EXPECT_EQ(reg.subscribers(RQ_BEGIN_REQUEST, false).size(), 1u);
  must_load(reg, "y-FIRST", RM_OK_PATH);
  EXPECT_EQ(names(reg.subscribers(RQ_BEGIN_REQUEST, false)),
            (std::vector<std::string>{"y-FIRST", "x"}));
}

// --- terminate --------------------------------------------------------------------------------

TEST_F(RegistryTest, TerminateCallsEveryTerminateOnceThenUnloads) {
  {
    ModuleRegistry reg;
    must_load(reg, "one", RM_OK_PATH);
    must_load(reg, "two", RM_OK_PATH);
    must_load(reg, "Twice", RM_TWICE_PATH);
    must_load(reg, "Both", RM_BOTH_PATH);
    reg.freeze();
    EXPECT_TRUE(image_loaded(RM_OK_PATH));
    EXPECT_TRUE(image_loaded(RM_BOTH_PATH));
    clear_module_log();

    reg.terminate();
    EXPECT_TRUE(reg.terminated());
    EXPECT_EQ(count_module_log("rm_ok", "factory terminate one"), 1);
    EXPECT_EQ(count_module_log("rm_ok", "global terminate one"), 1);
    EXPECT_EQ(count_module_log("rm_ok", "factory terminate two"), 1);
    EXPECT_EQ(count_module_log("rm_ok", "global terminate two"), 1);
    EXPECT_EQ(count_module_log("rm_twice", "factory terminate"), 1);
    EXPECT_EQ(count_module_log("rm_twice", "global terminate"), 1);
    EXPECT_EQ(count_module_log("rm_both", "terminate"), 1);  // one object, both roles

    // Reverse load order: Both, Twice, two, one (factory before global within a module).
    std::vector<std::string> order;
    for (const auto& r : iis_test::module_log())
      order.push_back(r.source + ":" + r.message);
    EXPECT_EQ(order,
              (std::vector<std::string>{"rm_both:terminate", "rm_twice:factory terminate",
                                        "rm_twice:global terminate", "rm_ok:factory terminate two",
                                        "rm_ok:global terminate two", "rm_ok:factory terminate one",
                                        "rm_ok:global terminate one"}));

    // Closed, but still mapped: a registered image is never unmapped (RTLD_NODELETE), so a
    // thread of the module still returning through its code cannot crash.
    EXPECT_TRUE(image_loaded(RM_OK_PATH));
    EXPECT_TRUE(image_loaded(RM_TWICE_PATH));
    EXPECT_TRUE(image_loaded(RM_BOTH_PATH));
    for (const auto& m : reg.modules()) {
      EXPECT_EQ(m->factory, nullptr);
      EXPECT_EQ(m->global, nullptr);
      EXPECT_EQ(m->dl_handle, nullptr);
    }
    EXPECT_TRUE(reg.subscribers(RQ_BEGIN_REQUEST, false).empty());
    EXPECT_TRUE(reg.global_subscribers(GL_PRE_BEGIN_REQUEST).empty());

    reg.terminate();  // idempotent
    std::string error;
    EXPECT_FALSE(reg.load("late", RM_OK_PATH, &server_, &error));
    EXPECT_NE(error.find("terminated"), std::string::npos) << error;
  }  // the destructor does not terminate again
  EXPECT_EQ(module_messages("rm_ok").size(), 4u);
  EXPECT_EQ(module_messages("rm_both").size(), 1u);
}

TEST_F(RegistryTest, DestructorTerminates) {
  {
    ModuleRegistry reg;
    must_load(reg, "solo", RM_OK_PATH);
    clear_module_log();
  }
  EXPECT_EQ(count_module_log("rm_ok", "factory terminate solo"), 1);
  EXPECT_EQ(count_module_log("rm_ok", "global terminate solo"), 1);
  EXPECT_TRUE(image_loaded(RM_OK_PATH));  // terminated and closed, never unmapped
}

// A built-in whose factory Terminate throws: contained, logged with the module's name, and the
// other modules are still terminated.
int g_throwing_terminates = 0;
class ThrowingFactory : public IHttpModuleFactory {
 public:
  HRESULT GetHttpModule(CHttpModule**, IModuleAllocator*) override { return E_NOTIMPL; }
  VOID Terminate() override {
    ++g_throwing_terminates;
    throw std::runtime_error("terminate exploded");
  }
};
ThrowingFactory g_throwing_factory;

TEST_F(RegistryTest, ThrowingTerminateIsContained) {
  g_throwing_terminates = 0;
  ModuleRegistry reg;
  must_load(reg, "first", RM_OK_PATH);
  std::string error;
  ASSERT_TRUE(reg.add_builtin(
      "Thrower",
      [](DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) -> HRESULT {
        return info->SetRequestNotifications(&g_throwing_factory, RQ_END_REQUEST, 0);
      },
      &server_, &error))
      << error;
  clear_module_log();
  testing::internal::CaptureStderr();
  reg.terminate();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(g_throwing_terminates, 1);
  EXPECT_NE(err.find("module 'Thrower'"), std::string::npos) << err;
  EXPECT_NE(err.find("terminate exploded"), std::string::npos) << err;
  EXPECT_EQ(count_module_log("rm_ok", "factory terminate first"), 1);
}

// --- HttpServerImpl ---------------------------------------------------------------------------

TEST(HttpServerImpl, Basics) {
  HttpServerImpl server;
  EXPECT_EQ(server.IsCommandLineLaunch(), TRUE);
  EXPECT_STREQ(server.GetAppPoolName(), L"httpserv");
  DWORD cch = 99;
  EXPECT_STREQ(server.GetAppPoolConfigFile(&cch), L"");
  EXPECT_EQ(cch, 0u);
  server.set_config_file("/etc/httpserv/é.conf");
  EXPECT_STREQ(server.GetAppPoolConfigFile(&cch), L"/etc/httpserv/\u00e9.conf");
  EXPECT_EQ(cch, 20u);
  EXPECT_STREQ(server.GetAppPoolConfigFile(), L"/etc/httpserv/\u00e9.conf");
  server.IncrementThreadCount();
  server.DecrementThreadCount();
  EXPECT_EQ(server.GetAdminManager(), nullptr);
  ASSERT_NE(server.GetPerfCounterInfo(), nullptr);
  server.GetPerfCounterInfo()->IncrementCounter(3);
  EXPECT_EQ(server.FlushKernelCache(L"/x"), S_OK);
}

TEST(HttpServerImpl, HealthReportsAreLogged) {
  HttpServerImpl server;
  testing::internal::CaptureStderr();
  server.ReportUnhealthy(L"disk on fire", E_FAIL);
  server.RecycleProcess(L"too old");
  server.RecycleApplication(L"/LM/W3SVC/1/ROOT");
  server.ReportUnhealthy(nullptr, S_OK);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("disk on fire"), std::string::npos) << err;
  EXPECT_NE(err.find("0x80004005"), std::string::npos) << err;
  EXPECT_NE(err.find("too old"), std::string::npos) << err;
  EXPECT_NE(err.find("/LM/W3SVC/1/ROOT"), std::string::npos) << err;
}

TEST(HttpServerImpl, TraceContextIsDisabledNotNull) {
  HttpServerImpl server;
  IHttpTraceContext* trace = server.GetTraceContext();
  ASSERT_NE(trace, nullptr);
  EXPECT_EQ(trace, server.GetTraceContext());
  GUID provider{};
  HTTP_TRACE_CONFIGURATION config{};
  config.pProviderGuid = &provider;
  config.fProviderEnabled = TRUE;
  config.dwAreas = 0xFFFF;
  config.dwVerbosity = 5;
  EXPECT_EQ(trace->GetTraceConfiguration(&config), S_OK);
  EXPECT_EQ(config.fProviderEnabled, FALSE);
  EXPECT_EQ(config.dwAreas, 0u);
  EXPECT_EQ(config.dwVerbosity, 0u);
  EXPECT_EQ(config.pProviderGuid, &provider);
  EXPECT_EQ(trace->GetTraceConfiguration(nullptr), E_INVALIDARG);
  EXPECT_EQ(trace->QuickTrace(L"x"), S_OK);
  EXPECT_EQ(trace->RaiseTraceEvent(nullptr), S_OK);
  EXPECT_NE(trace->GetTraceActivityId(), nullptr);
}

TEST(HttpServerImpl, ExtendedInterfaceByVersion) {
  HttpServerImpl server;
  IHttpServer* base = &server;
  PVOID out = nullptr;
  EXPECT_EQ(base->GetExtendedInterface(HTTP_SERVER_INTERFACE_V2, &out), S_OK);
  EXPECT_EQ(out, static_cast<IHttpServer2*>(&server));
  out = nullptr;
  EXPECT_EQ(base->GetExtendedInterface(HTTP_SERVER_INTERFACE_V3, &out), S_OK);
  EXPECT_EQ(out, static_cast<IHttpServer3*>(&server));
  out = &server;
  EXPECT_EQ(base->GetExtendedInterface(static_cast<HTTP_SERVER_INTERFACE_VERSION>(7), &out),
            E_NOINTERFACE);
  EXPECT_EQ(out, nullptr);
  EXPECT_EQ(base->GetExtendedInterface(HTTP_SERVER_INTERFACE_V2, nullptr), E_POINTER);
}

TEST(HttpServerImpl, ExtendedInterfaceByGuid) {
  HttpServerImpl server;
  IHttpServer2* s2 = &server;
  int object = 0;  // stands in for a context/request/response: never dereferenced
  void* in = &object;
  PVOID out = nullptr;

  // Server interfaces → the server, whatever the input.
  EXPECT_EQ(s2->GetExtendedInterface(iid_of<IHttpServer>(), nullptr, iid_of<IHttpServer3>(), &out),
            S_OK);
  EXPECT_EQ(out, static_cast<IHttpServer3*>(&server));
  EXPECT_EQ(s2->GetExtendedInterface(iid_of<IHttpContext>(), in, iid_of<IHttpServer2>(), &out),
            S_OK);
  EXPECT_EQ(out, static_cast<IHttpServer2*>(&server));

  // Same family → the input pointer, unchanged (up, down and sideways).
  struct Pair {
    GUID from, to;
  };
  const Pair same[] = {
      {iid_of<IHttpContext>(), iid_of<IHttpContext4>()},
      {iid_of<IHttpContext4>(), iid_of<IHttpContext2>()},
      {iid_of<IHttpRequest>(), iid_of<IHttpRequest4>()},
      {iid_of<IHttpRequest2>(), iid_of<IHttpRequest3>()},
      {iid_of<IHttpResponse>(), iid_of<IHttpResponse2>()},
      {iid_of<IHttpResponse>(), iid_of<IHttpResponse4>()},
      {iid_of<IHttpCompletionInfo>(), iid_of<IHttpCompletionInfo2>()},
      {iid_of<IGlobalApplicationPreloadProvider>(), iid_of<IGlobalApplicationPreloadProvider2>()},
      {iid_of<IHttpApplication>(), iid_of<IHttpApplication2>()},
      {iid_of<IHttpCachePolicy>(), iid_of<IHttpCachePolicy2>()},
      {iid_of<IHttpModuleRegistrationInfo>(), iid_of<IHttpModuleRegistrationInfo2>()},
      {iid_of<IHttpResponse3>(), iid_of<IHttpResponse3>()},
  };
  for (const Pair& p : same) {
    out = nullptr;
    EXPECT_EQ(s2->GetExtendedInterface(p.from, in, p.to, &out), S_OK);
    EXPECT_EQ(out, in);
  }

  // Different families, unknown ids, interfaces without versions → E_NOINTERFACE, NULL.
  const Pair different[] = {
      {iid_of<IHttpContext>(), iid_of<IHttpResponse2>()},
      {iid_of<IHttpRequest>(), iid_of<IHttpResponse4>()},
      {iid_of<IHttpUser>(), iid_of<IHttpUser>()},
      {GUID{}, iid_of<IHttpContext2>()},
      {iid_of<IHttpContext>(), GUID{}},
  };
  for (const Pair& p : different) {
    out = &object;
    EXPECT_EQ(s2->GetExtendedInterface(p.from, in, p.to, &out), E_NOINTERFACE);
    EXPECT_EQ(out, nullptr);
  }
  EXPECT_EQ(
      s2->GetExtendedInterface(iid_of<IHttpContext>(), nullptr, iid_of<IHttpContext2>(), &out),
      E_INVALIDARG);
  EXPECT_EQ(out, nullptr);
  EXPECT_EQ(s2->GetExtendedInterface(iid_of<IHttpContext>(), in, iid_of<IHttpContext2>(), nullptr),
            E_POINTER);

  // Through the header's HttpGetExtendedInterface, as module code calls it.
  auto* response = reinterpret_cast<IHttpResponse*>(&object);
  IHttpResponse4* response4 = nullptr;
  EXPECT_EQ(HttpGetExtendedInterface(&server, response, &response4), S_OK);
  EXPECT_EQ(static_cast<void*>(response4), in);
  IHttpServer3* server3 = nullptr;
  EXPECT_EQ(HttpGetExtendedInterface(static_cast<IHttpServer*>(&server),
                                     static_cast<IHttpServer*>(&server), &server3),
            S_OK);
  EXPECT_EQ(server3, &server);
  IHttpRequest2* request2 = reinterpret_cast<IHttpRequest2*>(&object);
  EXPECT_EQ(HttpGetExtendedInterface(&server, response, &request2), E_NOINTERFACE);
  EXPECT_EQ(request2, nullptr);
}

TEST(HttpServerImpl, SatisfiesPrecondition) {
  HttpServerImpl server;
  BOOL unknown = 7;
  EXPECT_EQ(server.SatisfiesPrecondition(L"", &unknown), TRUE);
  EXPECT_EQ(unknown, FALSE);
  EXPECT_EQ(server.SatisfiesPrecondition(nullptr, &unknown), TRUE);
  EXPECT_EQ(server.SatisfiesPrecondition(L"bitness64"), TRUE);
  EXPECT_EQ(server.SatisfiesPrecondition(L"integratedMode,runtimeVersionv4.0,bitness64", &unknown),
            TRUE);
  EXPECT_EQ(unknown, FALSE);
  EXPECT_EQ(server.SatisfiesPrecondition(L" IntegratedMode , BITNESS64 ", &unknown), TRUE);
  EXPECT_EQ(server.SatisfiesPrecondition(L"bitness32", &unknown), FALSE);
  EXPECT_EQ(unknown, FALSE);
  EXPECT_EQ(server.SatisfiesPrecondition(L"classicMode,bitness64", &unknown), FALSE);
  EXPECT_EQ(unknown, FALSE);
  EXPECT_EQ(server.SatisfiesPrecondition(L"integratedMode,managedFoo", &unknown), FALSE);
  EXPECT_EQ(unknown, TRUE);
  EXPECT_EQ(server.SatisfiesPrecondition(L"whatever"), FALSE);
}

TEST(HttpServerImpl, NotImplementedAreasFailCleanly) {
  HttpServerImpl server;
  HTTP_DATA_CHUNK chunk{};  // only used as non-null storage for the out-pointers below
  IHttpFileInfo* file = reinterpret_cast<IHttpFileInfo*>(&chunk);
  EXPECT_EQ(server.GetFileInfo(L"/no/such/file", nullptr, nullptr, nullptr, nullptr, TRUE, &file),
            HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
  EXPECT_EQ(file, nullptr);
  ASSERT_EQ(server.GetFileInfo(L"/tmp", nullptr, nullptr, nullptr, nullptr, TRUE, &file), S_OK);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->GetAttributes() & 0x10u, 0x10u);  // a directory
  EXPECT_STREQ(file->GetFilePath(), L"/tmp");
  file->DereferenceCacheData();  // the caller's reference
  IHttpTokenEntry* token = reinterpret_cast<IHttpTokenEntry*>(&chunk);
  EXPECT_EQ(server.GetToken(L"u", L"p", 0, &token), E_NOTIMPL);
  EXPECT_EQ(token, nullptr);
  // Without sites (no resolver set) no site is found; NULL arguments are refused.
  IReferencedMetadataInfo* md = reinterpret_cast<IReferencedMetadataInfo*>(&chunk);
  EXPECT_EQ(server.GetMetadata(L"s", L"/", &md), HRESULT_FROM_WIN32(ERROR_NOT_FOUND));
  EXPECT_EQ(md, nullptr);
  EXPECT_EQ(server.GetMetadata(nullptr, L"/", &md), E_INVALIDARG);
  EXPECT_EQ(server.GetMetadata(L"s", L"/", nullptr), E_POINTER);
  EXPECT_EQ(server.AssociateWithThreadPool(nullptr, nullptr), E_NOTIMPL);
  IHttpFileMonitor* monitor = reinterpret_cast<IHttpFileMonitor*>(&chunk);
  EXPECT_EQ(server.RegisterFileChangeMonitor(L"/tmp", nullptr, &monitor), E_NOTIMPL);
  EXPECT_EQ(monitor, nullptr);
  ULONG returned = 5;
  EXPECT_EQ(server.QueryRequestProperty(0, HTTP_REQUEST_PROPERTY{}, nullptr, 0, nullptr, 0,
                                        &returned, nullptr),
            E_NOTIMPL);
  EXPECT_EQ(returned, 0u);
}

class TestCustomProvider : public ICustomNotificationProvider {
 public:
  VOID SetErrorStatus(HRESULT) override {}
  PCWSTR QueryNotificationType() override { return L"ping"; }
};

TEST_F(RegistryTest, NotifyCustomNotificationReachesGlobalModulesUntilHandled) {
  ModuleRegistry reg;
  server_.set_registry(&reg);
  must_load(reg, "p", RM_OK_PATH);
  must_load(reg, "handled_q", RM_OK_PATH);
  must_load(reg, "r", RM_OK_PATH);
  reg.freeze();
  clear_module_log();
  TestCustomProvider provider;
  EXPECT_EQ(server_.NotifyCustomNotification(&provider), GL_NOTIFICATION_CONTINUE);
  EXPECT_EQ(module_messages("rm_ok"),
            (std::vector<std::string>{"custom p ping", "custom handled_q ping"}));
  EXPECT_EQ(server_.NotifyCustomNotification(nullptr), GL_NOTIFICATION_CONTINUE);
  HttpServerImpl lonely;  // no registry: nobody to notify
  EXPECT_EQ(lonely.NotifyCustomNotification(&provider), GL_NOTIFICATION_CONTINUE);
  server_.set_registry(nullptr);
}

// --- context container ------------------------------------------------------------------------

struct CountingContext : IHttpStoredContext {
  explicit CountingContext(int* counter) : counter(counter) {}
  VOID CleanupStoredContext() override { ++*counter; }
  int* counter;
};

TEST(ContextContainer, DispensedContainerRules) {
  HttpServerImpl server;
  IDispensedHttpModuleContextContainer* c = server.DispenseContainer();
  ASSERT_NE(c, nullptr);
  IDispensedHttpModuleContextContainer* other = server.DispenseContainer();
  EXPECT_NE(c, other);
  other->ReleaseContainer();

  const auto id1 = reinterpret_cast<HTTP_MODULE_ID>(uintptr_t{1});
  const auto id2 = reinterpret_cast<HTTP_MODULE_ID>(uintptr_t{2});
  int n1 = 0, n2 = 0, n3 = 0;
  CountingContext c1(&n1), c2(&n2), c3(&n3);
  EXPECT_EQ(c->GetModuleContext(id1), nullptr);
  EXPECT_EQ(c->SetModuleContext(nullptr, id1), HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER));
  EXPECT_EQ(c->SetModuleContext(&c1, id1), S_OK);
  EXPECT_EQ(c->SetModuleContext(&c3, id1), HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED));
  EXPECT_EQ(c->SetModuleContext(&c1, id1), HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED));
  EXPECT_EQ(c->SetModuleContext(&c2, id2), S_OK);
  EXPECT_EQ(c->GetModuleContext(id1), &c1);
  EXPECT_EQ(c->GetModuleContext(id2), &c2);
  EXPECT_EQ(c->GetModuleContext(nullptr), nullptr);
  EXPECT_EQ(n1 + n2 + n3, 0);
  c->ReleaseContainer();
  EXPECT_EQ(n1, 1);
  EXPECT_EQ(n2, 1);
  EXPECT_EQ(n3, 0);  // never stored
}

TEST(ContextContainer, HeapContextsDeleteThemselves) {
  struct SelfDeleting : IHttpStoredContext {
    VOID CleanupStoredContext() override { delete this; }
  };
  ModuleContextContainer c;
  EXPECT_EQ(c.SetModuleContext(new SelfDeleting, reinterpret_cast<HTTP_MODULE_ID>(1)), S_OK);
  EXPECT_EQ(c.SetModuleContext(new SelfDeleting, reinterpret_cast<HTTP_MODULE_ID>(2)), S_OK);
  EXPECT_EQ(c.size(), 2u);
  c.cleanup();  // a leak or double delete shows under the sanitizers
  EXPECT_EQ(c.size(), 0u);
}

TEST(ContextContainer, MemberContainerCleansUpOnce) {
  int n = 0;
  CountingContext ctx(&n);
  {
    ModuleContextContainer c;
    ASSERT_EQ(c.SetModuleContext(&ctx, reinterpret_cast<HTTP_MODULE_ID>(7)), S_OK);
    c.cleanup();
    EXPECT_EQ(n, 1);
    c.cleanup();
    EXPECT_EQ(n, 1);
    EXPECT_EQ(c.GetModuleContext(reinterpret_cast<HTTP_MODULE_ID>(7)), nullptr);
  }
  EXPECT_EQ(n, 1);  // the destructor found nothing left
  {
    ModuleContextContainer c;
    ASSERT_EQ(c.SetModuleContext(&ctx, reinterpret_cast<HTTP_MODULE_ID>(7)), S_OK);
  }
  EXPECT_EQ(n, 2);  // the destructor cleaned up
}

TEST(ContextContainer, ConcurrentUse) {
  HttpServerImpl server;
  IDispensedHttpModuleContextContainer* c = server.DispenseContainer();
  constexpr int kThreads = 4, kPerThread = 200;
  std::vector<int> counters(kThreads * kPerThread, 0);
  std::vector<CountingContext> contexts;
  contexts.reserve(counters.size());
  for (int& n : counters)
    contexts.emplace_back(&n);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int k = t * kPerThread + i;
        const auto id = reinterpret_cast<HTTP_MODULE_ID>(static_cast<uintptr_t>(k + 1));
        if (c->SetModuleContext(&contexts[k], id) != S_OK) ++failures;
        if (c->GetModuleContext(id) != &contexts[k]) ++failures;
        if (c->SetModuleContext(&contexts[k], id) != HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED)) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(failures.load(), 0);
  c->ReleaseContainer();
  for (int n : counters)
    EXPECT_EQ(n, 1);
}

// Cleanup callbacks may use the container (no deadlock) and even store new contexts, which are
// cleaned up too; a throwing cleanup is contained and named.
struct ReentrantContext : IHttpStoredContext {
  ReentrantContext(IHttpModuleContextContainer* c, IHttpStoredContext* next, int* counter)
      : container(c), next(next), counter(counter) {}
  VOID CleanupStoredContext() override {
    ++*counter;
    seen_self = container->GetModuleContext(reinterpret_cast<HTTP_MODULE_ID>(101));
    if (next != nullptr) container->SetModuleContext(next, reinterpret_cast<HTTP_MODULE_ID>(109));
  }
  IHttpModuleContextContainer* container;
  IHttpStoredContext* next;
  int* counter;
  IHttpStoredContext* seen_self = reinterpret_cast<IHttpStoredContext*>(1);
};

struct ThrowingContext : IHttpStoredContext {
  VOID CleanupStoredContext() override { throw std::runtime_error("cleanup failed"); }
};

TEST(ContextContainer, ReentrantAndThrowingCleanup) {
  ModuleRegistry reg;
  HttpServerImpl server;
  std::string error;
  ASSERT_TRUE(reg.add_builtin(
      "Named", [](DWORD, IHttpModuleRegistrationInfo*, IHttpServer*) -> HRESULT { return S_OK; },
      &server, &error));
  const HTTP_MODULE_ID named_id = reg.find("Named")->id;
  server.set_registry(&reg);
  IDispensedHttpModuleContextContainer* c = server.DispenseContainer();
  int n_inner = 0, n_outer = 0;
  CountingContext inner(&n_inner);
  ReentrantContext outer(c, &inner, &n_outer);
  ThrowingContext thrower;
  ASSERT_EQ(c->SetModuleContext(&outer, reinterpret_cast<HTTP_MODULE_ID>(101)), S_OK);
  ASSERT_EQ(c->SetModuleContext(&thrower, named_id), S_OK);
  testing::internal::CaptureStderr();
  c->ReleaseContainer();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(n_outer, 1);
  EXPECT_EQ(n_inner, 1);
  EXPECT_EQ(outer.seen_self, nullptr);  // already taken out when its cleanup runs
  EXPECT_NE(err.find("module Named"), std::string::npos) << err;
  EXPECT_NE(err.find("cleanup failed"), std::string::npos) << err;
}

// --- wide strings -----------------------------------------------------------------------------

TEST(Wide, AsciiAndEmpty) {
  EXPECT_EQ(widen(""), L"");
  EXPECT_EQ(narrow(std::wstring_view()), "");
  EXPECT_EQ(narrow(static_cast<const wchar_t*>(nullptr)), "");
  EXPECT_EQ(widen("RegisterModule"), L"RegisterModule");
  EXPECT_EQ(narrow(L"RegisterModule"), "RegisterModule");
  EXPECT_EQ(widen(std::string_view("a\0b", 3)), std::wstring(L"a\0b", 3));
  EXPECT_EQ(narrow(std::wstring_view(L"a\0b", 3)), std::string("a\0b", 3));
}

TEST(Wide, NonAsciiRoundTrips) {
  // 2-, 3- and 4-byte forms, and the edges of each.
  const std::string utf8 =
      "caf\xC3\xA9 \xE2\x82\xAC \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 \xC2\x80 \xDF\xBF "
      "\xE0\xA0\x80 \xEF\xBF\xBF \xF0\x90\x80\x80 \xF4\x8F\xBF\xBF";
  const std::wstring wide =
      L"caf\u00e9 \u20ac \u65e5\u672c \U0001F600 \u0080 \u07FF \u0800 \uFFFF \U00010000 "
      L"\U0010FFFF";
  EXPECT_EQ(widen(utf8), wide);
  EXPECT_EQ(narrow(wide), utf8);
  EXPECT_EQ(narrow(widen(utf8)), utf8);
  EXPECT_EQ(widen(narrow(wide)), wide);
  // One wchar_t per code point (UTF-32, no surrogates).
  EXPECT_EQ(widen("\xF0\x9F\x98\x80").size(), 1u);
}

TEST(Wide, IndependentOfLocale) {
  const char* old = setlocale(LC_ALL, nullptr);
  std::string saved = old != nullptr ? old : "C";
  setlocale(LC_ALL, "C");
  EXPECT_EQ(widen("\xC3\xA9"), L"\u00e9");
  EXPECT_EQ(narrow(L"\u00e9"), "\xC3\xA9");
  setlocale(LC_ALL, saved.c_str());
}

TEST(Wide, InvalidUtf8BecomesReplacementCharacters) {
  const std::wstring R = L"\uFFFD";
  struct Case {
    std::string in;
    std::wstring out;
  };
  const Case cases[] = {
      {"\x80", R},  // stray continuation
      {"a\xBF\x62", L"a" + R + L"b"},
      {"\xC3", R},             // truncated at the end
      {"\xC3\x41", R + L"A"},  // truncated by an ASCII byte
      {"\xC0\xAF", R + R},     // overlong '/': C0 is never valid
      {"\xC1\xBF", R + R},
      {"\xE0\x80\xAF", R + R + R},          // overlong 3-byte
      {"\xED\xA0\x80", R + R + R},          // encoded surrogate U+D800
      {"\xF0\x80\x80\xAF", R + R + R + R},  // overlong 4-byte
      {"\xF4\x90\x80\x80", R + R + R + R},  // above U+10FFFF
      {"\xF5\x80\x80\x80", R + R + R + R},
      {"\xFF", R},
      {"\xF0\x9F\x98", R},  // one maximal subpart → one U+FFFD
      {"a\xF0\x9F\x98\x62", L"a" + R + L"b"},
      {"\xE2\x82", R},
      {"\xE2\x82\xE2\x82\xAC", R + L"\u20ac"},
      {"\xF0\x9F\x98\x80\x80", L"\U0001F600" + R},  // an extra continuation byte
  };
  for (const Case& c : cases) {
    EXPECT_EQ(widen(c.in), c.out) << testing::PrintToString(c.in);
    // Whatever came in, what comes out is valid UTF-8 that round-trips.
    const std::string clean = narrow(widen(c.in));
    EXPECT_EQ(narrow(widen(clean)), clean);
  }
}

TEST(Wide, UnencodableWideCharactersBecomeReplacement) {
  const std::string R = "\xEF\xBF\xBD";
  EXPECT_EQ(narrow(std::wstring(1, static_cast<wchar_t>(0xD800))), R);  // lone high surrogate
  EXPECT_EQ(narrow(std::wstring(1, static_cast<wchar_t>(0xDC00))), R);  // lone low surrogate
  EXPECT_EQ(narrow(std::wstring(1, static_cast<wchar_t>(0x110000))), R);
  EXPECT_EQ(narrow(std::wstring(1, static_cast<wchar_t>(-1))), R);
  // A UTF-16 surrogate pair (Windows-ported code) is combined.
  const wchar_t pair[] = {static_cast<wchar_t>(0xD83D), static_cast<wchar_t>(0xDE00), 0};
  EXPECT_EQ(narrow(pair), "\xF0\x9F\x98\x80");
  const wchar_t reversed[] = {static_cast<wchar_t>(0xDE00), static_cast<wchar_t>(0xD83D), L'x', 0};
  EXPECT_EQ(narrow(reversed), R + R + "x");
}

}  // namespace
}  // namespace hs::iis
