// GetRawHttpRequest / GetRawHttpResponse when a value no longer fits the structs' USHORT lengths
// (a module appended to a known header past 64 KiB): the length is clamped to 0xFFFF, as for the
// unknown headers, never wrapped to a small number that would cut the value somewhere random.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "iis/http_server_impl.h"
#include "iis/iis_handler.h"
#include "iis/module_registry.h"
#include "test_exchange.h"

namespace hs::iis {
namespace {

using iis_test::QueueExecutor;
using iis_test::TestExchange;

struct Seen {
  HRESULT request_hr = E_FAIL, response_hr = E_FAIL;
  size_t request_len = 0, response_len = 0;
  size_t request_value = 0, response_value = 0;  // the lengths GetHeader reports
};
Seen g_seen;

class Appender final : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext* ctx,
                                                      IHttpEventProvider*) override {
    const std::string piece(40'000, 'v');
    const auto n = static_cast<USHORT>(piece.size());
    IHttpRequest* req = ctx->GetRequest();
    IHttpResponse* resp = ctx->GetResponse();
    g_seen.request_hr = req->SetHeader("Accept", piece.c_str(), n, TRUE);
    if (SUCCEEDED(g_seen.request_hr))
      g_seen.request_hr = req->SetHeader("Accept", piece.c_str(), n, FALSE);
    g_seen.response_hr = resp->SetHeader("Cache-Control", piece.c_str(), n, TRUE);
    if (SUCCEEDED(g_seen.response_hr))
      g_seen.response_hr = resp->SetHeader("Cache-Control", piece.c_str(), n, FALSE);
    g_seen.request_len =
        req->GetRawHttpRequest()->Headers.KnownHeaders[HttpHeaderAccept].RawValueLength;
    g_seen.response_len =
        resp->GetRawHttpResponse()->Headers.KnownHeaders[HttpHeaderCacheControl].RawValueLength;
    USHORT cch = 0;
    req->GetHeader("Accept", &cch);
    g_seen.request_value = cch;
    resp->GetHeader("Cache-Control", &cch);
    g_seen.response_value = cch;
    resp->DeleteHeader("Cache-Control");
    return RQ_NOTIFICATION_FINISH_REQUEST;
  }
};

class AppenderFactory final : public IHttpModuleFactory {
 public:
  HRESULT GetHttpModule(CHttpModule** module, IModuleAllocator*) override {
    *module = new Appender;
    return S_OK;
  }
  VOID Terminate() override {}
};

HRESULT register_appender(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  static AppenderFactory factory;
  return info->SetRequestNotifications(&factory, RQ_EXECUTE_REQUEST_HANDLER, 0);
}

TEST(RawStructs, KnownHeaderLengthsOver64KiBAreClamped) {
  HttpServerImpl server;
  ModuleRegistry registry;
  std::string error;
  ASSERT_TRUE(registry.add_builtin("Appender", register_appender, &server, &error)) << error;
  registry.freeze();
  HandlerMapping all;
  all.name = "Appender";
  all.path = "*";
  all.modules = {"Appender"};
  IisHandler handler(registry, server, {all}, nullptr);
  QueueExecutor exec;
  TestExchange ex(exec);
  g_seen = Seen{};
  handler.handle(ex);
  exec.run_all();
  ex.complete(true);  // the response (without the long header)
  exec.run_all();

  EXPECT_EQ(g_seen.request_hr, S_OK);
  EXPECT_EQ(g_seen.response_hr, S_OK);
  EXPECT_EQ(g_seen.request_value, 0xFFFFu);  // both values are over 80,000 bytes
  EXPECT_EQ(g_seen.response_value, 0xFFFFu);
  EXPECT_EQ(g_seen.request_len, 0xFFFFu);
  EXPECT_EQ(g_seen.response_len, 0xFFFFu);
  EXPECT_EQ(handler.live_requests(), 0u);
}

}  // namespace
}  // namespace hs::iis
