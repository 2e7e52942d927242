// Test-only response filter, written as IIS header-hardening and body-rewriting modules are. It
// acts on every response (static files, core's errors and redirects included), as told by the
// request's query string (flags separated by '&'):
//
//   begin-header     OnBeginRequest sets "X-Begin: 1"
//   begin-flush      OnBeginRequest flushes (the headers go out; the body follows)
//   begin-disconnect OnBeginRequest calls SetNeedDisconnect()
//   begin-reset      OnBeginRequest calls ResetConnection()
//   begin-resetstream OnBeginRequest calls IHttpResponse4::ResetStream() (the request's stream
//                    only: on HTTP/2 the connection's other streams go on)
//   observe          OnSendResponse adds "X-Seen: <status> <n> <types> <content-type>" (the
//                    status, the number and types (m=memory, f=file) of the body chunks in
//                    GetRawHttpResponse, and the Content-Type it saw)
//   replace          OnSendResponse Clear()s and writes "filtered <status>" as text/plain, 200
//   post-rewrite     OnPostExecuteRequestHandler Clear()s and writes "rewritten <status>"
//   no-server        OnSendResponse deletes the Server header
//   own-server       OnSendResponse replaces it with "Server: hardened"
//   send-disconnect  OnSendResponse sets HTTP_SEND_RESPONSE_FLAG_DISCONNECT
//   suppress         OnBeginRequest calls SuppressHeaders(): the body goes out as it is
//   begin-get-server OnBeginRequest copies GetHeader("Server") to "X-Begin-Server" (or "-")
//   begin-no-server  OnBeginRequest deletes the Server header (Microsoft's DeleteHeader sample)
//   clear            OnSendResponse calls Clear()
//   clear-headers    OnSendResponse calls ClearHeaders()
//   stats            OnBeginRequest adds "X-Stats: <notification> <module> <ok|bad>" from
//                    GetCurrentExecutionStats (ok: every start tick is at most GetTickCount())
//   activity         OnBeginRequest adds "X-Activity: <GUID>" (the trace context's activity ID)
#include <httpserv.h>
#include <windows.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

bool has_flag(IHttpContext* ctx, const char* flag) {
  PCSTR q = nullptr;
  DWORD cch = 0;
  if (FAILED(ctx->GetServerVariable("QUERY_STRING", &q, &cch)) || q == nullptr) return false;
  std::string query(q, cch);
  std::string f(flag);
  size_t at = 0;
  while (at <= query.size()) {
    size_t end = query.find('&', at);
    if (end == std::string::npos) end = query.size();
    if (query.compare(at, end - at, f) == 0) return true;
    at = end + 1;
  }
  return false;
}

void write_text(IHttpResponse* r, const std::string& text) {
  HTTP_DATA_CHUNK c{};
  c.DataChunkType = HttpDataChunkFromMemory;
  c.FromMemory.pBuffer = const_cast<char*>(text.data());
  c.FromMemory.BufferLength = static_cast<ULONG>(text.size());
  DWORD sent = 0;
  HRESULT hr = r->WriteEntityChunks(&c, 1, FALSE, TRUE, &sent);
  if (FAILED(hr)) {
    char buf[64];
    snprintf(buf, sizeof(buf), "write failed 0x%08X", static_cast<unsigned>(hr));
    r->SetHeader("X-Filter-Error", buf, static_cast<USHORT>(strlen(buf)), TRUE);
  }
}

class Filter final : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS OnBeginRequest(IHttpContext* ctx, IHttpEventProvider*) override {
    IHttpResponse* r = ctx->GetResponse();
    if (has_flag(ctx, "begin-header")) r->SetHeader("X-Begin", "1", 1, TRUE);
    if (has_flag(ctx, "begin-disconnect")) r->SetNeedDisconnect();
    if (has_flag(ctx, "suppress")) r->SuppressHeaders();
    if (has_flag(ctx, "begin-flush")) {
      DWORD sent = 0;
      r->Flush(FALSE, TRUE, &sent);
    }
    if (has_flag(ctx, "begin-reset")) r->ResetConnection();
    if (has_flag(ctx, "begin-get-server")) {
      USHORT cch = 0;
      PCSTR server = r->GetHeader("Server", &cch);
      std::string v = server != nullptr && cch > 0 ? std::string(server, cch) : "-";
      r->SetHeader("X-Begin-Server", v.c_str(), static_cast<USHORT>(v.size()), TRUE);
    }
    if (has_flag(ctx, "begin-no-server")) r->DeleteHeader("Server");
    if (has_flag(ctx, "stats")) {
      DWORD notification = 0, n_start = 0, m_start = 0, async_n = 7, async_start = 7;
      PCWSTR module = nullptr;
      HRESULT hr = ctx->GetCurrentExecutionStats(&notification, &n_start, &module, &m_start,
                                                 &async_n, &async_start);
      DWORD now = GetTickCount();
      std::string name;
      for (PCWSTR p = module; p != nullptr && *p != 0; ++p)
        name += static_cast<char>(*p);
      bool ok = SUCCEEDED(hr) && module != nullptr && now - n_start < 60000 &&
                now - m_start < 60000 && m_start - n_start < 60000 && async_n == 0;
      std::string v = std::to_string(notification) + " " + name + " " + (ok ? "ok" : "bad");
      r->SetHeader("X-Stats", v.c_str(), static_cast<USHORT>(v.size()), TRUE);
    }
    if (has_flag(ctx, "activity")) {
      IHttpTraceContext* trace = ctx->GetTraceContext();
      LPCGUID id = trace != nullptr ? trace->GetTraceActivityId() : nullptr;
      char buf[64] = "-";
      if (id != nullptr) {
        snprintf(buf, sizeof(buf), "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X",
                 static_cast<unsigned>(id->Data1), id->Data2, id->Data3, id->Data4[0], id->Data4[1],
                 id->Data4[2], id->Data4[3], id->Data4[4], id->Data4[5], id->Data4[6],
                 id->Data4[7]);
      }
      r->SetHeader("X-Activity", buf, static_cast<USHORT>(strlen(buf)), TRUE);
    }
    if (has_flag(ctx, "begin-resetstream")) static_cast<IHttpResponse4*>(r)->ResetStream(0);
    return RQ_NOTIFICATION_CONTINUE;
  }

  REQUEST_NOTIFICATION_STATUS OnPostExecuteRequestHandler(IHttpContext* ctx,
                                                          IHttpEventProvider*) override {
    if (!has_flag(ctx, "post-rewrite")) return RQ_NOTIFICATION_CONTINUE;
    IHttpResponse* r = ctx->GetResponse();
    USHORT status = 0;
    r->GetStatus(&status);
    r->Clear();
    r->SetHeader("Content-Type", "text/plain", 10, TRUE);
    write_text(r, "rewritten " + std::to_string(status));
    return RQ_NOTIFICATION_CONTINUE;
  }

  REQUEST_NOTIFICATION_STATUS OnSendResponse(IHttpContext* ctx, ISendResponseProvider* p) override {
    IHttpResponse* r = ctx->GetResponse();
    if (has_flag(ctx, "observe") && p->GetHeadersBeingSent()) {
      const HTTP_RESPONSE* raw = r->GetRawHttpResponse();
      std::string seen =
          std::to_string(raw->StatusCode) + " " + std::to_string(raw->EntityChunkCount) + " ";
      for (USHORT i = 0; i < raw->EntityChunkCount; ++i)
        seen += raw->pEntityChunks[i].DataChunkType == HttpDataChunkFromFileHandle ? "f" : "m";
      USHORT cch = 0;
      PCSTR type = r->GetHeader("Content-Type", &cch);
      seen += " " + (type != nullptr ? std::string(type, cch) : std::string("-"));
      r->SetHeader("X-Seen", seen.c_str(), static_cast<USHORT>(seen.size()), TRUE);
    }
    if (has_flag(ctx, "replace") && p->GetHeadersBeingSent()) {
      USHORT status = 0;
      r->GetStatus(&status);
      r->Clear();
      r->SetStatus(200, "OK");
      r->SetHeader("Content-Type", "text/plain", 10, TRUE);
      write_text(r, "filtered " + std::to_string(status));
    }
    if (has_flag(ctx, "clear")) r->Clear();
    if (has_flag(ctx, "clear-headers")) r->ClearHeaders();
    if (has_flag(ctx, "no-server")) r->DeleteHeader("Server");
    if (has_flag(ctx, "own-server")) r->SetHeader("Server", "hardened", 8, TRUE);
    if (has_flag(ctx, "send-disconnect"))
      p->SetFlags(p->GetFlags() | HTTP_SEND_RESPONSE_FLAG_DISCONNECT);
    return RQ_NOTIFICATION_CONTINUE;
  }

  VOID Dispose() override { delete this; }
};

class Factory final : public IHttpModuleFactory {
 public:
  HRESULT GetHttpModule(CHttpModule** module, IModuleAllocator*) override {
    *module = new (std::nothrow) Filter();
    return *module != nullptr ? S_OK : E_OUTOFMEMORY;
  }
  VOID Terminate() override { delete this; }
};

}  // namespace

HRESULT __stdcall RegisterModule(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  return info->SetRequestNotifications(new Factory(), RQ_BEGIN_REQUEST | RQ_SEND_RESPONSE,
                                       RQ_EXECUTE_REQUEST_HANDLER);
}
