// IHttpRequest and IHttpResponse of HttpContextImpl, and the response-output engine behind
// WriteEntityChunks/Flush (buffering, the output queue feeding http::Exchange, completions).
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <new>

#include "base/log.h"
#include "http/headers.h"
#include "http/host.h"
#include "http/response_policy.h"
#include "http/status.h"
#include "iis/iis_handler.h"
#include "iis/module_region.h"
#include "iis/module_registry.h"
#include "iis/request_context.h"
#include "iis/url_info.h"
#include "iis/wide.h"

namespace hs::iis {
namespace {

constexpr DWORD kMaxBufferedChunks = 65534;  // what ANCM measured IIS to accept (spec §6.8)
constexpr size_t kMaxReason = 512;
constexpr char kServerName[] = "httpserv";
constexpr DWORD kOpRead = 1, kOpWrite = 2;

const char* const kCommon[20] = {"Cache-Control",
                                 "Connection",
                                 "Date",
                                 "Keep-Alive",
                                 "Pragma",
                                 "Trailer",
                                 "Transfer-Encoding",
                                 "Upgrade",
                                 "Via",
                                 "Warning",
                                 "Allow",
                                 "Content-Length",
                                 "Content-Type",
                                 "Content-Encoding",
                                 "Content-Language",
                                 "Content-Location",
                                 "Content-MD5",
                                 "Content-Range",
                                 "Expires",
                                 "Last-Modified"};
const char* const kRequestOnly[21] = {"Accept",
                                      "Accept-Charset",
                                      "Accept-Encoding",
                                      "Accept-Language",
                                      "Authorization",
                                      "Cookie",
                                      "Expect",
                                      "From",
                                      "Host",
                                      "If-Match",
                                      "If-Modified-Since",
                                      "If-None-Match",
                                      "If-Range",
                                      "If-Unmodified-Since",
                                      "Max-Forwards",
                                      "Proxy-Authorization",
                                      "Referer",
                                      "Range",
                                      "TE",
                                      "Translate",
                                      "User-Agent"};
const char* const kResponseOnly[10] = {
    "Accept-Ranges", "Age",    "ETag",       "Location", "Proxy-Authenticate",
    "Retry-After",   "Server", "Set-Cookie", "Vary",     "WWW-Authenticate"};

const char* request_header_name(HTTP_HEADER_ID id) {
  int i = static_cast<int>(id);
  if (i >= 0 && i < 20) return kCommon[i];
  if (i >= 20 && i < 41) return kRequestOnly[i - 20];
  return nullptr;
}
const char* response_header_name(HTTP_HEADER_ID id) {
  int i = static_cast<int>(id);
  if (i >= 0 && i < 20) return kCommon[i];
  if (i >= 20 && i < 30) return kResponseOnly[i - 20];
  return nullptr;
}

bool has_crlf(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

HTTP_VERB verb_of(std::string_view m) {
  static const std::pair<const char*, HTTP_VERB> kVerbs[] = {{"OPTIONS", HttpVerbOPTIONS},
                                                             {"GET", HttpVerbGET},
                                                             {"HEAD", HttpVerbHEAD},
                                                             {"POST", HttpVerbPOST},
                                                             {"PUT", HttpVerbPUT},
                                                             {"DELETE", HttpVerbDELETE},
                                                             {"TRACE", HttpVerbTRACE},
                                                             {"CONNECT", HttpVerbCONNECT},
                                                             {"TRACK", HttpVerbTRACK},
                                                             {"MOVE", HttpVerbMOVE},
                                                             {"COPY", HttpVerbCOPY},
                                                             {"PROPFIND", HttpVerbPROPFIND},
                                                             {"PROPPATCH", HttpVerbPROPPATCH},
                                                             {"MKCOL", HttpVerbMKCOL},
                                                             {"LOCK", HttpVerbLOCK},
                                                             {"UNLOCK", HttpVerbUNLOCK},
                                                             {"SEARCH", HttpVerbSEARCH}};
  for (const auto& [name, verb] : kVerbs) {
    if (m == name) return verb;
  }
  return HttpVerbUnknown;
}

void fill_sockaddr(sockaddr_storage* out, const std::string& host, uint16_t port) {
  memset(out, 0, sizeof(*out));
  auto* v4 = reinterpret_cast<sockaddr_in*>(out);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
  }
}

// Header list helpers shared by request and response.
template <typename List>
const std::string* find_header(const List& list, std::string_view name) {
  for (const auto& h : list) {
    if (http::iequals(h.name, name)) return &h.value;
  }
  return nullptr;
}

template <typename List>
HRESULT set_header(List& list, PCSTR name, PCSTR value, USHORT cch, BOOL replace) {
  if (name == nullptr || *name == '\0') return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  if (value == nullptr && cch > 0) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  std::string_view v(value ? value : "", value ? cch : 0);
  if (has_crlf(name) || has_crlf(v)) return HRESULT_FROM_WIN32(ERROR_INVALID_DATA);
  for (auto it = list.begin(); it != list.end(); ++it) {
    if (!http::iequals(it->name, name)) continue;
    if (replace) {
      it->value.assign(v);
      // Later duplicates go: one field with the new value remains.
      list.erase(std::remove_if(it + 1, list.end(),
                                [&](const auto& h) { return http::iequals(h.name, name); }),
                 list.end());
    } else {
      it->value.append(", ");
      it->value.append(v);
    }
    return S_OK;
  }
  list.push_back({std::string(name), std::string(v)});
  return S_OK;
}

template <typename List>
void delete_header(List& list, std::string_view name) {
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](const auto& h) { return http::iequals(h.name, name); }),
             list.end());
}

class SendProvider final : public ISendResponseProvider {
 public:
  VOID SetErrorStatus(HRESULT hr) override { error_ = hr; }
  BOOL GetHeadersBeingSent() const override { return headers_being_sent_; }
  DWORD GetFlags() const override { return flags_; }
  VOID SetFlags(DWORD flags) override { flags_ = flags; }
  HTTP_LOG_DATA* GetLogData() const override { return nullptr; }
  HRESULT SetLogData(HTTP_LOG_DATA*) override { return E_NOTIMPL; }
  BOOL GetReadyToLogData() const override { return FALSE; }
  BOOL headers_being_sent_ = FALSE;
  DWORD flags_ = 0;
  HRESULT error_ = S_OK;
};

}  // namespace

namespace {

bool known_request_header(std::string_view name) {
  for (int i = 0; i < HttpHeaderRequestMaximum; ++i) {
    if (http::iequals(name, request_header_name(static_cast<HTTP_HEADER_ID>(i)))) return true;
  }
  return false;
}

}  // namespace

void HttpContextImpl::fill_addresses() {
  if (addresses_filled_) return;
  addresses_filled_ = true;
  fill_sockaddr(&remote_sa_, remote_host_, remote_port_);
  fill_sockaddr(&local_sa_, local_host_, local_port_);
}

// ---------------------------------------------------------------------------------------------
// Request

HTTP_REQUEST* RequestImpl::GetRawHttpRequest() {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HTTP_REQUEST*>("IHttpRequest::GetRawHttpRequest", nullptr,
                                       [&] { return GetRawHttpRequest(); });
  HttpContextImpl& c = ctx_;
  HTTP_REQUEST& r = c.raw_request_;
  c.raw_request_given_ = true;
  r = HTTP_REQUEST{};
  r.Version.MajorVersion = c.version_major_;
  r.Version.MinorVersion = c.version_minor_;
  r.Verb = verb_of(c.method_);
  if (r.Verb == HttpVerbUnknown) {
    r.pUnknownVerb = c.method_.c_str();
    r.UnknownVerbLength = static_cast<USHORT>(c.method_.size());
  }
  r.pRawUrl = c.raw_target_.c_str();
  r.RawUrlLength = static_cast<USHORT>(std::min<size_t>(c.raw_target_.size(), 0xFFFF));
  // CookedUrl: one canonical wide string "http://host/path?query"; lengths in bytes.
  const std::string* host = find_header(c.request_headers_, "Host");
  std::string authority = host ? *host : http::authority_for_address(c.local_host_, c.local_port_);
  std::string scheme = c.scheme();
  std::string full = scheme + authority + c.url_ + (c.query_.empty() ? "" : "?" + c.query_);
  c.raw_cooked_url_ = widen(full);
  const wchar_t* base = c.raw_cooked_url_.c_str();
  size_t host_start = scheme.size(), path_start = scheme.size() + widen(authority).size();
  size_t q = c.raw_cooked_url_.find(L'?', path_start);
  r.CookedUrl.pFullUrl = base;
  r.CookedUrl.FullUrlLength = static_cast<USHORT>(c.raw_cooked_url_.size() * sizeof(wchar_t));
  r.CookedUrl.pHost = base + host_start;
  r.CookedUrl.HostLength = static_cast<USHORT>((path_start - host_start) * sizeof(wchar_t));
  r.CookedUrl.pAbsPath = base + path_start;
  size_t path_end = q == std::wstring::npos ? c.raw_cooked_url_.size() : q;
  r.CookedUrl.AbsPathLength = static_cast<USHORT>((path_end - path_start) * sizeof(wchar_t));
  if (q != std::wstring::npos) {
    r.CookedUrl.pQueryString = base + q;
    r.CookedUrl.QueryStringLength =
        static_cast<USHORT>((c.raw_cooked_url_.size() - q) * sizeof(wchar_t));
  }
  c.fill_addresses();
  r.Address.pRemoteAddress = reinterpret_cast<PSOCKADDR>(&c.remote_sa_);
  r.Address.pLocalAddress = reinterpret_cast<PSOCKADDR>(&c.local_sa_);
  // Known headers by id (the first field of a name), the others in pUnknownHeaders in arrival
  // order, as HTTP.sys delivers them. The strings are the context's own (NUL-terminated too);
  // they stay valid until the headers change or this is called again.
  for (int i = 0; i < HttpHeaderRequestMaximum; ++i) {
    if (const std::string* v =
            find_header(c.request_headers_, request_header_name(static_cast<HTTP_HEADER_ID>(i)))) {
      r.Headers.KnownHeaders[i].pRawValue = v->c_str();
      r.Headers.KnownHeaders[i].RawValueLength =
          static_cast<USHORT>(std::min<size_t>(v->size(), 0xFFFF));
    }
  }
  c.raw_unknown_headers_.clear();
  for (const auto& h : c.request_headers_) {
    if (known_request_header(h.name) || c.raw_unknown_headers_.size() == 0xFFFF) continue;
    HTTP_UNKNOWN_HEADER u{};
    u.pName = h.name.c_str();
    u.NameLength = static_cast<USHORT>(std::min<size_t>(h.name.size(), 0xFFFF));
    u.pRawValue = h.value.c_str();
    u.RawValueLength = static_cast<USHORT>(std::min<size_t>(h.value.size(), 0xFFFF));
    c.raw_unknown_headers_.push_back(u);
  }
  r.Headers.UnknownHeaderCount = static_cast<USHORT>(c.raw_unknown_headers_.size());
  r.Headers.pUnknownHeaders =
      c.raw_unknown_headers_.empty() ? nullptr : c.raw_unknown_headers_.data();
  if ((c.ex_ != nullptr && c.ex_->body_remaining() != 0) || c.readahead_unread() > 0) {
    r.Flags |= HTTP_REQUEST_FLAG_MORE_ENTITY_BODY_EXISTS;
  }
  return &r;
}
const HTTP_REQUEST* RequestImpl::GetRawHttpRequest() const {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<const HTTP_REQUEST*>("IHttpRequest::GetRawHttpRequest", nullptr,
                                             [&] { return GetRawHttpRequest(); });
  return const_cast<RequestImpl*>(this)->GetRawHttpRequest();
}

PCSTR RequestImpl::GetHeader(PCSTR name, USHORT* cch) const {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<PCSTR>("IHttpRequest::GetHeader", nullptr,
                               [&] { return GetHeader(name, cch); });
  const std::string* v = name ? find_header(ctx_.request_headers_, name) : nullptr;
  if (cch) *cch = v ? static_cast<USHORT>(std::min<size_t>(v->size(), 0xFFFF)) : 0;
  return v ? v->c_str() : nullptr;
}
PCSTR RequestImpl::GetHeader(HTTP_HEADER_ID id, USHORT* cch) const {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<PCSTR>("IHttpRequest::GetHeader", nullptr,
                               [&] { return GetHeader(id, cch); });
  const char* name = request_header_name(id);
  if (name == nullptr) {
    if (cch) *cch = 0;
    return nullptr;
  }
  return GetHeader(name, cch);
}
void RequestImpl::refresh_raw() {
  if (ctx_.raw_request_given_) GetRawHttpRequest();
}

HRESULT RequestImpl::SetHeader(PCSTR name, PCSTR value, USHORT cch, BOOL replace) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpRequest::SetHeader", HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return SetHeader(name, value, cch, replace); });
  HRESULT hr = set_header(ctx_.request_headers_, name, value, cch, replace);
  refresh_raw();
  return hr;
}
HRESULT RequestImpl::SetHeader(HTTP_HEADER_ID id, PCSTR value, USHORT cch, BOOL replace) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpRequest::SetHeader", HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return SetHeader(id, value, cch, replace); });
  const char* name = request_header_name(id);
  if (name == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  return SetHeader(name, value, cch, replace);
}
HRESULT RequestImpl::DeleteHeader(PCSTR name) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpRequest::DeleteHeader",
                                 HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return DeleteHeader(name); });
  if (name == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  delete_header(ctx_.request_headers_, name);
  refresh_raw();
  return S_OK;
}
HRESULT RequestImpl::DeleteHeader(HTTP_HEADER_ID id) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpRequest::DeleteHeader",
                                 HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return DeleteHeader(id); });
  const char* name = request_header_name(id);
  if (name == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  return DeleteHeader(name);
}
PCSTR RequestImpl::GetHttpMethod() const {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<PCSTR>("IHttpRequest::GetHttpMethod", nullptr,
                               [&] { return GetHttpMethod(); });
  return ctx_.method_.c_str();
}
HRESULT RequestImpl::SetHttpMethod(PCSTR m) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpRequest::SetHttpMethod",
                                 HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return SetHttpMethod(m); });
  if (m == nullptr || *m == '\0' || has_crlf(m)) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  ctx_.method_ = m;
  refresh_raw();
  return S_OK;
}
HRESULT RequestImpl::SetUrl(PCSTR url, DWORD cch, BOOL reset_query) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpRequest::SetUrl", HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return SetUrl(url, cch, reset_query); });
  if (url == nullptr || cch == 0 || cch > 65535) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  std::string u(url, cch);
  size_t q = u.find('?');
  if (q != std::string::npos) {
    ctx_.query_ = u.substr(q + 1);
    u.resize(q);
  } else if (reset_query) {
    ctx_.query_.clear();
  }
  if (u.empty() || u[0] != '/') return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  ctx_.url_ = u;
  ctx_.url_changed_ = true;
  refresh_raw();
  return S_OK;
}
HRESULT RequestImpl::SetUrl(PCWSTR url, DWORD cch, BOOL reset_query) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpRequest::SetUrl", HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return SetUrl(url, cch, reset_query); });
  if (url == nullptr || cch == 0) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  std::string u = narrow(std::wstring_view(url, cch));
  return SetUrl(u.c_str(), static_cast<DWORD>(u.size()), reset_query);
}
BOOL RequestImpl::GetUrlChanged() const {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<BOOL>("IHttpRequest::GetUrlChanged", FALSE,
                              [&] { return GetUrlChanged(); });
  return ctx_.url_changed_;
}
PCWSTR RequestImpl::GetForwardedUrl() const {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<PCWSTR>("IHttpRequest::GetForwardedUrl", nullptr,
                                [&] { return GetForwardedUrl(); });
  return nullptr;
}
PSOCKADDR RequestImpl::GetLocalAddress() const {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<PSOCKADDR>("IHttpRequest::GetLocalAddress", nullptr,
                                   [&] { return GetLocalAddress(); });
  ctx_.fill_addresses();
  return reinterpret_cast<PSOCKADDR>(&ctx_.local_sa_);
}
PSOCKADDR RequestImpl::GetRemoteAddress() const {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<PSOCKADDR>("IHttpRequest::GetRemoteAddress", nullptr,
                                   [&] { return GetRemoteAddress(); });
  ctx_.fill_addresses();
  return reinterpret_cast<PSOCKADDR>(&ctx_.remote_sa_);
}
HRESULT RequestImpl::ReadEntityBody(VOID* buf, DWORD cb, BOOL fAsync, DWORD* received,
                                    BOOL* pending) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>(
        "IHttpRequest::ReadEntityBody", HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
        [&] { return ReadEntityBody(buf, cb, fAsync, received, pending); });
  return ctx_.read_body(buf, cb, fAsync, CompletionTarget{}, received, pending);
}
HRESULT RequestImpl::ReadEntityBody(VOID* buf, DWORD cb, BOOL fAsync, PFN_ASYNC_COMPLETION fn,
                                    VOID* fn_ctx, DWORD* received, BOOL* pending) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>(
        "IHttpRequest::ReadEntityBody", HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
        [&] { return ReadEntityBody(buf, cb, fAsync, fn, fn_ctx, received, pending); });
  return ctx_.read_body(buf, cb, fAsync, CompletionTarget{fn, fn_ctx}, received, pending);
}
HRESULT RequestImpl::ReadEntityBody(VOID* buf, DWORD cb, BOOL fAsync, ULONG flags, DWORD* received,
                                    BOOL* pending) {
  if (!ctx_.on_loop_thread()) {
    return ctx_.on_loop<HRESULT>(
        "IHttpRequest::ReadEntityBody", HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
        [&] { return ReadEntityBody(buf, cb, fAsync, flags, received, pending); });
  }
  return ctx_.read_body(buf, cb, fAsync, CompletionTarget{}, received, pending);
}
HRESULT RequestImpl::InsertEntityBody(VOID* buf, DWORD cb) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpRequest::InsertEntityBody",
                                 HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return InsertEntityBody(buf, cb); });
  if (buf == nullptr && cb > 0) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  if (cb > 0) ctx_.inserted_body_.emplace_front(static_cast<const char*>(buf), cb);
  return S_OK;
}
DWORD RequestImpl::GetRemainingEntityBytes() {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<DWORD>("IHttpRequest::GetRemainingEntityBytes", DWORD{},
                               [&] { return GetRemainingEntityBytes(); });
  // Bytes read ahead count until a module has read them (they were never handed over).
  uint64_t inserted = ctx_.readahead_unread();
  for (const std::string& s : ctx_.inserted_body_)
    inserted += s.size();
  if (ctx_.ex_ == nullptr) return static_cast<DWORD>(std::min<uint64_t>(inserted, 0xFFFFFFFE));
  int64_t r = ctx_.ex_->body_remaining();
  if (r < 0) return 0xFFFFFFFF;  // unknown length (chunked): INFINITE, as ANCM expects
  return static_cast<DWORD>(std::min<uint64_t>(static_cast<uint64_t>(r) + inserted, 0xFFFFFFFE));
}
VOID RequestImpl::GetHttpVersion(USHORT* major, USHORT* minor) const {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop_void("IHttpRequest::GetHttpVersion", [&] { GetHttpVersion(major, minor); });
  if (major) *major = ctx_.version_major_;
  if (minor) *minor = ctx_.version_minor_;
}
HRESULT RequestImpl::GetClientCertificate(HTTP_SSL_CLIENT_CERT_INFO** info, BOOL* negotiated) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpRequest::GetClientCertificate",
                                 HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return GetClientCertificate(info, negotiated); });
  if (info) *info = nullptr;
  if (negotiated) *negotiated = FALSE;
  HttpContextImpl::TlsCopy* t = ctx_.tls_.get();
  if (t == nullptr || t->peer_certificate.empty()) {
    // Plain HTTP, or the client sent none (it is asked for at the handshake only, by the
    // binding's clientCertificate setting: docs/tls.md).
    return HRESULT_FROM_WIN32(ERROR_NOT_FOUND);
  }
  HTTP_SSL_CLIENT_CERT_INFO& c = t->cert_info;
  c.CertFlags = t->peer_verified ? 0 : 0x20;  // CERT_TRUST_IS_UNTRUSTED_ROOT
  c.CertEncodedSize = static_cast<ULONG>(t->peer_certificate.size());
  c.pCertEncoded = reinterpret_cast<PUCHAR>(t->peer_certificate.data());
  c.Token = nullptr;
  c.CertDeniedByMapper = FALSE;
  if (info) *info = &c;
  if (negotiated) *negotiated = TRUE;
  return S_OK;
}
HRESULT RequestImpl::NegotiateClientCertificate(BOOL, BOOL* pending) {
  if (pending) *pending = FALSE;
  return E_FAIL;  // no TLS yet
}
DWORD RequestImpl::GetSiteId() const {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<DWORD>("IHttpRequest::GetSiteId", DWORD{}, [&] { return GetSiteId(); });
  return ctx_.owner_.site().GetSiteId();
}
HRESULT RequestImpl::GetHeaderChanges(DWORD, DWORD*, PCSTR*, DWORD*, PCSTR**, PCSTR**, DWORD*,
                                      DWORD*, DWORD**) {
  return E_NOTIMPL;  // IIS-internal (ASP.NET header sync); modules do not call it
}
HRESULT RequestImpl::GetChannelBindingToken(PBYTE* token, DWORD* size) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpRequest::GetChannelBindingToken",
                                 HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return GetChannelBindingToken(token, size); });
  if (token) *token = nullptr;
  if (size) *size = 0;
  return HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED);  // no TLS yet
}

HRESULT HttpContextImpl::read_body(void* buf, DWORD cb, BOOL fAsync, CompletionTarget target,
                                   DWORD* received, BOOL* pending) {
  if (received) *received = 0;
  if (pending) *pending = FALSE;
  if (buf == nullptr && cb > 0) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  if (async_read_ || (async_write_ && !full_duplex_) || read_waiter_ != nullptr)
    return HRESULT_FROM_WIN32(ERROR_INVALID_STATE);
  auto complete_inline = [&](DWORD n, HRESULT hr) -> HRESULT {
    if (received) *received = n;
    if (fAsync && pending == nullptr) {
      // No out-parameter to report through: a completion is always delivered (spec §6.4).
      async_read_ = true;
      schedule([this, n, hr, target] {
        async_read_ = false;
        deliver_async(n, hr, target, kOpRead);
      });
      return S_OK;
    }
    return hr;
  };
  if (!inserted_body_.empty()) {
    std::string& front = inserted_body_.front();
    DWORD n = static_cast<DWORD>(std::min<size_t>(cb, front.size()));
    memcpy(buf, front.data(), n);
    front.erase(0, n);
    if (front.empty()) inserted_body_.pop_front();
    return complete_inline(n, S_OK);
  }
  if (readahead_unread() > 0 && cb > 0) {
    // Read ahead before the first notification: handed over now, as if read from the client.
    DWORD n = static_cast<DWORD>(std::min<uint64_t>(cb, readahead_unread()));
    memcpy(buf, readahead_.data() + readahead_pos_, n);
    readahead_pos_ += n;
    if (readahead_unread() == 0) {
      std::string().swap(readahead_);
      readahead_pos_ = 0;
    }
    raise_read_entity(buf, cb, &n);  // RQ_READ_ENTITY: subscribers may see/replace the bytes
    return complete_inline(n, S_OK);
  }
  for (;;) {
    if (ex_ == nullptr) {
      return complete_inline(0, exchange_last_sent_ ? HRESULT_FROM_WIN32(ERROR_HANDLE_EOF)
                                                    : HRESULT_FROM_WIN32(ERROR_CONNECTION_ABORTED));
    }
    ssize_t r = ex_->read_body(static_cast<char*>(buf), cb, [this] { on_body_ready(); });
    if (r > 0) {
      body_bytes_read_ += static_cast<uint64_t>(r);
      DWORD n = static_cast<DWORD>(r);
      raise_read_entity(buf, cb, &n);  // RQ_READ_ENTITY: subscribers may see/replace the bytes
      return complete_inline(n, S_OK);
    }
    if (r == http::kBodyEnd) return complete_inline(0, HRESULT_FROM_WIN32(ERROR_HANDLE_EOF));
    if (r == http::kBodyError)
      return complete_inline(0, HRESULT_FROM_WIN32(ERROR_CONNECTION_ABORTED));
    if (fAsync) break;
    // Synchronous: wait for bytes, the end, an error (the session's body timeouts included) or
    // the connection's end, without holding the loop (THREADING), as IIS's call waits.
    base::Waiter w;
    read_waiter_ = &w;
    if (!wait_here(w)) {
      read_waiter_ = nullptr;
      // Module code called from where the loop cannot be left (outside a request task).
      static std::atomic<bool> warned{false};
      if (!warned.exchange(true)) {
        HS_LOG_WARN(
            "synchronous ReadEntityBody outside a request notification cannot wait for the "
            "body: ERROR_IO_PENDING (docs/iis-compat.md)");
      }
      return HRESULT_FROM_WIN32(ERROR_IO_PENDING);
    }
    read_waiter_ = nullptr;  // woken: read again
  }
  pending_read_ = std::make_unique<PendingRead>(PendingRead{buf, cb, target});
  async_read_ = true;
  if (pending) *pending = TRUE;
  return S_OK;
}

bool HttpContextImpl::wait_here(base::Waiter& w) {
  return host_ != nullptr && host_->wait(w);
}

void HttpContextImpl::on_body_ready() {
  // From the connection's task: wakes a synchronous reader, or completes the async read in a task
  // of the request (module code).
  if (read_waiter_ != nullptr) {
    base::Waiter* w = read_waiter_;
    read_waiter_ = nullptr;
    host_->wake(*w);
    return;
  }
  if (!pending_read_ || ex_ == nullptr) return;
  schedule([this] { finish_pending_read(); });
}

void HttpContextImpl::finish_pending_read() {
  if (!pending_read_ || ex_ == nullptr) return;
  ssize_t r = ex_->read_body(static_cast<char*>(pending_read_->buf), pending_read_->cb,
                             [this] { on_body_ready(); });
  if (r == http::kBodyPending) return;
  CompletionTarget t = pending_read_->target;
  DWORD n = r > 0 ? static_cast<DWORD>(r) : 0;
  body_bytes_read_ += n;
  if (n > 0) raise_read_entity(pending_read_->buf, pending_read_->cb, &n);  // RQ_READ_ENTITY
  pending_read_.reset();
  async_read_ = false;
  HRESULT hr = r > 0                 ? S_OK
               : r == http::kBodyEnd ? HRESULT_FROM_WIN32(ERROR_HANDLE_EOF)
                                     : HRESULT_FROM_WIN32(ERROR_CONNECTION_ABORTED);
  deliver_async(n, hr, t, kOpRead);
}

// ---------------------------------------------------------------------------------------------
// Response: header and status state

HTTP_RESPONSE* ResponseImpl::GetRawHttpResponse() {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HTTP_RESPONSE*>("IHttpResponse::GetRawHttpResponse", nullptr,
                                        [&] { return GetRawHttpResponse(); });
  HttpContextImpl& c = ctx_;
  c.sync_from_raw_response();  // a second call must not discard the module's earlier changes
  HTTP_RESPONSE& r = c.raw_response_;
  r = HTTP_RESPONSE{};
  r.Version.MajorVersion = c.version_major_;
  r.Version.MinorVersion = c.version_minor_;
  r.StatusCode = c.status_;
  r.pReason = c.reason_.c_str();
  r.ReasonLength = static_cast<USHORT>(std::min<size_t>(c.reason_.size(), 0xFFFF));
  for (int i = 0; i < HttpHeaderResponseMaximum; ++i) {
    if (const std::string* v = find_header(c.response_headers_,
                                           response_header_name(static_cast<HTTP_HEADER_ID>(i)))) {
      r.Headers.KnownHeaders[i].pRawValue = v->c_str();
      r.Headers.KnownHeaders[i].RawValueLength =
          static_cast<USHORT>(std::min<size_t>(v->size(), 0xFFFF));
    }
  }
  r.EntityChunkCount = static_cast<USHORT>(c.buffered_.size());
  r.pEntityChunks = c.buffered_.empty() ? nullptr : c.buffered_.data();
  c.raw_response_given_ = true;
  c.raw_given_status_ = r.StatusCode;
  c.raw_given_count_ = r.EntityChunkCount;
  return &r;
}
const HTTP_RESPONSE* ResponseImpl::GetRawHttpResponse() const {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<const HTTP_RESPONSE*>("IHttpResponse::GetRawHttpResponse", nullptr,
                                              [&] { return GetRawHttpResponse(); });
  return const_cast<ResponseImpl*>(this)->GetRawHttpResponse();
}

void HttpContextImpl::sync_from_raw_response() {
  // Modules treat the raw struct as live: they truncate the buffered body (ANCM sets
  // EntityChunkCount = 0) or change the status code. Every call that changes the buffered body
  // or the status syncs first, so only what the module changed in the struct since it got it
  // is applied, and before anything newer (a later write, a later SetStatus) — never on top.
  if (!raw_response_given_) return;
  raw_response_given_ = false;
  if (raw_response_.EntityChunkCount < raw_given_count_ &&
      raw_response_.EntityChunkCount < buffered_.size()) {
    for (size_t i = raw_response_.EntityChunkCount; i < buffered_.size(); ++i) {
      // Buffered file chunks carry their resolved length (never TO_EOF): see buffer_resolved.
      const HTTP_DATA_CHUNK& ch = buffered_[i];
      uint64_t len = chunk_type(ch) == HttpDataChunkFromMemory
                         ? ch.FromMemory.BufferLength
                         : ch.FromFileHandle.ByteRange.Length.QuadPart;
      buffered_bytes_ -= std::min(len, buffered_bytes_);
    }
    buffered_.resize(raw_response_.EntityChunkCount);
  }
  if (raw_response_.StatusCode != raw_given_status_ && raw_response_.StatusCode >= 100 &&
      raw_response_.StatusCode <= 999) {
    status_ = raw_response_.StatusCode;
    reason_.assign(http::reason_phrase(status_));  // the old reason belonged to the old code
  }
}

IHttpCachePolicy* ResponseImpl::GetCachePolicy() {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<IHttpCachePolicy*>("IHttpResponse::GetCachePolicy", nullptr,
                                           [&] { return GetCachePolicy(); });
  // One per response; an IHttpCachePolicy2 too (cast, as modules do).
  if (!ctx_.cache_policy_) ctx_.cache_policy_ = std::make_unique<CachePolicyImpl>();
  return ctx_.cache_policy_.get();
}

HRESULT ResponseImpl::SetStatus(USHORT code, PCSTR reason, USHORT sub, HRESULT error,
                                IAppHostConfigException* config_error, BOOL try_skip) {
  if (!ctx_.on_loop_thread()) {
    return ctx_.on_loop<HRESULT>(
        "IHttpResponse::SetStatus", HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
        [&] { return SetStatus(code, reason, sub, error, config_error, try_skip); });
  }
  if (code < 100 || code > 999) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  std::string_view r = reason ? std::string_view(reason) : http::reason_phrase(code);
  if (r.size() > kMaxReason || has_crlf(r)) return HRESULT_FROM_WIN32(ERROR_INVALID_DATA);
  ctx_.sync_from_raw_response();
  if (ctx_.headers_sent_) {
    // Accepted, but too late for the wire (spec §6.2 recommendation; docs/iis-compat.md).
    HS_LOG_DEBUG("SetStatus(%u) after the headers were sent: not sent", code);
  }
  ctx_.status_ = code;
  ctx_.substatus_ = sub;
  ctx_.reason_.assign(r);
  ctx_.try_skip_custom_errors_ = try_skip != FALSE;
  return S_OK;
}
HRESULT ResponseImpl::SetHeader(PCSTR name, PCSTR value, USHORT cch, BOOL replace) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpResponse::SetHeader",
                                 HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return SetHeader(name, value, cch, replace); });
  if (ctx_.headers_sent_ && name != nullptr) {
    HS_LOG_DEBUG("SetHeader(%s) after the headers were sent: not sent", name);
  }
  return set_header(ctx_.response_headers_, name, value, cch, replace);
}
HRESULT ResponseImpl::SetHeader(HTTP_HEADER_ID id, PCSTR value, USHORT cch, BOOL replace) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpResponse::SetHeader",
                                 HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return SetHeader(id, value, cch, replace); });
  const char* name = response_header_name(id);
  if (name == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  return SetHeader(name, value, cch, replace);
}
HRESULT ResponseImpl::DeleteHeader(PCSTR name) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpResponse::DeleteHeader",
                                 HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return DeleteHeader(name); });
  if (name == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  delete_header(ctx_.response_headers_, name);
  return S_OK;
}
HRESULT ResponseImpl::DeleteHeader(HTTP_HEADER_ID id) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpResponse::DeleteHeader",
                                 HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return DeleteHeader(id); });
  const char* name = response_header_name(id);
  if (name == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  return DeleteHeader(name);
}
PCSTR ResponseImpl::GetHeader(PCSTR name, USHORT* cch) const {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<PCSTR>("IHttpResponse::GetHeader", nullptr,
                               [&] { return GetHeader(name, cch); });
  const std::string* v = name ? find_header(ctx_.response_headers_, name) : nullptr;
  if (cch) *cch = v ? static_cast<USHORT>(std::min<size_t>(v->size(), 0xFFFF)) : 0;
  return v ? v->c_str() : nullptr;
}
PCSTR ResponseImpl::GetHeader(HTTP_HEADER_ID id, USHORT* cch) const {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<PCSTR>("IHttpResponse::GetHeader", nullptr,
                               [&] { return GetHeader(id, cch); });
  const char* name = response_header_name(id);
  if (name == nullptr) {
    if (cch) *cch = 0;
    return nullptr;
  }
  return GetHeader(name, cch);
}
// Server is one of the response's headers from the start, as in IIS (Microsoft's GetHeader
// sample reads it in OnBeginRequest, and its DeleteHeader sample removes it there), so a module
// may read, replace or remove it at any stage; Clear and ClearHeaders put it back.
void HttpContextImpl::add_default_response_headers() {
  response_headers_.push_back({"Server", kServerName});
}
VOID ResponseImpl::Clear() {
  if (!ctx_.on_loop_thread()) return ctx_.on_loop_void("IHttpResponse::Clear", [&] { Clear(); });
  HttpContextImpl& c = ctx_;
  c.sync_from_raw_response();
  c.backlog_ -= c.buffer_.copied;
  c.buffer_.release();
  c.buffered_.clear();
  c.buffered_bytes_ = 0;
  if (!c.headers_sent_) {
    c.status_ = 200;
    c.substatus_ = 0;
    c.reason_ = "OK";
    c.response_headers_.clear();
    c.add_default_response_headers();
  }
}
VOID ResponseImpl::ClearHeaders() {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop_void("IHttpResponse::ClearHeaders", [&] { ClearHeaders(); });
  if (ctx_.headers_sent_) return;
  ctx_.response_headers_.clear();
  ctx_.add_default_response_headers();  // "then adds a default set of headers" (IIS reference)
}
VOID ResponseImpl::SetNeedDisconnect() {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop_void("IHttpResponse::SetNeedDisconnect", [&] { SetNeedDisconnect(); });
  ctx_.need_disconnect_ = true;
}
VOID ResponseImpl::ResetConnection() {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop_void("IHttpResponse::ResetConnection", [&] { ResetConnection(); });
  // The whole connection, at once (a TCP reset): no byte of the response leaves, whatever comes
  // after; on HTTP/2 every other stream of the connection goes with it.
  if (ctx_.ex_ != nullptr) ctx_.ex_->close_connection();
  ctx_.connection_lost_ = true;
}
VOID ResponseImpl::CloseConnection() {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop_void("IHttpResponse::CloseConnection", [&] { CloseConnection(); });
  ResetConnection();
}  // spec §9.12: treated the same
VOID ResponseImpl::DisableKernelCache(ULONG) {}
BOOL ResponseImpl::GetKernelCacheEnabled() const {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<BOOL>("IHttpResponse::GetKernelCacheEnabled", FALSE,
                              [&] { return GetKernelCacheEnabled(); });
  return FALSE;
}  // there is no kernel cache
VOID ResponseImpl::SuppressHeaders() {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop_void("IHttpResponse::SuppressHeaders", [&] { SuppressHeaders(); });
  ctx_.headers_suppressed_ = true;
}
BOOL ResponseImpl::GetHeadersSuppressed() const {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<BOOL>("IHttpResponse::GetHeadersSuppressed", FALSE,
                              [&] { return GetHeadersSuppressed(); });
  return ctx_.headers_suppressed_;
}
VOID ResponseImpl::DisableBuffering() {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop_void("IHttpResponse::DisableBuffering", [&] { DisableBuffering(); });
  ctx_.buffering_ = false;
}
VOID ResponseImpl::GetStatus(USHORT* code, USHORT* sub, PCSTR* reason, USHORT* cch, HRESULT* hr,
                             PCWSTR* module, DWORD* notification, IAppHostConfigException** ex,
                             BOOL* skip) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop_void("IHttpResponse::GetStatus", [&] {
      GetStatus(code, sub, reason, cch, hr, module, notification, ex, skip);
    });
  if (code) *code = ctx_.status_;
  if (sub) *sub = ctx_.substatus_;
  if (reason) *reason = ctx_.reason_.c_str();
  if (cch) *cch = static_cast<USHORT>(ctx_.reason_.size());
  if (hr) *hr = S_OK;
  if (module) *module = nullptr;
  if (notification) *notification = 0;
  if (ex) *ex = nullptr;
  if (skip) *skip = ctx_.try_skip_custom_errors_ ? TRUE : FALSE;
}
HRESULT ResponseImpl::SetErrorDescription(PCWSTR, DWORD, BOOL) {
  return S_OK;
}
PCWSTR ResponseImpl::GetErrorDescription(DWORD* cch) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<PCWSTR>("IHttpResponse::GetErrorDescription", nullptr,
                                [&] { return GetErrorDescription(cch); });
  if (cch) *cch = 0;
  return L"";
}
HRESULT ResponseImpl::GetHeaderChanges(DWORD, DWORD*, PCSTR*, DWORD*, PCSTR**, PCSTR**, DWORD*,
                                       DWORD*, DWORD**) {
  return E_NOTIMPL;  // IIS-internal (ASP.NET header sync)
}
HRESULT ResponseImpl::Redirect(PCSTR url, BOOL reset_status, BOOL include_params) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpResponse::Redirect", HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return Redirect(url, reset_status, include_params); });
  if (url == nullptr || *url == '\0' || has_crlf(url)) {
    return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  }
  if (ctx_.headers_sent_) return S_OK;  // documented: no effect once the response has gone out
  std::string location = url;
  if (location.find("://") == std::string::npos) {
    const std::string* host = find_header(ctx_.request_headers_, "Host");
    std::string base =
        ctx_.scheme() +
        (host ? *host : http::authority_for_address(ctx_.local_host_, ctx_.local_port_));
    if (location[0] != '/') {
      std::string dir = ctx_.url_.substr(0, ctx_.url_.rfind('/') + 1);
      location = dir + location;
    }
    location = base + location;
  }
  if (include_params && !ctx_.query_.empty()) {
    location += location.find('?') == std::string::npos ? "?" : "&";
    location += ctx_.query_;
  }
  Clear();
  if (reset_status) SetStatus(302, "Found");
  return SetHeader("Location", location.c_str(), static_cast<USHORT>(location.size()), TRUE);
}
HRESULT ResponseImpl::PushPromise(PCSTR, PCWSTR, PCWSTR, DWORD, PCSTR*, PCSTR*) {
  return S_OK;  // HTTP/1.x: nothing to push (spec §5.3 allows a no-op)
}
HRESULT ResponseImpl::DeleteTrailer(PCSTR name) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpResponse4::DeleteTrailer",
                                 HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return DeleteTrailer(name); });
  if (name == nullptr || *name == '\0') return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  auto& t = ctx_.trailers_;
  size_t before = t.size();
  std::erase_if(t, [&](const auto& f) { return http::iequals(f.first, name); });
  return t.size() < before ? S_OK : HRESULT_FROM_WIN32(ERROR_NOT_FOUND);
}
PCSTR ResponseImpl::GetTrailer(PCSTR name, USHORT* cch) const {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<PCSTR>("IHttpResponse4::GetTrailer", nullptr,
                               [&] { return GetTrailer(name, cch); });
  if (cch) *cch = 0;
  if (name == nullptr) return nullptr;
  for (const auto& [n, v] : ctx_.trailers_) {
    if (http::iequals(n, name)) {
      if (cch) *cch = static_cast<USHORT>(std::min<size_t>(v.size(), 0xFFFF));
      return v.c_str();
    }
  }
  return nullptr;
}
VOID ResponseImpl::ResetStream(ULONG) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop_void("IHttpResponse::ResetStream", [&] { ResetStream(0); });
  // This request's stream only (HTTP/2: RST_STREAM; HTTP/1: its connection, the one stream it
  // carries). The error code is the protocol's choice (INTERNAL_ERROR), as under HTTP.sys.
  if (ctx_.ex_ != nullptr) ctx_.ex_->reset();
  ctx_.connection_lost_ = true;
}
VOID ResponseImpl::SetNeedGoAway() {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop_void("IHttpResponse::SetNeedGoAway", [&] { SetNeedGoAway(); });
  SetNeedDisconnect();
}
HRESULT ResponseImpl::SetTrailer(PCSTR name, PCSTR value, USHORT cch, BOOL replace) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpResponse4::SetTrailer",
                                 HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return SetTrailer(name, value, cch, replace); });
  if (name == nullptr || *name == '\0' || (value == nullptr && cch > 0) || has_crlf(name) ||
      !http::allowed_in_trailers(name)) {
    return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  }
  // After the last send nothing more can carry them.
  if (ctx_.exchange_last_sent_) return HRESULT_FROM_WIN32(ERROR_INVALID_STATE);
  std::string v(value != nullptr ? value : "", cch);
  if (v.find_first_of("\r\n") != std::string::npos) {
    return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  }
  auto& t = ctx_.trailers_;
  if (replace) std::erase_if(t, [&](const auto& f) { return http::iequals(f.first, name); });
  t.emplace_back(name, std::move(v));
  return S_OK;
}

// ---------------------------------------------------------------------------------------------
// Response: the body

namespace {
// The body entry points are called by module code: nothing may be thrown back into it.
template <class Call>
HRESULT no_throw(Call call) noexcept {
  try {
    return call();
  } catch (const std::bad_alloc&) {
    return E_OUTOFMEMORY;
  } catch (...) {
    HS_LOG_ERROR("internal error in a response-body call");
    return E_FAIL;
  }
}
}  // namespace

HRESULT ResponseImpl::WriteEntityChunks(HTTP_DATA_CHUNK* chunks, DWORD n, BOOL fAsync,
                                        BOOL fMoreData, DWORD* sent, BOOL* expected) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>(
        "IHttpResponse::WriteEntityChunks", HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
        [&] { return WriteEntityChunks(chunks, n, fAsync, fMoreData, sent, expected); });
  return no_throw(
      [&] { return ctx_.write(chunks, n, fAsync, fMoreData, CompletionTarget{}, sent, expected); });
}
HRESULT ResponseImpl::WriteEntityChunks(HTTP_DATA_CHUNK* chunks, DWORD n, BOOL fAsync,
                                        BOOL fMoreData, PFN_ASYNC_COMPLETION fn, VOID* fn_ctx,
                                        DWORD* sent, BOOL* expected) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>(
        "IHttpResponse::WriteEntityChunks", HRESULT_FROM_WIN32(ERROR_INVALID_STATE), [&] {
          return WriteEntityChunks(chunks, n, fAsync, fMoreData, fn, fn_ctx, sent, expected);
        });
  return no_throw([&] {
    return ctx_.write(chunks, n, fAsync, fMoreData, CompletionTarget{fn, fn_ctx}, sent, expected);
  });
}
HRESULT ResponseImpl::Flush(BOOL fAsync, BOOL fMoreData, DWORD* sent, BOOL* expected) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpResponse::Flush", HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return Flush(fAsync, fMoreData, sent, expected); });
  return no_throw(
      [&] { return ctx_.flush(fAsync, fMoreData, CompletionTarget{}, sent, expected); });
}
HRESULT ResponseImpl::Flush(BOOL fAsync, BOOL fMoreData, PFN_ASYNC_COMPLETION fn, VOID* fn_ctx,
                            DWORD* sent, BOOL* expected) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>(
        "IHttpResponse::Flush", HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
        [&] { return Flush(fAsync, fMoreData, fn, fn_ctx, sent, expected); });
  return no_throw([&] {
    return ctx_.flush(fAsync, fMoreData, CompletionTarget{fn, fn_ctx}, sent, expected);
  });
}
HRESULT ResponseImpl::WriteEntityChunkByReference(HTTP_DATA_CHUNK* chunk, LONG pos) {
  if (!ctx_.on_loop_thread())
    return ctx_.on_loop<HRESULT>("IHttpResponse::WriteEntityChunkByReference",
                                 HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                                 [&] { return WriteEntityChunkByReference(chunk, pos); });
  return no_throw([&] { return ctx_.write_by_reference(chunk, pos); });
}
HRESULT HttpContextImpl::write_by_reference(HTTP_DATA_CHUNK* chunk, LONG pos) {
  HttpContextImpl& c = *this;
  if (chunk == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  if (c.exchange_last_sent_ || c.no_more_data_) return HRESULT_FROM_WIN32(ERROR_INVALID_STATE);
  uint64_t total = 0;
  HRESULT hr = c.resolve(chunk, 1, &total);
  if (FAILED(hr)) return hr;
  c.sync_from_raw_response();
  if (c.buffered_.size() + 1 > kMaxBufferedChunks) {
    return HRESULT_FROM_WIN32(ERROR_ARITHMETIC_OVERFLOW);
  }
  // By reference: memory stays the module's (request lifetime, spec §5.1 #21), so nothing is
  // copied. Position 0 puts it first, -1 appends; other values are treated as an index (spec
  // §9.11, our decision).
  size_t at = pos < 0 || static_cast<size_t>(pos) > c.buffered_.size() ? c.buffered_.size()
                                                                       : static_cast<size_t>(pos);
  hr = c.buffer_resolved(at, /*copy=*/false);
  if (FAILED(hr)) return hr;
  if (total > 0) c.wrote_body_ = true;
  if (!c.buffering_ || c.buffered_bytes_ >= c.buffer_limit_) {
    return c.flush(FALSE, TRUE, CompletionTarget{}, nullptr, nullptr);
  }
  return S_OK;
}

// ---------------------------------------------------------------------------------------------
// Output items

const char* HttpContextImpl::OutItem::copy(const void* p, size_t n) {
  // Small copies share slabs (one allocation for many short writes): the first of an item is
  // 1 KiB — most responses are small, and malloc keeps blocks that size per thread — each next
  // one twice the last, up to 16 KiB. A large copy gets a slab of its own. Slabs never move, so
  // chunks may point into them.
  constexpr size_t kFirstSlab = 1024, kSlab = 16 * 1024;
  if (n > slab_left) {
    size_t shared = std::min(kSlab, kFirstSlab << std::min<size_t>(slabs.size(), 4));
    size_t size = n > shared / 4 ? n : shared;
    slabs.push_back(std::make_unique_for_overwrite<char[]>(size));
    char* block = slabs.back().get();
    if (size == n) {  // private slab: keep the current shared one for later small copies
      memcpy(block, p, n);
      copied += n;
      return block;
    }
    slab_pos = block;
    slab_left = size;
  }
  char* at = slab_pos;
  memcpy(at, p, n);
  slab_pos += n;
  slab_left -= n;
  copied += n;
  return at;
}

void HttpContextImpl::OutItem::take_storage(OutItem& from) {
  for (auto& s : from.slabs)
    slabs.push_back(std::move(s));
  for (auto& f : from.fds)
    fds.push_back(std::move(f));
  for (auto& b : from.blobs)
    blobs.push_back(std::move(b));
  for (auto& p : from.pins)
    pins.push_back(std::move(p));
  mirrors.insert(mirrors.end(), from.mirrors.begin(), from.mirrors.end());
  copied += from.copied;
  from.slabs.clear();
  from.fds.clear();
  from.blobs.clear();
  from.pins.clear();
  from.mirrors.clear();
  from.slab_pos = nullptr;
  from.slab_left = 0;
  from.copied = 0;
}

bool HttpContextImpl::OutItem::is_owned(const char* p) const {
  // Only fragment blobs are looked at: callers ask about chunks added without copies.
  return std::any_of(blobs.begin(), blobs.end(), [p](const FragmentCache::Blob& b) {
    return b && p >= b->data() && p < b->data() + b->size();
  });
}

void HttpContextImpl::OutItem::release() {
  fds.clear();  // the last reference to a duplicate closes it
  slabs.clear();
  blobs.clear();
  mirrors.clear();
  std::vector<http::SendCompletion> done = std::move(pins);
  pins.clear();
  for (http::SendCompletion& pin : done)
    pin(http::SendResult{true, 0});
  slab_pos = nullptr;
  slab_left = 0;
  copied = 0;
}

// ---------------------------------------------------------------------------------------------
// WriteEntityChunks / Flush

HRESULT HttpContextImpl::resolve(const HTTP_DATA_CHUNK* chunks, DWORD n, uint64_t* total) {
  scratch_.clear();
  *total = 0;
  return resolve_chunks(chunks, n, owner_.fragment_cache(), &scratch_, total);
}

HRESULT HttpContextImpl::check_backlog(uint64_t bytes) {
  if (backlog_limit_ == 0) {
    backlog_limit_ = std::max<uint64_t>(owner_.max_response_backlog(), 2ull * buffer_limit_);
  }
  if (backlog_ + bytes <= backlog_limit_) return S_OK;
  if (!backlog_warned_) {
    backlog_warned_ = true;
    HS_LOG_WARN(
        "%s %s: a synchronous write would hold %llu unsent response bytes (limit %llu): "
        "refused with ERROR_NOT_ENOUGH_QUOTA; write asynchronously (fAsync=TRUE) so the client's "
        "pace reaches the module (docs/response-body.md)",
        method_.c_str(), url_.c_str(), static_cast<unsigned long long>(backlog_ + bytes),
        static_cast<unsigned long long>(backlog_limit_));
  }
  return HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_QUOTA);
}

HttpContextImpl::DupFd::~DupFd() {
  close(fd);
}

HttpContextImpl::FdRef HttpContextImpl::duplicate(const ResolvedChunk& r) {
  // The module may close its descriptor once the call returns, so the server sends from a
  // duplicate. One duplicate per file (device + inode) serves every chunk of it: sendfile
  // takes explicit offsets, so sharing the file position is harmless. A few recent files are
  // remembered; older duplicates close when the last send using them is done.
  for (const DupCacheEntry& e : dups_) {
    if (e.fd && e.dev == r.dev && e.ino == r.ino) return e.fd;
  }
  int fd = dup(r.fd);
  if (fd < 0) {
    HS_LOG_WARN("WriteEntityChunks: cannot duplicate a file descriptor: %s", strerror(errno));
    return nullptr;
  }
  FdRef ref;
  try {
    ref = std::make_shared<DupFd>(fd);
  } catch (...) {
    close(fd);
    throw;
  }
  dups_[dup_next_] = DupCacheEntry{r.dev, r.ino, ref};
  dup_next_ = (dup_next_ + 1) % dups_.size();
  return ref;
}

// Replaces each file chunk's descriptor in scratch_ by the server's duplicate, appending one
// reference per distinct file to *refs. The only step of a write that can fail, so callers run
// it before changing anything.
bool HttpContextImpl::duplicate_scratch_fds(std::vector<FdRef>* refs) {
  const ResolvedChunk* prev = nullptr;
  for (ResolvedChunk& r : scratch_) {
    if (r.kind != ResolvedChunk::Kind::kFile || r.size == 0) continue;
    if (prev != nullptr && prev->dev == r.dev && prev->ino == r.ino) {
      r.fd = prev->fd;  // the same file as the chunk before: its duplicate serves
    } else {
      FdRef ref = duplicate(r);
      if (!ref) return false;
      r.fd = ref->fd;
      refs->push_back(std::move(ref));
    }
    prev = &r;
  }
  return true;
}

HRESULT HttpContextImpl::buffer_resolved(size_t at, bool copy) {
  std::vector<FdRef> refs;
  if (!duplicate_scratch_fds(&refs)) return HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY);
  // Appending (the usual case) goes straight into the live array; an insertion is built aside.
  std::vector<HTTP_DATA_CHUNK> aside;
  const bool append = at >= buffered_.size();
  std::vector<HTTP_DATA_CHUNK>& out = append ? buffered_ : aside;
  for (ResolvedChunk& r : scratch_) {
    if (r.size == 0) continue;
    HTTP_DATA_CHUNK c{};
    if (r.kind == ResolvedChunk::Kind::kFile) {
      c.DataChunkType = HttpDataChunkFromFileHandle;
      c.FromFileHandle.ByteRange.StartingOffset.QuadPart = r.offset;
      c.FromFileHandle.ByteRange.Length.QuadPart = r.size;  // TO_EOF resolved now
      c.FromFileHandle.FileHandle = reinterpret_cast<HANDLE>(static_cast<intptr_t>(r.fd));
    } else {
      // Memory: copied, unless it is a fragment (immutable, kept alive by its blob) or a
      // by-reference write (the module vouches for the memory).
      const char* p = r.data;
      if (r.fragment) {
        if (r.blob) buffer_.blobs.push_back(std::move(r.blob));
      } else if (copy) {
        p = buffer_.copy(r.data, r.size);
      }
      c.DataChunkType = HttpDataChunkFromMemory;
      c.FromMemory.pBuffer = const_cast<char*>(p);
      c.FromMemory.BufferLength = static_cast<ULONG>(r.size);
    }
    out.push_back(c);
    buffered_bytes_ += r.size;
  }
  if (!append) {
    buffered_.insert(buffered_.begin() + static_cast<ptrdiff_t>(at), aside.begin(), aside.end());
  }
  for (FdRef& ref : refs)
    buffer_.fds.push_back(std::move(ref));
  return S_OK;
}

// Moves the buffered body (the live HTTP_DATA_CHUNK array and its storage) into `item`.
void HttpContextImpl::move_buffer_into(OutItem& item) {
  sync_from_raw_response();
  for (const HTTP_DATA_CHUNK& c : buffered_) {
    if (chunk_type(c) == HttpDataChunkFromMemory) {
      if (c.FromMemory.BufferLength == 0) continue;
      item.chunks.push_back(
          http::BodyChunk::memory(c.FromMemory.pBuffer, c.FromMemory.BufferLength));
      item.bytes += c.FromMemory.BufferLength;
    } else {
      // Buffered file chunks carry their resolved length; only one a module rewrote to TO_EOF
      // in the raw array needs the file's size again.
      uint64_t start = c.FromFileHandle.ByteRange.StartingOffset.QuadPart;
      uint64_t len = c.FromFileHandle.ByteRange.Length.QuadPart;
      if (len == HTTP_BYTE_RANGE_TO_EOF &&
          FAILED(resolve_file_range(chunk_fd(c), start, len, &len))) {
        continue;
      }
      if (len == 0) continue;
      int fd = chunk_fd(c);
      auto m = std::find_if(buffer_.mirrors.begin(), buffer_.mirrors.end(),
                            [&](const OutItem::Mirror& x) { return x.fd == fd; });
      if (m != buffer_.mirrors.end() && start <= m->size && len <= m->size - start) {
        item.chunks.push_back(http::BodyChunk::memory(m->data + start, len));
      } else {
        item.chunks.push_back(http::BodyChunk::file(fd, start, len));
      }
      item.bytes += len;
    }
  }
  item.take_storage(buffer_);
  buffered_.clear();
  buffered_bytes_ = 0;
}

// An async write that completed inline, called without pfCompletionExpected: there is no
// out-parameter to say so, so a completion is posted (spec §6.4), after the caller returned.
void HttpContextImpl::post_write_completion(DWORD bytes, CompletionTarget target) {
  async_write_ = true;
  schedule([this, bytes, target] {
    async_write_ = false;
    deliver_async(bytes, S_OK, target, kOpWrite);
  });
}

HRESULT HttpContextImpl::write(HTTP_DATA_CHUNK* chunks, DWORD n, BOOL fAsync, BOOL fMoreData,
                               CompletionTarget target, DWORD* sent, BOOL* expected) {
  if (sent) *sent = 0;
  if (expected) *expected = FALSE;
  uint64_t total = 0;
  HRESULT hr = resolve(chunks, n, &total);
  if (FAILED(hr)) return hr;
  // Inside OnSendResponse a write joins the send being made (a response filter), even the last.
  if (exchange_last_sent_ || last_queued_ || (no_more_data_ && !in_send_response_))
    return HRESULT_FROM_WIN32(ERROR_INVALID_STATE);
  if (async_write_ || (async_read_ && !full_duplex_) || write_waiter_ != nullptr)
    return HRESULT_FROM_WIN32(ERROR_INVALID_STATE);
  if (ex_ == nullptr || connection_lost_) return HRESULT_FROM_WIN32(ERROR_CONNECTION_ABORTED);
  sync_from_raw_response();
  if (n == 0 && fMoreData) {
    // Nothing to write and more to come: a no-op (spec §6.1 [UNC], our decision).
    if (fAsync && expected == nullptr) post_write_completion(0, target);
    return S_OK;
  }
  const bool unbuffered = !buffering_ && !in_send_response_;
  // An unbuffered synchronous write from module code waits until its bytes are in the kernel
  // (THREADING), so it borrows the module's memory as an async one does.
  const bool sync_wait = unbuffered && !fAsync && host_ != nullptr && host_->can_wait();
  // Buffered writes are copied (memory) or duplicated (descriptors): the caller keeps nothing
  // alive (spec §6.7); unbuffered async (or waiting) writes borrow the memory until sent.
  const bool copy = !unbuffered || (!fAsync && !sync_wait);
  if (copy) {
    uint64_t copying = 0;
    for (const ResolvedChunk& r : scratch_)
      if (r.kind == ResolvedChunk::Kind::kMemory && !r.fragment) copying += r.size;
    hr = check_backlog(copying);
    if (FAILED(hr)) return hr;
  }
  if (buffered_.size() + scratch_.size() > kMaxBufferedChunks) {
    return HRESULT_FROM_WIN32(ERROR_ARITHMETIC_OVERFLOW);
  }
  uint64_t before = buffer_.copied;
  hr = buffer_resolved(buffered_.size(), copy);
  if (FAILED(hr)) return hr;
  backlog_ += buffer_.copied - before;
  if (total > 0) wrote_body_ = true;
  if (!fMoreData) no_more_data_ = true;
  if (!unbuffered) {
    if (buffered_bytes_ >= buffer_limit_ && !in_send_response_) {
      // Over the response buffer limit: WriteEntityChunks flushes itself (spec §6.2).
      hr = flush(FALSE, TRUE, CompletionTarget{}, nullptr, nullptr);
      if (FAILED(hr)) return hr;
    }
    if (sent) *sent = static_cast<DWORD>(total);
    if (fAsync && expected == nullptr) post_write_completion(static_cast<DWORD>(total), target);
    return S_OK;
  }
  // Unbuffered: what is buffered, then these chunks, go out now. The completion reports this
  // call's bytes, not those of earlier buffered writes sent along with them.
  return send_buffered(fAsync, target, total, sent, expected, sync_wait);
}

HRESULT HttpContextImpl::flush(BOOL fAsync, BOOL fMoreData, CompletionTarget target, DWORD* sent,
                               BOOL* expected) {
  if (sent) *sent = 0;
  if (expected) *expected = FALSE;
  // A last send already made or queued (behind one in flight): a second one would never leave
  // the queue, and the request would never be freed.
  if (exchange_last_sent_ || last_queued_) return HRESULT_FROM_WIN32(ERROR_INVALID_STATE);
  if (ex_ == nullptr || connection_lost_) return HRESULT_FROM_WIN32(ERROR_CONNECTION_ABORTED);
  // Inside OnSendResponse the send being made carries the buffer: nothing more to do.
  if (in_send_response_) return S_OK;
  if (write_waiter_ != nullptr || (fAsync && (async_write_ || (async_read_ && !full_duplex_)))) {
    return HRESULT_FROM_WIN32(ERROR_INVALID_STATE);
  }
  // A write with fMoreData=FALSE already ended the body: Flush(fMoreData=TRUE) cannot reopen it.
  if (!fMoreData) no_more_data_ = true;
  // A synchronous flush from module code returns once its bytes are in the kernel (THREADING).
  const bool sync_wait = !fAsync && host_ != nullptr && host_->can_wait();
  return send_buffered(fAsync, target, kReportItemBytes, sent, expected, sync_wait);
}

HRESULT HttpContextImpl::send_buffered(BOOL fAsync, CompletionTarget target, uint64_t reported,
                                       DWORD* sent, BOOL* expected, bool sync_wait) {
  // RQ_SEND_RESPONSE first: its subscribers see the status, headers and buffered body that are
  // about to go (GetRawHttpResponse) and may change any of them — Clear() and write a body of
  // their own, as a response filter does (IIS raises it inside the call, on the caller's thread).
  send_response_notifications(no_more_data_);
  if (ex_ == nullptr || connection_lost_) return HRESULT_FROM_WIN32(ERROR_CONNECTION_ABORTED);
  auto item = std::make_unique<OutItem>();
  move_buffer_into(*item);
  item->last = no_more_data_;
  if (item->last) last_queued_ = true;
  if (!headers_sent_) {
    prepare_head();
    headers_sent_ = true;
  }
  if (reported == kReportItemBytes) reported = item->bytes;  // Flush: every byte it sends
  body_bytes_sent_ += item->bytes;
  if (fAsync) {
    // The module's memory stays in use until the completion (spec §6.7).
    async_write_ = true;
    item->notify = true;
    item->reported = reported;
    item->target = target;
    if (expected) *expected = TRUE;
  } else if (sent) {
    *sent = static_cast<DWORD>(reported);
  }
  OutItem* mine = item.get();
  queue_.push_back(std::move(item));
  pump();
  if (!sync_wait) return S_OK;
  HRESULT hr = wait_until_sent(mine);
  if (FAILED(hr) && sent) *sent = 0;
  return hr;
}

HRESULT HttpContextImpl::wait_until_sent(const OutItem* item) {
  auto queued = [&] {
    return std::any_of(queue_.begin(), queue_.end(),
                       [&](const std::unique_ptr<OutItem>& q) { return q.get() == item; });
  };
  if (!queued()) return connection_lost_ ? HRESULT_FROM_WIN32(ERROR_CONNECTION_ABORTED) : S_OK;
  base::Waiter w;
  write_waiter_ = &w;
  write_wait_item_ = item;
  write_wait_ok_ = false;
  if (wait_here(w)) return write_wait_ok_ ? S_OK : HRESULT_FROM_WIN32(ERROR_CONNECTION_ABORTED);
  // No thread can take the loop over: the item keeps copies instead of the caller's memory.
  write_waiter_ = nullptr;
  write_wait_item_ = nullptr;
  for (std::unique_ptr<OutItem>& q : queue_) {
    if (q.get() != item) continue;
    for (http::BodyChunk& c : q->chunks) {
      if (c.kind == http::BodyChunk::Kind::kMemory && !q->is_owned(c.data)) {
        c.data = q->copy(c.data, c.size);
        backlog_ += c.size;
      }
    }
  }
  return S_OK;
}

void HttpContextImpl::send_response_notifications(bool last) {
  if (in_send_response_) return;  // a send made from OnSendResponse joins the one being made
  SendProvider p;
  p.headers_being_sent_ = !headers_sent_ && !headers_suppressed_;
  p.flags_ = (last ? 0 : HTTP_SEND_RESPONSE_FLAG_MORE_DATA) |
             (need_disconnect_ ? HTTP_SEND_RESPONSE_FLAG_DISCONNECT : 0);
  in_send_response_ = true;
  for (const ModuleRegistration* reg : owner_.registry().subscribers(RQ_SEND_RESPONSE, false)) {
    CHttpModule* m = instance(reg);
    if (m == nullptr) continue;
    REQUEST_NOTIFICATION_STATUS st = RQ_NOTIFICATION_CONTINUE;
    try {
      ModuleRegion region(host_, reg, exec_.now_ms());
      st = m->OnSendResponse(this, &p);
    } catch (...) {
      HS_LOG_ERROR("module %s threw in OnSendResponse", reg->name.c_str());
      st = RQ_NOTIFICATION_FINISH_REQUEST;
    }
    if (st == RQ_NOTIFICATION_PENDING) {
      HS_LOG_WARN("module %s returned PENDING from OnSendResponse; treated as CONTINUE",
                  reg->name.c_str());
    }
    if (st == RQ_NOTIFICATION_FINISH_REQUEST) {
      finish_ = true;
      break;
    }
  }
  in_send_response_ = false;
  if (p.flags_ & HTTP_SEND_RESPONSE_FLAG_DISCONNECT) need_disconnect_ = true;
}

void HttpContextImpl::prepare_head() {
  sync_from_raw_response();
  http::ResponseHead& r = ex_->response();
  r.status = status_;
  r.reason = reason_;
  // The connection's head may hold these fields already (core's static answer was written
  // there): when it holds a prefix of them, only the rest is added (Server, a filter's fields).
  std::span<const http::ResponseHeaders::Entry> have = r.headers.entries();
  size_t same = 0;
  while (same < have.size() && same < response_headers_.size() &&
         have[same].first == response_headers_[same].name &&
         have[same].second == response_headers_[same].value) {
    ++same;
  }
  if (same < have.size()) {
    r.headers.clear();
    same = 0;
  }
  for (size_t i = same; i < response_headers_.size(); ++i)
    r.headers.add(response_headers_[i].name, response_headers_[i].value);
  r.suppress_head = headers_suppressed_;
  r.add_server = false;  // ours to add (send_buffered), and a module may have removed it
  sync_trailers();
}

void HttpContextImpl::sync_trailers() {
  if (ex_ == nullptr) return;
  http::ResponseHeaders& t = ex_->response().trailers;
  t.clear();
  for (const auto& [name, value] : trailers_)
    t.add(name, value);
}

void HttpContextImpl::pump() {
  // Runs no module code (RQ_SEND_RESPONSE ran when the item was queued): the connection's send
  // completion calls it directly.
  if (send_outstanding_ || queue_.empty() || ex_ == nullptr) return;
  OutItem& item = *queue_.front();
  if (need_disconnect_) ex_->set_close_after();
  send_outstanding_ = true;
  if (item.last) {
    exchange_last_sent_ = true;
    if (!trailers_.empty()) sync_trailers();  // set after the head went out: HTTP/2 takes them
  }
  if (!ex_->send(item.chunks, item.last, [this](http::SendResult r) { on_sent(r); })) {
    // The connection failed or is being reset (a client gone between its failure and the
    // exchange's abort handler, which follows): a failed send, as in on_sent(). The context
    // stays until that abort handler has run. (A refusal that is a handler bug is the
    // session's to report.)
    HS_LOG_DEBUG("response send refused by the connection (closed or resetting)");
    send_outstanding_ = false;
    exchange_last_sent_ = false;
    connection_lost_ = true;
    fail_queued(true);
  }
}

void HttpContextImpl::on_sent(http::SendResult result) {
  // From the connection's flush: no module code here. A completion for the module follows in a
  // task of the request.
  send_outstanding_ = false;
  std::unique_ptr<OutItem> item = std::move(queue_.front());
  queue_.pop_front();
  backlog_ -= item->copied;
  item->release();  // descriptors closed and copies freed before the module hears of it
  if (item->last && result.ok) ex_ = nullptr;
  // The connection failed: a module's completion handler must already see IsConnected() FALSE
  // (the exchange's abort handler, which says so too, runs after this completion).
  if (!result.ok) connection_lost_ = true;  // the exchange is destroyed after this returns
  if (write_waiter_ != nullptr && write_wait_item_ == item.get()) {
    write_wait_ok_ = result.ok;
    base::Waiter* w = write_waiter_;
    write_waiter_ = nullptr;
    write_wait_item_ = nullptr;
    host_->wake(*w);
  }
  if (item->notify) {
    DWORD bytes = static_cast<DWORD>(result.ok ? item->reported : 0);
    HRESULT hr = result.ok ? S_OK : HRESULT_FROM_WIN32(ERROR_CONNECTION_ABORTED);
    CompletionTarget target = item->target;
    schedule([this, bytes, hr, target] {
      async_write_ = false;
      deliver_async(bytes, hr, target, kOpWrite);
    });
  }
  if (!result.ok) {
    fail_queued(true);
    return;
  }
  pump();
  maybe_destroy();
}

void HttpContextImpl::fail_queued(bool notify) {
  while (!queue_.empty()) {
    if (send_outstanding_) return;  // its completion (ok=false) comes from the exchange
    std::unique_ptr<OutItem> item = std::move(queue_.front());
    queue_.pop_front();
    backlog_ -= item->copied;
    if (write_waiter_ != nullptr && write_wait_item_ == item.get()) {
      write_wait_ok_ = false;
      base::Waiter* w = write_waiter_;
      write_waiter_ = nullptr;
      write_wait_item_ = nullptr;
      host_->wake(*w);
    }
    if (notify && item->notify) {
      CompletionTarget t = item->target;
      schedule([this, t] {
        async_write_ = false;
        deliver_async(0, HRESULT_FROM_WIN32(ERROR_CONNECTION_ABORTED), t, kOpWrite);
      });
    }
  }
}

}  // namespace hs::iis
