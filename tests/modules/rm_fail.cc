// Test module: RegisterModule fails with E_FAIL.
#include <httpserv.h>

HRESULT WINAPI RegisterModule(DWORD, IHttpModuleRegistrationInfo*, IHttpServer*) {
  return E_FAIL;
}
