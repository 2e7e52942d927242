// Test-only module: what a module learns of the connection's protocol and security, as
// tests/integration/test_tls.py checks it. A request to /tlsinfo answers one line per item:
//
//   HTTPS=on|off, SERVER_PORT_SECURE, HTTP_VERSION, SERVER_PROTOCOL, HTTPS_KEYSIZE,
//   HTTPS_SERVER_SUBJECT, HTTPS_SERVER_ISSUER, CERT_FLAGS, CERT_SUBJECT, CERT_ISSUER,
//   CERT_SERIALNUMBER, CERT_COOKIE (as given, empty when unset)
//   cert=<hr> negotiated=<0|1> size=<DER bytes> flags=<CertFlags>   GetClientCertificate
//   version=<major>.<minor>                                       GetRawHttpRequest()->Version
//   cooked=<CookedUrl.pFullUrl, narrowed>
// /trailers answers "trailer body" with the trailer X-Checksum: c0ffee (IHttpResponse4), and
// reports the trailer API's results in X-Trailer-Api.
// Anything else falls through to the static files.
#include <httpserv.h>
#include <windows.h>

#include <cstdio>
#include <new>
#include <string>

namespace {

std::string var(IHttpContext* ctx, PCSTR name) {
  PCSTR v = nullptr;
  DWORD cch = 0;
  if (FAILED(ctx->GetServerVariable(name, &v, &cch)) || v == nullptr) return "";
  return std::string(v, cch);
}

std::string hex(HRESULT hr) {
  char buf[16];
  snprintf(buf, sizeof(buf), "0x%08X", static_cast<unsigned>(hr));
  return buf;
}

class TlsInfo final : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS trailers(IHttpContext* ctx) {
    auto* r = static_cast<IHttpResponse4*>(ctx->GetResponse());
    HRESULT a = r->SetTrailer("X-Checksum", "bad", 3, FALSE);
    HRESULT b = r->SetTrailer("X-Checksum", "c0ffee", 6, TRUE);  // replaces
    HRESULT c = r->SetTrailer("Content-Length", "1", 1, FALSE);  // never a trailer
    USHORT n = 0;
    PCSTR got = r->GetTrailer("x-checksum", &n);
    HRESULT d = r->SetTrailer("X-Gone", "1", 1, FALSE);
    HRESULT e = r->DeleteTrailer("X-Gone");
    HRESULT f = r->DeleteTrailer("X-Gone");
    std::string api = hex(a) + " " + hex(b) + " " + hex(c) + " " +
                      std::string(got != nullptr ? got : "(null)", n) + " " + hex(d) + " " +
                      hex(e) + " " + hex(f);
    r->SetHeader("X-Trailer-Api", api.c_str(), static_cast<USHORT>(api.size()), TRUE);
    static const char kBody[] = "trailer body";
    HTTP_DATA_CHUNK ch{};
    ch.DataChunkType = HttpDataChunkFromMemory;
    ch.FromMemory.pBuffer = const_cast<char*>(kBody);
    ch.FromMemory.BufferLength = sizeof(kBody) - 1;
    DWORD sent = 0;
    r->WriteEntityChunks(&ch, 1, FALSE, FALSE, &sent);
    return RQ_NOTIFICATION_FINISH_REQUEST;
  }

  REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext* ctx,
                                                      IHttpEventProvider*) override {
    PCSTR url = nullptr;
    DWORD cch = 0;
    ctx->GetServerVariable("URL", &url, &cch);
    if (url != nullptr && std::string(url, cch) == "/trailers") return trailers(ctx);
    if (url == nullptr || std::string(url, cch) != "/tlsinfo") return RQ_NOTIFICATION_CONTINUE;
    std::string out;
    for (PCSTR name : {"HTTPS", "SERVER_PORT_SECURE", "HTTP_VERSION", "SERVER_PROTOCOL",
                       "HTTPS_KEYSIZE", "HTTPS_SERVER_SUBJECT", "HTTPS_SERVER_ISSUER", "CERT_FLAGS",
                       "CERT_SUBJECT", "CERT_ISSUER", "CERT_SERIALNUMBER", "CERT_COOKIE"}) {
      out += std::string(name) + "=" + var(ctx, name) + "\n";
    }
    HTTP_SSL_CLIENT_CERT_INFO* info = nullptr;
    BOOL negotiated = FALSE;
    HRESULT hr = ctx->GetRequest()->GetClientCertificate(&info, &negotiated);
    out += "cert=" + hex(hr) + " negotiated=" + std::to_string(negotiated) +
           " size=" + std::to_string(info != nullptr ? info->CertEncodedSize : 0) +
           " flags=" + std::to_string(info != nullptr ? info->CertFlags : 0) + "\n";
    const HTTP_REQUEST* raw = ctx->GetRequest()->GetRawHttpRequest();
    out += "version=" + std::to_string(raw->Version.MajorVersion) + "." +
           std::to_string(raw->Version.MinorVersion) + "\n";
    std::string cooked;
    for (PCWSTR w = raw->CookedUrl.pFullUrl; w != nullptr && *w != 0; ++w)
      cooked += static_cast<char>(*w);
    out += "cooked=" + cooked + "\n";
    IHttpResponse* r = ctx->GetResponse();
    r->SetHeader("Content-Type", "text/plain", 10, TRUE);
    HTTP_DATA_CHUNK c{};
    c.DataChunkType = HttpDataChunkFromMemory;
    c.FromMemory.pBuffer = const_cast<char*>(out.data());
    c.FromMemory.BufferLength = static_cast<ULONG>(out.size());
    DWORD sent = 0;
    r->WriteEntityChunks(&c, 1, FALSE, FALSE, &sent);
    return RQ_NOTIFICATION_FINISH_REQUEST;
  }
};

class Factory final : public IHttpModuleFactory {
 public:
  HRESULT GetHttpModule(CHttpModule** module, IModuleAllocator*) override {
    *module = new (std::nothrow) TlsInfo();
    return *module != nullptr ? S_OK : E_OUTOFMEMORY;
  }
  VOID Terminate() override { delete this; }
};

}  // namespace

HRESULT __stdcall RegisterModule(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  return info->SetRequestNotifications(new Factory(), RQ_EXECUTE_REQUEST_HANDLER, 0);
}
