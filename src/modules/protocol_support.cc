#include "modules/protocol_support.h"

#include <string>

#include "iis/request_context.h"
#include "modules/runtime.h"

namespace hs::modules {
namespace {

void set_header(IHttpResponse* r, const std::string& name, const std::string& value) {
  if (name.empty() || name.size() > 0xFFFF || value.size() > 0xFFFF) return;
  r->SetHeader(name.c_str(), value.c_str(), static_cast<USHORT>(value.size()), TRUE);
}

class ProtocolSupportModule final : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS OnSendResponse(IHttpContext* context,
                                             ISendResponseProvider* provider) override {
    if (!provider->GetHeadersBeingSent()) return RQ_NOTIFICATION_CONTINUE;
    auto* ctx = static_cast<iis::HttpContextImpl*>(context);
    if (ctx->is_child()) return RQ_NOTIFICATION_CONTINUE;
    const ProtocolOptions& p = path_config(*ctx).options.protocol;
    if (!p.any()) return RQ_NOTIFICATION_CONTINUE;
    IHttpResponse* r = ctx->GetResponse();
    const USHORT status = ctx->status();
    for (const auto& [name, value] : p.custom_headers)
      set_header(r, name, value);
    if (status >= 300 && status < 400) {
      for (const auto& [name, value] : p.redirect_headers)
        set_header(r, name, value);
    }
    if (!p.allow_keep_alive) r->SetNeedDisconnect();
    if (ctx->static_answer() && (status == 200 || status == 206 || status == 304)) {
      std::string cc;
      using Mode = ProtocolOptions::CacheMode;
      switch (p.cache_mode) {
        case Mode::kNoControl:
          break;
        case Mode::kDisableCache:
          cc = "no-cache";
          break;
        case Mode::kUseMaxAge:
          cc = "max-age=" + std::to_string(p.max_age_s);
          break;
        case Mode::kUseExpires:
          if (!p.http_expires.empty()) set_header(r, "Expires", p.http_expires);
          break;
      }
      if (!p.cache_control_custom.empty()) {
        if (!cc.empty()) cc += ", ";
        cc += p.cache_control_custom;
      }
      if (!cc.empty()) set_header(r, "Cache-Control", cc);
      if (!p.set_etag) r->DeleteHeader("ETag");
    }
    return RQ_NOTIFICATION_CONTINUE;
  }

  VOID Dispose() override {}  // shared by every request (SharedModuleFactory)
};

}  // namespace

HRESULT register_protocol_support(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  static SharedModuleFactory<ProtocolSupportModule> factory;
  HRESULT hr = info->SetRequestNotifications(&factory, RQ_SEND_RESPONSE, 0);
  if (FAILED(hr)) return hr;
  return info->SetPriorityForRequestNotification(RQ_SEND_RESPONSE, PRIORITY_ALIAS_FIRST);
}

}  // namespace hs::modules
