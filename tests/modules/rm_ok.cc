// Test module: a well-behaved module with a request factory and a global module.
//
// Subscribes RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER | RQ_SEND_RESPONSE, post
// RQ_BEGIN_REQUEST, and GL_PRE_BEGIN_REQUEST | GL_CUSTOM_NOTIFICATION. Priority for
// RQ_BEGIN_REQUEST is HIGH, unless the configured name ends in "-<ALIAS>" (e.g. "a-FIRST"):
// then that alias is used for RQ_BEGIN_REQUEST, RQ_SEND_RESPONSE, post RQ_BEGIN_REQUEST and
// GL_PRE_BEGIN_REQUEST, so one image loaded under several names yields several priorities.
//
// Everything observable is logged through HttpservLogWrite with source "rm_ok":
//   "register <name> version=<v> id=<p>"     from RegisterModule
//   "factory terminate <name>"               from IHttpModuleFactory::Terminate
//   "global terminate <name>"                from CGlobalModule::Terminate
//   "custom <name> <type>"                   from OnGlobalCustomNotification
// A name containing "handled" makes OnGlobalCustomNotification return GL_NOTIFICATION_HANDLED.
#include <httpserv.h>

#include <cstring>
#include <cwchar>
#include <string>

namespace {

std::string narrow_ascii(PCWSTR w) {
  std::string s;
  for (; w != nullptr && *w != L'\0'; ++w)
    s.push_back(*w < 0x80 ? static_cast<char>(*w) : '?');
  return s;
}

class OkModule : public CHttpModule {};

class OkFactory : public IHttpModuleFactory {
 public:
  explicit OkFactory(std::string name) : name_(std::move(name)) {}
  HRESULT GetHttpModule(CHttpModule** ppModule, IModuleAllocator*) override {
    *ppModule = new OkModule;
    return S_OK;
  }
  VOID Terminate() override {
    httpserv::log_printf(HTTPSERV_LOG_INFO, "rm_ok", "factory terminate %s", name_.c_str());
    delete this;
  }

 private:
  std::string name_;
};

class OkGlobal : public CGlobalModule {
 public:
  explicit OkGlobal(std::string name) : name_(std::move(name)) {}
  GLOBAL_NOTIFICATION_STATUS OnGlobalPreBeginRequest(IPreBeginRequestProvider*) override {
    return GL_NOTIFICATION_CONTINUE;
  }
  GLOBAL_NOTIFICATION_STATUS OnGlobalCustomNotification(
      ICustomNotificationProvider* pProvider) override {
    httpserv::log_printf(HTTPSERV_LOG_INFO, "rm_ok", "custom %s %s", name_.c_str(),
                         narrow_ascii(pProvider->QueryNotificationType()).c_str());
    return name_.find("handled") != std::string::npos ? GL_NOTIFICATION_HANDLED
                                                      : GL_NOTIFICATION_CONTINUE;
  }
  VOID Terminate() override {
    httpserv::log_printf(HTTPSERV_LOG_INFO, "rm_ok", "global terminate %s", name_.c_str());
    delete this;
  }

 private:
  std::string name_;
};

// The alias after the last '-' of the name, or null.
PCWSTR alias_from_name(PCWSTR name) {
  const wchar_t* dash = std::wcsrchr(name, L'-');
  return dash != nullptr ? dash + 1 : nullptr;
}

}  // namespace

HRESULT WINAPI RegisterModule(DWORD dwServerVersion, IHttpModuleRegistrationInfo* pModuleInfo,
                              IHttpServer* pGlobalInfo) {
  (void)pGlobalInfo;
  const std::string name = narrow_ascii(pModuleInfo->GetName());
  httpserv::log_printf(HTTPSERV_LOG_INFO, "rm_ok", "register %s version=%u id=%p", name.c_str(),
                       dwServerVersion, pModuleInfo->GetId());

  HRESULT hr = pModuleInfo->SetRequestNotifications(
      new OkFactory(name), RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER | RQ_SEND_RESPONSE,
      RQ_BEGIN_REQUEST);
  if (FAILED(hr)) return hr;
  hr = pModuleInfo->SetGlobalNotifications(new OkGlobal(name),
                                           GL_PRE_BEGIN_REQUEST | GL_CUSTOM_NOTIFICATION);
  if (FAILED(hr)) return hr;

  PCWSTR alias = alias_from_name(pModuleInfo->GetName());
  if (alias == nullptr)
    return pModuleInfo->SetPriorityForRequestNotification(RQ_BEGIN_REQUEST, PRIORITY_ALIAS_HIGH);
  hr = pModuleInfo->SetPriorityForRequestNotification(RQ_BEGIN_REQUEST, alias);
  if (FAILED(hr)) return hr;
  hr = pModuleInfo->SetPriorityForRequestNotification(RQ_SEND_RESPONSE, alias);
  if (FAILED(hr)) return hr;
  hr = pModuleInfo->SetPriorityForGlobalNotification(GL_PRE_BEGIN_REQUEST, alias);
  if (FAILED(hr)) return hr;
  auto* info2 = static_cast<IHttpModuleRegistrationInfo2*>(pModuleInfo);
  return info2->SetPriorityForPostRequestNotification(RQ_BEGIN_REQUEST, alias);
}
