// Loads the published-style module (published_module.cc) the way the server will: dlopen,
// dlsym("RegisterModule"), then drives it through fake server objects. This checks that
//   - RegisterModule is exported unmangled from a -fvisibility=hidden build,
//   - the module registers its factory / global module with the expected masks,
//   - calls across the .so boundary go through the interface vtables correctly,
//   - header-side logging inside the module reaches the host's HttpservLogWrite.

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <httpserv.h>

#include <string>

#include "fake_server_objects.h"
#include "test_log_capture.h"

#ifndef PUBLISHED_MODULE_PATH
#error "PUBLISHED_MODULE_PATH must name the published_module shared object"
#endif

namespace {

using headers_test::contains_log;
using headers_test::FakeAllocator;
using headers_test::FakeContext;
using headers_test::FakeEventProvider;
using headers_test::FakeRegistrationInfo;
using headers_test::FakeServer;

class PublishedModule : public ::testing::Test {
 protected:
  void SetUp() override {
    handle_ = dlopen(PUBLISHED_MODULE_PATH, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle_, nullptr) << dlerror();
  }
  void TearDown() override {
    if (handle_ != nullptr) dlclose(handle_);
  }

  PFN_REGISTERMODULE entry_point() const {
    return reinterpret_cast<PFN_REGISTERMODULE>(dlsym(handle_, MODULE_REGISTERMODULE));
  }

  void* handle_ = nullptr;
};

TEST_F(PublishedModule, ExportsUnmangledRegisterModule) {
  EXPECT_NE(entry_point(), nullptr) << dlerror();
  EXPECT_EQ(dlsym(handle_, "RegisterModule"), reinterpret_cast<void*>(entry_point()));
  // Nothing else of the module leaks out of a -fvisibility=hidden build.
  EXPECT_EQ(dlsym(handle_, "g_pHttpServer"), nullptr);
}

TEST_F(PublishedModule, RegistersAndServesARequest) {
  PFN_REGISTERMODULE register_module = entry_point();
  ASSERT_NE(register_module, nullptr);

  headers_test::clear_log_records();
  FakeRegistrationInfo registration;
  FakeServer server;
  ASSERT_EQ(register_module(10, &registration, &server), S_OK);

  // Registration as RegisterModule requested it.
  ASSERT_NE(registration.factory, nullptr);
  EXPECT_EQ(registration.request_mask, static_cast<DWORD>(RQ_BEGIN_REQUEST));
  EXPECT_EQ(registration.post_request_mask, 0u);
  ASSERT_NE(registration.global_module, nullptr);
  EXPECT_EQ(registration.global_mask, static_cast<DWORD>(GL_PRE_BEGIN_REQUEST));
  ASSERT_EQ(registration.request_priorities.count(RQ_BEGIN_REQUEST), 1u);
  EXPECT_EQ(registration.request_priorities[RQ_BEGIN_REQUEST], L"HIGH");

  // ReportEvent inside the module landed in this process's HttpservLogWrite.
  auto records = headers_test::take_log_records();
  EXPECT_TRUE(contains_log(records, HTTPSERV_LOG_INFO, "GreetingModule",
                           "[event 1000] GreetingModule loaded by server version 10"));

  // One request through the factory's module.
  FakeAllocator allocator;
  CHttpModule* module = nullptr;
  ASSERT_EQ(registration.factory->GetHttpModule(&module, &allocator), S_OK);
  ASSERT_NE(module, nullptr);

  FakeContext context;
  FakeEventProvider provider;
  context.response.headers["X-Old"] = "dropped by Clear()";
  EXPECT_EQ(module->OnBeginRequest(&context, &provider), RQ_NOTIFICATION_FINISH_REQUEST);

  EXPECT_EQ(context.response.clear_calls, 1);
  EXPECT_EQ(context.response.headers.count("X-Old"), 0u);
  EXPECT_EQ(context.response.headers["Content-Type"], "text/plain");
  EXPECT_EQ(context.response.headers["X-Extended-Response"], "yes");
  EXPECT_EQ(server.extended_interface_calls, 1);
  ASSERT_EQ(context.response.writes.size(), 1u);
  const auto& write = context.response.writes[0];
  EXPECT_EQ(write.version, 1);
  EXPECT_EQ(write.chunks, 1u);
  EXPECT_EQ(write.async, FALSE);
  EXPECT_EQ(write.more_data, TRUE);
  EXPECT_EQ(write.bytes, "Hello from a native module, request 1\r\n");
  EXPECT_EQ(context.response.status, 200);

  // The module stored a context under the id from registration.GetId().
  EXPECT_NE(context.container.GetModuleContext(registration.GetId()), nullptr);

  // A notification the module subscribed to but did not override: logged from inside the .so.
  headers_test::clear_log_records();
  EXPECT_EQ(module->OnPostBeginRequest(&context, &provider), RQ_NOTIFICATION_CONTINUE);
  records = headers_test::take_log_records();
  EXPECT_TRUE(contains_log(records, HTTPSERV_LOG_WARNING, "httpserv-module",
                           "module subscribed to OnPostBeginRequest but did not override it"));
  module->Dispose();

  // The global module.
  headers_test::clear_log_records();
  EXPECT_EQ(registration.global_module->OnGlobalPreBeginRequest(nullptr), GL_NOTIFICATION_CONTINUE);
  records = headers_test::take_log_records();
  EXPECT_TRUE(contains_log(records, HTTPSERV_LOG_DEBUG, "OutputDebugString",
                           "GreetingModule: pre-begin-request"));

  // Shutdown order used by the server: global module, then factory.
  registration.global_module->Terminate();
  registration.factory->Terminate();
}

}  // namespace
