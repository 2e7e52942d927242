// GL_ notifications the server raises itself (iis/global_notifications.h), with built-in global
// modules: order, providers, GL_NOTIFICATION_HANDLED, exceptions. Also the per-module cleanup of
// a context container used by the request timeout.
#include "iis/global_notifications.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "iis/context_container.h"
#include "iis/http_server_impl.h"
#include "iis/module_registry.h"
#include "iis/site_objects.h"

namespace hs::iis {
namespace {

std::vector<std::string> g_calls;
IHttpApplication* g_seen_app = nullptr;

// Behaviour by module name: "Handles" returns HANDLED for APPLICATION_STOP, "Throws" throws in
// STOP_LISTENING; every module records "<name>:<event>".
class Recorder final : public CGlobalModule {
 public:
  explicit Recorder(std::string name) : name_(std::move(name)) {}
  GLOBAL_NOTIFICATION_STATUS OnGlobalApplicationStart(IHttpApplicationStartProvider* p) override {
    g_seen_app = p->GetApplication();
    g_calls.push_back(name_ + ":start");
    return GL_NOTIFICATION_CONTINUE;
  }
  GLOBAL_NOTIFICATION_STATUS OnGlobalStopListening(IGlobalStopListeningProvider* p) override {
    g_calls.push_back(name_ + ":stop-listening:" + std::to_string(p->DrainRequestsGracefully()));
    if (name_ == "Throws") throw std::runtime_error("boom");
    return GL_NOTIFICATION_CONTINUE;
  }
  GLOBAL_NOTIFICATION_STATUS OnGlobalApplicationStop(IHttpApplicationStopProvider* p) override {
    g_calls.push_back(name_ + ":stop");
    EXPECT_EQ(p->GetApplication(), g_seen_app);
    return name_ == "Handles" ? GL_NOTIFICATION_HANDLED : GL_NOTIFICATION_CONTINUE;
  }
  VOID Terminate() override {
    g_calls.push_back(name_ + ":terminate");
    delete this;
  }

 private:
  std::string name_;
};

HRESULT register_recorder(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  std::wstring w = info->GetName();
  return info->SetGlobalNotifications(
      new Recorder(std::string(w.begin(), w.end())),
      GL_APPLICATION_START | GL_STOP_LISTENING | GL_APPLICATION_STOP);
}

HRESULT register_last(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  HRESULT hr = register_recorder(0, info, nullptr);
  if (FAILED(hr)) return hr;
  // Configured first, but LAST for APPLICATION_START: runs after the others there.
  return info->SetPriorityForGlobalNotification(GL_APPLICATION_START, PRIORITY_ALIAS_LAST);
}

class GlobalNotificationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_calls.clear();
    g_seen_app = nullptr;
  }
  HttpServerImpl server_;
};

TEST_F(GlobalNotificationsTest, OrderProvidersHandledAndExceptions) {
  ModuleRegistry reg;
  std::string error;
  ASSERT_TRUE(reg.add_builtin("Late", register_last, &server_, &error)) << error;
  ASSERT_TRUE(reg.add_builtin("Throws", register_recorder, &server_, &error)) << error;
  ASSERT_TRUE(reg.add_builtin("Handles", register_recorder, &server_, &error)) << error;
  ASSERT_TRUE(reg.add_builtin("After", register_recorder, &server_, &error)) << error;
  reg.freeze();
  ApplicationImpl app(1, "Default Web Site", "/srv/www");

  raise_application_start(reg, &app);
  EXPECT_EQ(g_seen_app, &app);
  EXPECT_EQ(g_calls, (std::vector<std::string>{"Throws:start", "Handles:start", "After:start",
                                               "Late:start"}));
  g_calls.clear();

  // A module that throws is logged and skipped; the next ones still run.
  raise_stop_listening(reg, true);
  EXPECT_EQ(g_calls,
            (std::vector<std::string>{"Late:stop-listening:1", "Throws:stop-listening:1",
                                      "Handles:stop-listening:1", "After:stop-listening:1"}));
  g_calls.clear();

  // HANDLED: later global modules do not get this notification.
  raise_application_stop(reg, &app);
  EXPECT_EQ(g_calls, (std::vector<std::string>{"Late:stop", "Throws:stop", "Handles:stop"}));
  g_calls.clear();

  reg.terminate();  // reverse load order, each once
  EXPECT_EQ(g_calls, (std::vector<std::string>{"After:terminate", "Handles:terminate",
                                               "Throws:terminate", "Late:terminate"}));
}

TEST_F(GlobalNotificationsTest, NoSubscribersIsANoOp) {
  ModuleRegistry reg;
  reg.freeze();
  raise_application_start(reg, nullptr);
  raise_stop_listening(reg, false);
  raise_application_stop(reg, nullptr);
  EXPECT_TRUE(g_calls.empty());
}

int g_cleanups[2];

class CountedContext final : public IHttpStoredContext {
 public:
  explicit CountedContext(int i) : i_(i) {}
  VOID CleanupStoredContext() override {
    ++g_cleanups[i_];
    delete this;
  }

 private:
  int i_;
};

TEST(ContextContainerTest, CleanupModuleCleansOnlyThatModuleOnce) {
  g_cleanups[0] = g_cleanups[1] = 0;
  auto* a = reinterpret_cast<HTTP_MODULE_ID>(uintptr_t{1});
  auto* b = reinterpret_cast<HTTP_MODULE_ID>(uintptr_t{2});
  {
    ModuleContextContainer c;
    ASSERT_EQ(c.SetModuleContext(new CountedContext(0), a), S_OK);
    ASSERT_EQ(c.SetModuleContext(new CountedContext(1), b), S_OK);
    c.cleanup_module(a);
    EXPECT_EQ(g_cleanups[0], 1);
    EXPECT_EQ(g_cleanups[1], 0);
    EXPECT_EQ(c.GetModuleContext(a), nullptr);
    EXPECT_NE(c.GetModuleContext(b), nullptr);
    c.cleanup_module(a);  // nothing stored any more: no-op
    EXPECT_EQ(g_cleanups[0], 1);
    // The slot is free again.
    ASSERT_EQ(c.SetModuleContext(new CountedContext(0), a), S_OK);
  }
  EXPECT_EQ(g_cleanups[0], 2);
  EXPECT_EQ(g_cleanups[1], 1);
}

int g_disconnects = 0, g_conn_cleanups = 0;

class ConnContext final : public IHttpConnectionStoredContext {
 public:
  VOID NotifyDisconnect() override { ++g_disconnects; }
  VOID CleanupStoredContext() override {
    ++g_conn_cleanups;
    delete this;
  }
};

TEST(ConnectionStateTest, ClosedOnceThenCleanedUpWhenTheLastReferenceGoes) {
  g_disconnects = g_conn_cleanups = 0;
  auto id = reinterpret_cast<HTTP_MODULE_ID>(uintptr_t{7});
  auto state = std::make_shared<ConnectionState>(nullptr);
  std::shared_ptr<ConnectionState> request_ref = state;
  ASSERT_EQ(state->container().SetConnectionModuleContext(new ConnContext, id), S_OK);
  EXPECT_TRUE(state->connected());
  state->connection_closed();
  state->connection_closed();  // once only
  EXPECT_FALSE(state->connected());
  EXPECT_EQ(g_disconnects, 1);
  state.reset();                  // the connection's reference
  EXPECT_EQ(g_conn_cleanups, 0);  // a request still holds it
  request_ref.reset();
  EXPECT_EQ(g_conn_cleanups, 1);
}

}  // namespace
}  // namespace hs::iis
