// Test-only module for the rest of the request pipeline (tests/integration/test_pipeline.py):
// global notifications, RQ_MAP_PATH / MapPath, RQ_READ_ENTITY, RQ_CUSTOM_NOTIFICATION and the
// request timeout. What it observes goes into the response body or, for events outside a
// request, into the server log ("pprobe[NAME]: ..."), where the tests look for it.
//
// Loaded under a name starting with "G" (e.g. "GlobalOnly") it registers only a global module
// for GL_PRE_BEGIN_REQUEST, so that a test can check GL_NOTIFICATION_HANDLED stops dispatch.
#include <httpserv.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>
#include <thread>

namespace {

IHttpServer* g_server = nullptr;

std::string narrow(PCWSTR w, size_t n = static_cast<size_t>(-1)) {
  std::string out;
  for (size_t i = 0; w != nullptr && i < n && w[i] != L'\0'; ++i)
    out += static_cast<char>(w[i] < 128 ? w[i] : '?');
  return out;
}

std::wstring widen(const std::string& s) {
  return std::wstring(s.begin(), s.end());
}

std::string hex(HRESULT hr) {
  char buf[16];
  snprintf(buf, sizeof(buf), "0x%08X", static_cast<unsigned>(hr));
  return buf;
}

void log(const std::string& name, const std::string& text) {
  httpserv::log_printf(HTTPSERV_LOG_INFO, "pprobe", "pprobe[%s]: %s", name.c_str(), text.c_str());
}

std::string url_of(IHttpContext* ctx) {
  DWORD cch = 0;
  PCWSTR u = ctx->GetScriptName(&cch);
  return narrow(u, cch);
}

std::string query_of(IHttpContext* ctx) {
  PCSTR q = nullptr;
  DWORD cch = 0;
  if (FAILED(ctx->GetServerVariable("QUERY_STRING", &q, &cch)) || q == nullptr) return {};
  return std::string(q, cch);
}

void respond(IHttpContext* ctx, const std::string& body, bool more = false) {
  IHttpResponse* r = ctx->GetResponse();
  r->SetHeader("Content-Type", "text/plain", 10, TRUE);
  HTTP_DATA_CHUNK chunk;
  chunk.DataChunkType = HttpDataChunkFromMemory;
  chunk.FromMemory.pBuffer = const_cast<char*>(body.data());
  chunk.FromMemory.BufferLength = static_cast<ULONG>(body.size());
  DWORD sent = 0;
  r->WriteEntityChunks(&chunk, 1, FALSE, more ? TRUE : FALSE, &sent);  // sync: copied
}

// Logs when the server cleans it up, so the timeout test can see it happen.
class Stored final : public IHttpStoredContext {
 public:
  explicit Stored(std::string name) : name_(std::move(name)) {}
  VOID CleanupStoredContext() override {
    log(name_, "stored context cleaned up");
    delete this;
  }

 private:
  std::string name_;
};

// Stored in the connection's container: counts the requests of one connection.
class ConnStored final : public IHttpConnectionStoredContext {
 public:
  explicit ConnStored(std::string name) : name_(std::move(name)) {}
  VOID NotifyDisconnect() override {
    log(name_, "NotifyDisconnect after " + std::to_string(requests) + " request(s)");
  }
  VOID CleanupStoredContext() override {
    log(name_, "connection context cleaned up after " + std::to_string(requests) + " request(s)");
    delete this;
  }
  int requests = 0;

 private:
  std::string name_;
};

class CustomProvider final : public ICustomNotificationProvider {
 public:
  VOID SetErrorStatus(HRESULT) override {}
  PCWSTR QueryNotificationType() override { return L"probe-type"; }
};

class Probe final : public CHttpModule {
 public:
  Probe(std::string name, HTTP_MODULE_ID id) : name_(std::move(name)), id_(id) {}

  REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext* ctx,
                                                      IHttpEventProvider*) override {
    url_ = url_of(ctx);
    if (url_ == "/never" || url_ == "/late" || url_ == "/never-after-data") {
      ctx->GetModuleContextContainer()->SetModuleContext(new Stored(name_), id_);
      if (url_ == "/late") {
        // The completion comes long after the request timed out: the server must drop it.
        std::thread([ctx] {
          std::this_thread::sleep_for(std::chrono::milliseconds(3000));
          ctx->PostCompletion(7);
        }).detach();
      }
      if (url_ == "/never-after-data") {
        ctx->GetResponse()->DisableBuffering();
        respond(ctx, "partial", true);  // unbuffered, more to come: headers and bytes go out now
      }
      return RQ_NOTIFICATION_PENDING;  // ... and never completes
    }
    if (url_ == "/foreign") {
      // The whole response from a thread of our own while the request is PENDING (as ANCM
      // does): the server carries each call to the request's thread.
      std::thread([ctx] {
        PCSTR method = nullptr;
        DWORD cch = 0;
        HRESULT hv = ctx->GetServerVariable("REQUEST_METHOD", &method, &cch);
        HRESULT hs = ctx->GetResponse()->SetStatus(201, "Made Elsewhere");
        HRESULT hh = ctx->GetResponse()->SetHeader("X-Foreign", "yes", 3, TRUE);
        std::string body = "method=" + std::string(method ? method : "", cch) + " hv=" + hex(hv) +
                           " hs=" + hex(hs) + " hh=" + hex(hh);
        respond(ctx, body);
        ctx->IndicateCompletion(RQ_NOTIFICATION_FINISH_REQUEST);
      }).detach();
      return RQ_NOTIFICATION_PENDING;
    }
    if (url_ == "/foreign-blocked") {
      // Misuse: the notification waits for a thread that calls the API. The call cannot run
      // until the notification returns, so the server gives it up (logged) and it fails.
      HRESULT hh = S_OK;
      std::thread t([ctx, &hh] { hh = ctx->GetResponse()->SetHeader("X-Late", "1", 1, TRUE); });
      t.join();
      respond(ctx, "hh=" + hex(hh));
      return RQ_NOTIFICATION_FINISH_REQUEST;
    }
    if (url_ == "/mappath") return map_path(ctx);
    if (url_ == "/custom") {
      CustomProvider p;
      BOOL expected = TRUE;
      HRESULT hr = ctx->NotifyCustomNotification(&p, &expected);
      HRESULT null_hr = ctx->NotifyCustomNotification(nullptr, &expected);
      respond(ctx, "custom=" + custom_ + " hr=" + hex(hr) +
                       " expected=" + std::to_string(expected) + " null=" + hex(null_hr));
      return RQ_NOTIFICATION_FINISH_REQUEST;
    }
    if (url_ == "/confchange") {
      g_server->NotifyConfigurationChange(L"MACHINE/WEBROOT/APPHOST/probe");
      respond(ctx, "notified");
      return RQ_NOTIFICATION_FINISH_REQUEST;
    }
    if (url_ == "/echo") return read_next(ctx);
    if (url_ == "/conn") {
      IHttpConnection* conn = ctx->GetConnection();
      IHttpConnectionModuleContextContainer* c = conn->GetModuleContextContainer();
      auto* stored = static_cast<ConnStored*>(c->GetConnectionModuleContext(id_));
      if (stored == nullptr) {
        stored = new ConnStored(name_);
        if (FAILED(c->SetConnectionModuleContext(stored, id_))) {
          delete stored;
          respond(ctx, "set failed");
          return RQ_NOTIFICATION_FINISH_REQUEST;
        }
      }
      ++stored->requests;
      respond(ctx, "conn-requests=" + std::to_string(stored->requests) +
                       " connected=" + std::to_string(conn->IsConnected()));
      return RQ_NOTIFICATION_FINISH_REQUEST;
    }
    respond(ctx, "url=" + url_ + " handled-by=" + name_);
    return RQ_NOTIFICATION_FINISH_REQUEST;
  }

  REQUEST_NOTIFICATION_STATUS OnAsyncCompletion(IHttpContext* ctx, DWORD, BOOL, IHttpEventProvider*,
                                                IHttpCompletionInfo* info) override {
    if (url_ != "/echo") {
      log(name_, "OnAsyncCompletion reached the module for " + url_ + " (must not happen)");
      return RQ_NOTIFICATION_CONTINUE;
    }
    if (FAILED(info->GetCompletionStatus())) {
      respond(ctx, body_);  // end of body (ERROR_HANDLE_EOF)
      return RQ_NOTIFICATION_FINISH_REQUEST;
    }
    body_.append(buf_, info->GetCompletionBytes());
    return read_next(ctx);
  }

  REQUEST_NOTIFICATION_STATUS OnMapPath(IHttpContext*, IMapPathProvider* p) override {
    ++map_calls_;
    std::string url = narrow(p->GetUrl());
    std::string physical = narrow(p->GetPhysicalPath());
    mapped_ += "[" + url + "->" + physical + "]";
    if (url.rfind("/moved/", 0) == 0) {
      // Beneath the root: allowed. Outside it: refused.
      std::string root = physical.substr(0, physical.size() - url.size());
      std::wstring inside = widen(root + "/elsewhere" + url.substr(6));
      std::wstring outside = L"/etc/passwd";
      outside_hr_ = p->SetPhysicalPath(outside.c_str(), static_cast<DWORD>(outside.size()));
      inside_hr_ = p->SetPhysicalPath(inside.c_str(), static_cast<DWORD>(inside.size()));
    }
    return RQ_NOTIFICATION_CONTINUE;
  }

  REQUEST_NOTIFICATION_STATUS OnReadEntity(IHttpContext* ctx, IReadEntityProvider* p) override {
    PVOID buf = nullptr;
    DWORD data = 0, size = 0;
    p->GetEntity(&buf, &data, &size);
    PCSTR mode = ctx->GetRequest()->GetHeader("X-Read-Entity");
    if (mode == nullptr) return RQ_NOTIFICATION_CONTINUE;
    if (strcmp(mode, "upper") == 0) {
      auto* c = static_cast<char*>(buf);
      for (DWORD i = 0; i < data; ++i) {
        if (c[i] >= 'a' && c[i] <= 'z') c[i] = static_cast<char>(c[i] - 'a' + 'A');
      }
    } else if (strcmp(mode, "double") == 0) {
      // A new, larger buffer: every byte twice. More than the reader's buffer holds.
      auto* out = static_cast<char*>(ctx->AllocateRequestMemory(data * 2));
      if (out == nullptr) return RQ_NOTIFICATION_CONTINUE;
      const auto* in = static_cast<const char*>(buf);
      for (DWORD i = 0; i < data; ++i)
        out[2 * i] = out[2 * i + 1] = in[i];
      p->SetEntity(out, data * 2, data * 2);
    }
    return RQ_NOTIFICATION_CONTINUE;
  }

  REQUEST_NOTIFICATION_STATUS OnCustomRequestNotification(IHttpContext*,
                                                          ICustomNotificationProvider* p) override {
    custom_ = narrow(p->QueryNotificationType());
    return RQ_NOTIFICATION_CONTINUE;
  }

  VOID Dispose() override {
    if (url_ == "/never" || url_ == "/late" || url_ == "/never-after-data") {
      log(name_, "disposed (" + url_ + ")");
    }
    delete this;
  }

 private:
  REQUEST_NOTIFICATION_STATUS read_next(IHttpContext* ctx) {
    for (;;) {
      DWORD n = 0;
      BOOL pending = FALSE;
      HRESULT hr = ctx->GetRequest()->ReadEntityBody(buf_, sizeof(buf_), TRUE, &n, &pending);
      if (FAILED(hr)) {
        respond(ctx, body_);
        return RQ_NOTIFICATION_FINISH_REQUEST;
      }
      if (pending) return RQ_NOTIFICATION_PENDING;
      body_.append(buf_, n);
    }
  }

  REQUEST_NOTIFICATION_STATUS map_path(IHttpContext* ctx) {
    std::string out;
    std::wstring url = widen(query_of(ctx));
    DWORD need = 0;
    HRESULT size_hr = ctx->MapPath(url.c_str(), nullptr, &need);
    out += "size_hr=" + hex(size_hr) + " need=" + std::to_string(need);
    std::wstring buf(need / sizeof(wchar_t) + 1, L'\0');
    DWORD small = need - 1;
    HRESULT small_hr = ctx->MapPath(url.c_str(), buf.data(), &small);
    out += " small_hr=" + hex(small_hr) + " small_need=" + std::to_string(small);
    DWORD cb = need;
    HRESULT hr = ctx->MapPath(url.c_str(), buf.data(), &cb);
    out += " hr=" + hex(hr) + " cb=" + std::to_string(cb) + " path=" + narrow(buf.c_str());
    DWORD cch = 0;
    PCWSTR phys = ctx->GetPhysicalPath(&cch);
    out += " physical=" + narrow(phys, cch) + " cch=" + std::to_string(cch);
    out += " translated=" + narrow(ctx->GetScriptTranslated());
    PCSTR v = nullptr;
    DWORD vcch = 0;
    ctx->GetServerVariable("PATH_TRANSLATED", &v, &vcch);
    out += " path_translated=" + std::string(v ? v : "", vcch);
    out += " calls=" + std::to_string(map_calls_) + " mapped=" + mapped_;
    out += " inside_hr=" + hex(inside_hr_) + " outside_hr=" + hex(outside_hr_);
    respond(ctx, out);
    return RQ_NOTIFICATION_FINISH_REQUEST;
  }

  std::string name_;
  HTTP_MODULE_ID id_;
  std::string url_, body_, custom_ = "none", mapped_;
  char buf_[16] = {};
  int map_calls_ = 0;
  HRESULT inside_hr_ = S_FALSE, outside_hr_ = S_FALSE;
};

class Factory final : public IHttpModuleFactory {
 public:
  Factory(std::string name, HTTP_MODULE_ID id) : name_(std::move(name)), id_(id) {}
  HRESULT GetHttpModule(CHttpModule** m, IModuleAllocator*) override {
    *m = new (std::nothrow) Probe(name_, id_);
    return *m ? S_OK : E_OUTOFMEMORY;
  }
  VOID Terminate() override {
    log(name_, "factory Terminate");
    delete this;
  }

 private:
  std::string name_;
  HTTP_MODULE_ID id_;
};

class Global final : public CGlobalModule {
 public:
  explicit Global(std::string name) : name_(std::move(name)) {}

  GLOBAL_NOTIFICATION_STATUS OnGlobalPreBeginRequest(IPreBeginRequestProvider* p) override {
    IHttpContext* ctx = p->GetHttpContext();
    std::string url = url_of(ctx);
    if (url == "/rewrite-me") {
      const char kTo[] = "/rewritten";
      ctx->GetRequest()->SetUrl(kTo, sizeof(kTo) - 1, FALSE);
    }
    if (url == "/global-handled") {
      log(name_, "PRE_BEGIN_REQUEST " + url);
      // fTrySkipCustomErrors: the body is what the test checks (custom errors are on).
      ctx->GetResponse()->SetStatus(403, "Forbidden", 0, S_OK, nullptr, TRUE);
      respond(ctx, "refused by " + name_);
      return GL_NOTIFICATION_HANDLED;
    }
    return GL_NOTIFICATION_CONTINUE;
  }
  GLOBAL_NOTIFICATION_STATUS OnGlobalApplicationStart(IHttpApplicationStartProvider* p) override {
    IHttpApplication* app = p->GetApplication();
    log(name_, "GL_APPLICATION_START app=" + narrow(app ? app->GetApplicationId() : nullptr) +
                   " path=" + narrow(app ? app->GetApplicationPhysicalPath() : nullptr));
    return GL_NOTIFICATION_CONTINUE;
  }
  GLOBAL_NOTIFICATION_STATUS OnGlobalApplicationStop(IHttpApplicationStopProvider* p) override {
    IHttpApplication* app = p->GetApplication();
    log(name_, "GL_APPLICATION_STOP app=" + narrow(app ? app->GetApplicationId() : nullptr));
    return GL_NOTIFICATION_CONTINUE;
  }
  GLOBAL_NOTIFICATION_STATUS OnGlobalStopListening(IGlobalStopListeningProvider* p) override {
    log(name_, "GL_STOP_LISTENING graceful=" + std::to_string(p->DrainRequestsGracefully()));
    return GL_NOTIFICATION_CONTINUE;
  }
  GLOBAL_NOTIFICATION_STATUS OnGlobalConfigurationChange(
      IGlobalConfigurationChangeProvider* p) override {
    log(name_, "GL_CONFIGURATION_CHANGE " + narrow(p->GetChangePath()));
    return GL_NOTIFICATION_CONTINUE;
  }
  VOID Terminate() override {
    log(name_, "global Terminate");
    delete this;
  }

 private:
  std::string name_;
};

}  // namespace

HRESULT __stdcall RegisterModule(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer* server) {
  g_server = server;
  std::string name = narrow(info->GetName());
  if (!name.empty() && name[0] == 'G') {
    auto* g = new (std::nothrow) Global(name);
    if (g == nullptr) return E_OUTOFMEMORY;
    return info->SetGlobalNotifications(g, GL_PRE_BEGIN_REQUEST);
  }
  auto* f = new (std::nothrow) Factory(name, info->GetId());
  if (f == nullptr) return E_OUTOFMEMORY;
  HRESULT hr = info->SetRequestNotifications(
      f, RQ_EXECUTE_REQUEST_HANDLER | RQ_MAP_PATH | RQ_READ_ENTITY | RQ_CUSTOM_NOTIFICATION, 0);
  if (FAILED(hr)) return hr;
  auto* g = new (std::nothrow) Global(name);
  if (g == nullptr) return E_OUTOFMEMORY;
  return info->SetGlobalNotifications(g, GL_PRE_BEGIN_REQUEST | GL_APPLICATION_START |
                                             GL_APPLICATION_STOP | GL_STOP_LISTENING |
                                             GL_CONFIGURATION_CHANGE);
}
