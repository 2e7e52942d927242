// Test-only handler module: reports what the context's environment objects say, so the
// integration tests can check them from outside (tests/integration/test_modules.py).
#include <httpserv.h>

#include <cstdio>
#include <cwchar>
#include <new>
#include <string>

namespace {

std::string narrow(PCWSTR w) {
  std::string out;
  for (; w != nullptr && *w != L'\0'; ++w)
    out += static_cast<char>(*w < 128 ? *w : '?');
  return out;
}

class Stored final : public IHttpStoredContext {
 public:
  VOID CleanupStoredContext() override { delete this; }
};

class Probe final : public CHttpModule {
 public:
  explicit Probe(HTTP_MODULE_ID id) : id_(id) {}
  REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext* ctx,
                                                      IHttpEventProvider*) override {
    std::string out;
    IHttpSite* site = ctx->GetSite();
    IHttpApplication* app = ctx->GetApplication();
    IHttpUser* user = ctx->GetUser();
    IHttpConnection* conn = ctx->GetConnection();
    out += "site=" + (site ? std::to_string(site->GetSiteId()) + ":" + narrow(site->GetSiteName())
                           : std::string("null"));
    // The request's own view of its site: IHttpRequest::GetSiteId and INSTANCE_ID.
    out += " reqsite=" + std::to_string(ctx->GetRequest()->GetSiteId());
    PCSTR instance = nullptr;
    DWORD instance_len = 0;
    HRESULT instance_hr = ctx->GetServerVariable("INSTANCE_ID", &instance, &instance_len);
    out += " instance=" + (SUCCEEDED(instance_hr) && instance != nullptr
                               ? std::string(instance, instance_len)
                               : std::string("error"));
    out += " app=" + (app ? narrow(app->GetApplicationId()) : std::string("null"));
    out += " apppath=" + (app ? narrow(app->GetApplicationPhysicalPath()) : std::string("null"));
    out += " user=" + (user ? "[" + narrow(user->GetUserName()) + "]" : std::string("null"));
    out += " connected=" + std::string(conn && conn->IsConnected() ? "1" : "0");
    IHttpModuleContextContainer* c = ctx->GetModuleContextContainer();
    HRESULT first = c ? c->SetModuleContext(new Stored, id_) : E_POINTER;
    Stored* extra = new Stored;
    HRESULT second = c ? c->SetModuleContext(extra, id_) : E_POINTER;
    if (FAILED(second)) delete extra;
    char buf[96];
    snprintf(buf, sizeof(buf), " store=0x%08X again=0x%08X", static_cast<unsigned>(first),
             static_cast<unsigned>(second));
    out += buf;
    IHttpConnectionModuleContextContainer* cc = conn ? conn->GetModuleContextContainer() : nullptr;
    out += std::string(" conncontainer=") + (cc ? "1" : "0");
    // The raw request: known headers by id, the others as unknown headers, in order.
    const HTTP_REQUEST* raw = ctx->GetRequest()->GetRawHttpRequest();
    // The struct stays valid and current across request changes made after it was handed out
    // (enough headers to move the header storage).
    for (int i = 0; i < 16; ++i) {
      std::string name = "X-Added-" + std::to_string(i);
      ctx->GetRequest()->SetHeader(name.c_str(), "v", 1, TRUE);
    }
    for (int i = 1; i < 16; ++i) {
      std::string name = "X-Added-" + std::to_string(i);
      ctx->GetRequest()->DeleteHeader(name.c_str());
    }
    const HTTP_KNOWN_HEADER& host = raw->Headers.KnownHeaders[HttpHeaderHost];
    out += " rawhost=" + std::string(host.pRawValue ? host.pRawValue : "", host.RawValueLength);
    out += " cooked=" + narrow(std::wstring(raw->CookedUrl.pFullUrl,
                                            raw->CookedUrl.FullUrlLength / sizeof(wchar_t))
                                   .c_str());
    // Redirect to a relative URL: the Location it builds (the status is left alone).
    IHttpResponse* resp = ctx->GetResponse();
    resp->Redirect("/there", FALSE, FALSE);
    USHORT loc_len = 0;
    PCSTR loc = resp->GetHeader("Location", &loc_len);
    out += " location=" + std::string(loc ? loc : "", loc_len);
    resp->DeleteHeader("Location");
    out += " unknown=" + std::to_string(raw->Headers.UnknownHeaderCount) + "[";
    for (USHORT i = 0; i < raw->Headers.UnknownHeaderCount; ++i) {
      const HTTP_UNKNOWN_HEADER& u = raw->Headers.pUnknownHeaders[i];
      out += std::string(u.pName, u.NameLength) + "=" + std::string(u.pRawValue, u.RawValueLength) +
             ";";
    }
    out += "]";
    IHttpResponse* r = ctx->GetResponse();
    r->SetHeader("Content-Type", "text/plain", 10, TRUE);
    HTTP_DATA_CHUNK chunk;
    chunk.DataChunkType = HttpDataChunkFromMemory;
    chunk.FromMemory.pBuffer = out.data();
    chunk.FromMemory.BufferLength = static_cast<ULONG>(out.size());
    DWORD sent = 0;
    r->WriteEntityChunks(&chunk, 1, FALSE, FALSE, &sent);  // buffered: copied
    return RQ_NOTIFICATION_FINISH_REQUEST;
  }

 private:
  HTTP_MODULE_ID id_;
};

class Factory final : public IHttpModuleFactory {
 public:
  explicit Factory(HTTP_MODULE_ID id) : id_(id) {}
  HRESULT GetHttpModule(CHttpModule** m, IModuleAllocator*) override {
    *m = new (std::nothrow) Probe(id_);
    return *m ? S_OK : E_OUTOFMEMORY;
  }
  VOID Terminate() override { delete this; }

 private:
  HTTP_MODULE_ID id_;
};

}  // namespace

HRESULT __stdcall RegisterModule(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  auto* f = new (std::nothrow) Factory(info->GetId());
  if (f == nullptr) return E_OUTOFMEMORY;
  return info->SetRequestNotifications(f, RQ_EXECUTE_REQUEST_HANDLER, 0);
}
