// The RQ_ notification walk: one request through IisHandler with N trivial modules (N = 0, 1, 4,
// 16), each subscribed to 7 request notifications and 2 post-notifications and returning
// CONTINUE from all of them. The response is an empty 200 (the final send writes no bytes, so no
// syscall is made); the request is the typical GET of bench_support.cc.
//   time          per request (context creation, header copy, the walk, the final send,
//                 Dispose of the N module instances, the context's deletion)
//   per_notif     time per request / (N × 9): the whole per-request cost spread over the module
//                 calls (for N = 0, over one request); the marginal cost of one call is the slope
//                 between N = 4 and N = 16.
#include <benchmark/benchmark.h>
#include <httpserv.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench_support.h"
#include "iis/http_server_impl.h"
#include "iis/iis_handler.h"
#include "iis/module_registry.h"

namespace hs::bench {
namespace {

constexpr DWORD kPre = RQ_BEGIN_REQUEST | RQ_AUTHENTICATE_REQUEST | RQ_AUTHORIZE_REQUEST |
                       RQ_RESOLVE_REQUEST_CACHE | RQ_MAP_REQUEST_HANDLER |
                       RQ_EXECUTE_REQUEST_HANDLER | RQ_END_REQUEST;
constexpr DWORD kPost = RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER;
constexpr int kNotificationsPerModule = 9;

thread_local size_t t_calls = 0;  // module calls made, checked after the benchmark

class TrivialModule final : public CHttpModule {
 public:
  using Status = REQUEST_NOTIFICATION_STATUS;
  Status OnBeginRequest(IHttpContext*, IHttpEventProvider*) override { return next(); }
  Status OnPostBeginRequest(IHttpContext*, IHttpEventProvider*) override { return next(); }
  Status OnAuthenticateRequest(IHttpContext*, IAuthenticationProvider*) override { return next(); }
  Status OnAuthorizeRequest(IHttpContext*, IHttpEventProvider*) override { return next(); }
  Status OnResolveRequestCache(IHttpContext*, IHttpEventProvider*) override { return next(); }
  Status OnMapRequestHandler(IHttpContext*, IMapHandlerProvider*) override { return next(); }
  Status OnExecuteRequestHandler(IHttpContext*, IHttpEventProvider*) override { return next(); }
  Status OnPostExecuteRequestHandler(IHttpContext*, IHttpEventProvider*) override { return next(); }
  Status OnEndRequest(IHttpContext*, IHttpEventProvider*) override { return next(); }

 private:
  static Status next() {
    ++t_calls;
    return RQ_NOTIFICATION_CONTINUE;
  }
};

class TrivialFactory final : public IHttpModuleFactory {
 public:
  HRESULT GetHttpModule(CHttpModule** module, IModuleAllocator*) override {
    *module = new (std::nothrow) TrivialModule;
    return *module ? S_OK : E_OUTOFMEMORY;
  }
  VOID Terminate() override {}  // shared by every registration: static, nothing to free
};

HRESULT register_trivial(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  static TrivialFactory factory;
  return info->SetRequestNotifications(&factory, kPre, kPost);
}

// N modules, all named by the one handler mapping (so all of them get EXECUTE_REQUEST_HANDLER).
struct Stack {
  explicit Stack(int n) {
    iis::HandlerMapping all;
    all.name = "AllModules";
    all.path = "*";
    for (int i = 0; i < n; ++i) {
      std::string name = "Trivial" + std::to_string(i);
      std::string error;
      if (!registry.add_builtin(name, register_trivial, &server, &error)) {
        (void)std::fprintf(stderr, "pipeline bench: %s\n", error.c_str());
        std::abort();
      }
      all.modules.push_back(name);
    }
    registry.freeze();
    handler = std::make_unique<iis::IisHandler>(registry, server,
                                                std::vector<iis::HandlerMapping>{all}, nullptr);
  }
  iis::HttpServerImpl server;
  iis::ModuleRegistry registry;
  std::unique_ptr<iis::IisHandler> handler;
};

void bm_pipeline(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  static std::map<int, std::unique_ptr<Stack>> stacks;  // kept: registries outlive benchmarks
  auto& stack = stacks[n];
  if (!stack) stack = std::make_unique<Stack>(n);
  InlineExecutor exec;
  Sink sink;
  t_calls = 0;
  for (auto _ : state) {
    SinkExchange ex(exec, sink, "/app/page?id=7");
    stack->handler->handle(ex);
    exec.run_all();
    if (!ex.finished()) {
      state.SkipWithError("the request did not finish");
      return;
    }
  }
  const auto expected =
      static_cast<size_t>(state.iterations()) * static_cast<size_t>(n) * kNotificationsPerModule;
  if (t_calls != expected) {
    (void)std::fprintf(stderr, "pipeline bench: %zu module calls, expected %zu\n", t_calls,
                       expected);
    std::abort();
  }
  state.counters["per_notif"] = benchmark::Counter(
      n == 0 ? 1.0 : static_cast<double>(n) * kNotificationsPerModule,
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

BENCHMARK(bm_pipeline)->Name("Pipeline")->ArgName("modules")->Arg(0)->Arg(1)->Arg(4)->Arg(16);

}  // namespace
}  // namespace hs::bench
