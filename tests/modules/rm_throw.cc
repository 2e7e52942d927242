// Test module: RegisterModule throws a C++ exception (the server must contain it).
#include <httpserv.h>

#include <stdexcept>

HRESULT WINAPI RegisterModule(DWORD, IHttpModuleRegistrationInfo*, IHttpServer*) {
  throw std::runtime_error("boom from rm_throw");
}
