// Test-only module: child requests as Microsoft's ExecuteRequest sample and ANCM use them
// (CloneContext, SetUrl on the clone, ExecuteRequest, PENDING, OnAsyncCompletion,
// ReleaseClonedContext). tests/integration/test_child_requests.py drives it.
//
//   /parent?mode=M&url=U   clones the request (BASICS|HEADERS, plus ENTITY for mode=entity),
//                          sets the clone's URL to U and its server variable X_CHILD=1, and
//                          executes it; modes:
//                            stream      the child answers the client (its status and headers)
//                            buffer      EXECUTE_FLAG_BUFFER_RESPONSE between "before[" and
//                                        "]after": the parent answers
//                            noheaders   EXECUTE_FLAG_NO_HEADERS; the parent's own status (202)
//                                        and X-Parent header go out with the child's body
//                            entity      as stream, with the request body cloned
//                            sync        ExecuteRequest(fAsync=FALSE): "hr=0x........"
//                            keep        as stream, and the clone is never released
//                            twice       executes the same clone twice: "second=0x........"
//                          the completion's status and bytes are logged as
//                          "child: completion hr=0x........ bytes=N"
//   /deep?n=N              executes /deep?n=N-1 (buffered) down to n=0; answers
//                          "depth=D" at n=0, or "hr=0x........ at depth=D" when refused
//   /who                   "parent=0|1 root=0|1 flags=0x.. var=V" (GetParentContext,
//                          GetRootContext, GetExecuteFlags, X_CHILD)
//   /body                  reads the request body synchronously: "child got N bytes"
//   /mapped                OnMapPath (the server mapping the request's URL) executes a child
//                          for /hello.txt and returns PENDING, as Microsoft's ExecuteRequest
//                          sample does; the completion ends the request (FINISH_REQUEST)
// Completions are logged with the notification they complete ("notification=0x........").
#include <httpserv.h>
#include <httpserv_log.h>
#include <windows.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

std::string hr_text(HRESULT hr) {
  char buf[16];
  snprintf(buf, sizeof(buf), "0x%08X", static_cast<unsigned>(hr));
  return buf;
}

std::string var(IHttpContext* ctx, PCSTR name) {
  PCSTR v = nullptr;
  DWORD cch = 0;
  if (FAILED(ctx->GetServerVariable(name, &v, &cch)) || v == nullptr) return "";
  return std::string(v, cch);
}

std::string param(const std::string& query, const char* name) {
  std::string key = std::string(name) + "=";
  size_t at = 0;
  while (at <= query.size()) {
    size_t end = query.find('&', at);
    if (end == std::string::npos) end = query.size();
    if (query.compare(at, key.size(), key) == 0)
      return query.substr(at + key.size(), end - at - key.size());
    at = end + 1;
  }
  return "";
}

HRESULT write(IHttpContext* ctx, const std::string& text, BOOL more) {
  HTTP_DATA_CHUNK c{};
  c.DataChunkType = HttpDataChunkFromMemory;
  c.FromMemory.pBuffer = const_cast<char*>(text.data());
  c.FromMemory.BufferLength = static_cast<ULONG>(text.size());
  DWORD sent = 0;
  return ctx->GetResponse()->WriteEntityChunks(&c, 1, FALSE, more, &sent);
}

REQUEST_NOTIFICATION_STATUS reply(IHttpContext* ctx, const std::string& text) {
  ctx->GetResponse()->SetHeader("Content-Type", "text/plain", 10, TRUE);
  write(ctx, text, FALSE);
  return RQ_NOTIFICATION_FINISH_REQUEST;
}

class Child final : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext* ctx,
                                                      IHttpEventProvider*) override {
    std::string url = var(ctx, "URL");
    std::string query = var(ctx, "QUERY_STRING");
    if (url == "/who") {
      char flags[16];
      snprintf(flags, sizeof(flags), "0x%02X", static_cast<unsigned>(ctx->GetExecuteFlags()));
      return reply(ctx, "parent=" + std::to_string(ctx->GetParentContext() != NULL) +
                            " root=" + std::to_string(ctx->GetRootContext() != NULL) +
                            " flags=" + flags + " var=" + var(ctx, "X_CHILD"));
    }
    if (url == "/body") {
      char buf[1000];
      unsigned long total = 0;
      for (;;) {
        DWORD got = 0;
        if (FAILED(ctx->GetRequest()->ReadEntityBody(buf, sizeof(buf), FALSE, &got, NULL))) break;
        total += got;
      }
      return reply(ctx, "child got " + std::to_string(total) + " bytes");
    }
    if (url == "/deep") {
      int n = atoi(param(query, "n").c_str());
      depth_ = 0;
      for (IHttpContext* p = ctx->GetParentContext(); p != NULL; p = p->GetParentContext())
        ++depth_;
      if (n <= 0) return reply(ctx, "depth=" + std::to_string(depth_));
      return execute(ctx, "/deep?n=" + std::to_string(n - 1), CLONE_FLAG_BASICS,
                     EXECUTE_FLAG_BUFFER_RESPONSE, "deep");
    }
    if (url != "/parent") return RQ_NOTIFICATION_CONTINUE;
    mode_ = param(query, "mode");
    std::string target = param(query, "url");
    DWORD clone_flags = CLONE_FLAG_BASICS | CLONE_FLAG_HEADERS;
    DWORD exec_flags = 0;
    if (mode_ == "entity") clone_flags |= CLONE_FLAG_ENTITY;
    if (mode_ == "buffer") {
      exec_flags = EXECUTE_FLAG_BUFFER_RESPONSE;
      write(ctx, "before[", TRUE);
    }
    if (mode_ == "noheaders") {
      exec_flags = EXECUTE_FLAG_NO_HEADERS;
      ctx->GetResponse()->SetStatus(202, "Accepted");
      ctx->GetResponse()->SetHeader("X-Parent", "1", 1, TRUE);
    }
    return execute(ctx, target, clone_flags, exec_flags, mode_);
  }

  REQUEST_NOTIFICATION_STATUS OnMapPath(IHttpContext* ctx, IMapPathProvider* p) override {
    PCWSTR url = p->GetUrl();
    if (url == NULL || std::wstring(url) != L"/mapped" || clone_ != NULL)
      return RQ_NOTIFICATION_CONTINUE;
    mode_ = "mapped";
    return execute(ctx, "/hello.txt", CLONE_FLAG_BASICS, 0, mode_);
  }

  REQUEST_NOTIFICATION_STATUS OnAsyncCompletion(IHttpContext* ctx, DWORD notification, BOOL,
                                                IHttpEventProvider*,
                                                IHttpCompletionInfo* info) override {
    httpserv::log_printf(HTTPSERV_LOG_INFO, "child",
                         "child: completion hr=%s bytes=%u notification=%s",
                         hr_text(info->GetCompletionStatus()).c_str(),
                         static_cast<unsigned>(info->GetCompletionBytes()),
                         hr_text(static_cast<HRESULT>(notification)).c_str());
    if (clone_ != NULL && mode_ != "keep") clone_->ReleaseClonedContext();
    clone_ = NULL;
    if (mode_ == "buffer") {
      write(ctx, "]after", FALSE);
      return RQ_NOTIFICATION_FINISH_REQUEST;
    }
    return RQ_NOTIFICATION_FINISH_REQUEST;
  }

  VOID Dispose() override { delete this; }

 private:
  REQUEST_NOTIFICATION_STATUS execute(IHttpContext* ctx, const std::string& target,
                                      DWORD clone_flags, DWORD exec_flags,
                                      const std::string& mode) {
    HRESULT hr = ctx->CloneContext(clone_flags, &clone_);
    if (FAILED(hr)) return reply(ctx, "clone hr=" + hr_text(hr));
    std::wstring wurl(target.begin(), target.end());
    clone_->GetRequest()->SetUrl(wurl.c_str(), static_cast<DWORD>(wurl.size()), FALSE);
    clone_->SetServerVariable("X_CHILD", L"1");
    BOOL expected = FALSE;
    hr = ctx->ExecuteRequest(mode == "sync" ? FALSE : TRUE, clone_, exec_flags, NULL, &expected);
    if (mode == "twice" && SUCCEEDED(hr)) {
      BOOL expected_again = FALSE;
      HRESULT again = ctx->ExecuteRequest(TRUE, clone_, exec_flags, NULL, &expected_again);
      httpserv::log_printf(HTTPSERV_LOG_INFO, "child", "child: second=%s", hr_text(again).c_str());
    }
    if (FAILED(hr)) {
      clone_->ReleaseClonedContext();
      clone_ = NULL;
      if (mode == "deep")
        return reply(ctx, "hr=" + hr_text(hr) + " at depth=" + std::to_string(depth_));
      return reply(ctx, "hr=" + hr_text(hr));
    }
    return expected ? RQ_NOTIFICATION_PENDING : RQ_NOTIFICATION_CONTINUE;
  }

  IHttpContext* clone_ = NULL;
  std::string mode_;
  int depth_ = 0;
};

class Factory final : public IHttpModuleFactory {
 public:
  HRESULT GetHttpModule(CHttpModule** module, IModuleAllocator*) override {
    *module = new (std::nothrow) Child();
    return *module != nullptr ? S_OK : E_OUTOFMEMORY;
  }
  VOID Terminate() override { delete this; }
};

}  // namespace

HRESULT __stdcall RegisterModule(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  return info->SetRequestNotifications(new Factory(), RQ_EXECUTE_REQUEST_HANDLER | RQ_MAP_PATH, 0);
}
