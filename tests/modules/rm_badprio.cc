// Test module: asks for an unknown priority alias, logs what it got (source "rm_badprio",
// "priority 0x%08X", expected E_INVALIDARG) and fails RegisterModule with it, the usual
// `if (FAILED(hr)) return hr;` style.
#include <httpserv.h>

namespace {

class BadPrioFactory : public IHttpModuleFactory {
 public:
  HRESULT GetHttpModule(CHttpModule**, IModuleAllocator*) override { return E_NOTIMPL; }
  VOID Terminate() override {}  // static instance
};

}  // namespace

HRESULT WINAPI RegisterModule(DWORD, IHttpModuleRegistrationInfo* pModuleInfo, IHttpServer*) {
  static BadPrioFactory factory;  // not heap: the load fails, so nobody calls Terminate
  HRESULT hr = pModuleInfo->SetRequestNotifications(&factory, RQ_BEGIN_REQUEST, 0);
  if (FAILED(hr)) return hr;
  hr = pModuleInfo->SetPriorityForRequestNotification(RQ_BEGIN_REQUEST, L"URGENT");
  httpserv::log_printf(HTTPSERV_LOG_INFO, "rm_badprio", "priority 0x%08X",
                       static_cast<unsigned>(hr));
  return hr;
}
