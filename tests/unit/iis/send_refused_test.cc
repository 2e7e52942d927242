// The IIS response engine when the exchange refuses a send because its connection has failed
// (the client went away: the session closed the socket and its teardown, with the abort handler,
// is still queued). That is a normal race, not a bug: the module's write fails with
// ERROR_CONNECTION_ABORTED, IsConnected() turns FALSE, and nothing is logged as an error.
// Driven with the hand-made exchange and executor of test_exchange.h, so the race is exact.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/log.h"
#include "http/exchange.h"
#include "iis/http_server_impl.h"
#include "iis/iis_handler.h"
#include "iis/module_registry.h"
#include "test_exchange.h"

namespace hs::iis {
namespace {

using iis_test::QueueExecutor;
using iis_test::TestExchange;

// Writes "a" and flushes it (synchronously), then waits for PostCompletion (a module's own
// thread finishing, in a real module); on that completion writes "b" and flushes it (async); on
// the flush's completion records what it was told and tries one more write.
std::vector<std::string> g_trace;
IHttpContext* g_ctx = nullptr;

std::string hex(HRESULT hr) {
  char buf[16];
  snprintf(buf, sizeof(buf), "0x%08X", static_cast<unsigned>(hr));
  return buf;
}

class Writer final : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext* ctx,
                                                      IHttpEventProvider*) override {
    g_ctx = ctx;
    HTTP_DATA_CHUNK c = memory("a");
    DWORD sent = 0;
    HRESULT hr = ctx->GetResponse()->WriteEntityChunks(&c, 1, FALSE, TRUE, &sent);
    if (SUCCEEDED(hr)) hr = ctx->GetResponse()->Flush(FALSE, TRUE, &sent);
    g_trace.push_back("flush a hr=" + hex(hr));
    return RQ_NOTIFICATION_PENDING;
  }
  REQUEST_NOTIFICATION_STATUS OnAsyncCompletion(IHttpContext* ctx, DWORD, BOOL, IHttpEventProvider*,
                                                IHttpCompletionInfo* info) override {
    ++completions_;
    g_trace.push_back("done hr=" + hex(info->GetCompletionStatus()) +
                      " connected=" + std::to_string(ctx->GetConnection()->IsConnected()));
    HTTP_DATA_CHUNK c = memory(completions_ == 1 ? "b" : "c");
    DWORD sent = 0;
    HRESULT hr = ctx->GetResponse()->WriteEntityChunks(&c, 1, FALSE, TRUE, &sent);
    if (completions_ > 1) {
      g_trace.push_back("write hr=" + hex(hr));
      return RQ_NOTIFICATION_FINISH_REQUEST;
    }
    BOOL expected = FALSE;
    if (SUCCEEDED(hr)) hr = ctx->GetResponse()->Flush(TRUE, TRUE, &sent, &expected);
    g_trace.push_back("flush b hr=" + hex(hr) + " expected=" + std::to_string(expected));
    return expected ? RQ_NOTIFICATION_PENDING : RQ_NOTIFICATION_FINISH_REQUEST;
  }

 private:
  static HTTP_DATA_CHUNK memory(const char* text) {
    HTTP_DATA_CHUNK c{};
    c.DataChunkType = HttpDataChunkFromMemory;
    c.FromMemory.pBuffer = const_cast<char*>(text);
    c.FromMemory.BufferLength = 1;
    return c;
  }
  int completions_ = 0;
};

class WriterFactory final : public IHttpModuleFactory {
 public:
  HRESULT GetHttpModule(CHttpModule** module, IModuleAllocator*) override {
    *module = new Writer;
    return S_OK;
  }
  VOID Terminate() override {}
};

HRESULT register_writer(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  static WriterFactory factory;
  return info->SetRequestNotifications(&factory, RQ_EXECUTE_REQUEST_HANDLER, 0);
}

TEST(SendRefused, DeadConnectionIsAFailedSendNotAnError) {
  HttpServerImpl server;
  ModuleRegistry registry;
  std::string error;
  ASSERT_TRUE(registry.add_builtin("Writer", register_writer, &server, &error)) << error;
  registry.freeze();
  HandlerMapping all;
  all.name = "Writer";
  all.path = "*";
  all.modules = {"Writer"};
  IisHandler handler(registry, server, {all}, nullptr);
  QueueExecutor exec;
  TestExchange ex(exec);
  g_trace.clear();

  log_set_level(LogLevel::kDebug);
  testing::internal::CaptureStderr();
  handler.handle(ex);
  exec.run_all();
  ASSERT_TRUE(ex.has_pending());  // "a" is with the connection
  ex.complete(true);              // ... and reached the kernel
  exec.run_all();
  ex.die();  // the client went away; the session's teardown is still queued
  ASSERT_NE(g_ctx, nullptr);
  g_ctx->PostCompletion(0);  // the module's own completion arrives first: "b" is refused
  exec.run_all();
  ex.teardown();
  exec.run_all();
  std::string log = testing::internal::GetCapturedStderr();
  log_set_level(LogLevel::kInfo);

  const std::string aborted = hex(HRESULT_FROM_WIN32(ERROR_CONNECTION_ABORTED));
  EXPECT_EQ(g_trace, (std::vector<std::string>{
                         "flush a hr=0x00000000",
                         "done hr=0x00000000 connected=1",
                         "flush b hr=0x00000000 expected=1",
                         "done hr=" + aborted + " connected=0",
                         "write hr=" + aborted,
                     }));
  EXPECT_EQ(log.find(" error "), std::string::npos) << log;
  EXPECT_NE(log.find(" debug "), std::string::npos) << log;
  EXPECT_NE(log.find("response send refused by the connection"), std::string::npos) << log;
  EXPECT_EQ(ex.send_calls, 2);  // "a"; "b" refused; nothing tried after that
  EXPECT_EQ(handler.live_requests(), 0u);
}

}  // namespace
}  // namespace hs::iis
