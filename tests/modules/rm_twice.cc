// Test module: probes the registration-info rules and logs every result (source "rm_twice"):
//   "second SetRequestNotifications 0x%08X"      (expected ERROR_ALREADY_EXISTS)
//   "second SetGlobalNotifications 0x%08X"       (expected ERROR_ALREADY_EXISTS)
//   "multi-bit priority 0x%08X"                  (expected E_INVALIDARG)
//   "unknown-bit priority 0x%08X"                (expected E_INVALIDARG)
//   "post priority on RQ_SEND_RESPONSE 0x%08X"   (expected E_INVALIDARG: no post event)
//   "lowercase alias 0x%08X"                     (expected S_OK: aliases are case-insensitive)
// It keeps pModuleInfo; the test calls the exported rm_twice_late_call() after RegisterModule
// returned, which must get E_UNEXPECTED.
#include <httpserv.h>

namespace {

IHttpModuleRegistrationInfo2* g_info = nullptr;

class TwiceFactory : public IHttpModuleFactory {
 public:
  HRESULT GetHttpModule(CHttpModule**, IModuleAllocator*) override { return E_NOTIMPL; }
  VOID Terminate() override {
    httpserv::log_write(HTTPSERV_LOG_INFO, "rm_twice", "factory terminate");
    delete this;
  }
};

class TwiceGlobal : public CGlobalModule {
 public:
  VOID Terminate() override {
    httpserv::log_write(HTTPSERV_LOG_INFO, "rm_twice", "global terminate");
    delete this;
  }
};

void report(const char* what, HRESULT hr) {
  httpserv::log_printf(HTTPSERV_LOG_INFO, "rm_twice", "%s 0x%08X", what, static_cast<unsigned>(hr));
}

}  // namespace

extern "C" __attribute__((visibility("default"))) HRESULT rm_twice_late_call() {
  if (g_info == nullptr) return E_POINTER;
  return g_info->SetRequestNotifications(nullptr, 0, 0);
}

extern "C" __attribute__((visibility("default"))) HRESULT rm_twice_late_priority() {
  if (g_info == nullptr) return E_POINTER;
  return g_info->SetPriorityForRequestNotification(RQ_BEGIN_REQUEST, PRIORITY_ALIAS_LOW);
}

HRESULT WINAPI RegisterModule(DWORD, IHttpModuleRegistrationInfo* pModuleInfo, IHttpServer*) {
  g_info = static_cast<IHttpModuleRegistrationInfo2*>(pModuleInfo);
  auto* factory = new TwiceFactory;
  HRESULT hr = pModuleInfo->SetRequestNotifications(factory, RQ_BEGIN_REQUEST, 0);
  if (FAILED(hr)) return hr;
  auto* other = new TwiceFactory;
  hr = pModuleInfo->SetRequestNotifications(other, RQ_END_REQUEST, 0);
  report("second SetRequestNotifications", hr);
  if (FAILED(hr)) delete other;  // not registered: ours to free

  auto* global = new TwiceGlobal;
  hr = pModuleInfo->SetGlobalNotifications(global, GL_PRE_BEGIN_REQUEST);
  if (FAILED(hr)) return hr;
  auto* other_global = new TwiceGlobal;
  hr = pModuleInfo->SetGlobalNotifications(other_global, GL_STOP_LISTENING);
  report("second SetGlobalNotifications", hr);
  if (FAILED(hr)) delete other_global;

  report("multi-bit priority", pModuleInfo->SetPriorityForRequestNotification(
                                   RQ_BEGIN_REQUEST | RQ_END_REQUEST, PRIORITY_ALIAS_LOW));
  report("unknown-bit priority",
         pModuleInfo->SetPriorityForRequestNotification(0x00001000, PRIORITY_ALIAS_LOW));
  report("post priority on RQ_SEND_RESPONSE",
         g_info->SetPriorityForPostRequestNotification(RQ_SEND_RESPONSE, PRIORITY_ALIAS_LOW));
  report("lowercase alias",
         pModuleInfo->SetPriorityForRequestNotification(RQ_BEGIN_REQUEST, L"last"));
  return S_OK;
}
