// Test module: one object is both the request factory and the global module. The server must
// call its Terminate exactly once (logged, source "rm_both": "terminate").
#include <httpserv.h>

namespace {

class Both : public IHttpModuleFactory, public CGlobalModule {
 public:
  HRESULT GetHttpModule(CHttpModule**, IModuleAllocator*) override { return E_NOTIMPL; }
  VOID Terminate() override {
    httpserv::log_write(HTTPSERV_LOG_INFO, "rm_both", "terminate");
    delete this;
  }
};

}  // namespace

HRESULT WINAPI RegisterModule(DWORD, IHttpModuleRegistrationInfo* pModuleInfo, IHttpServer*) {
  auto* both = new Both;
  HRESULT hr = pModuleInfo->SetRequestNotifications(both, RQ_END_REQUEST, 0);
  if (FAILED(hr)) return hr;
  return pModuleInfo->SetGlobalNotifications(both, GL_STOP_LISTENING);
}
