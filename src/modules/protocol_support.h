#pragma once
// IIS's ProtocolSupportModule: <system.webServer><httpProtocol> and the client-cache part of
// <staticContent><clientCache>. Registered only when some part of the configuration sets one of
// them (settings.h Needs::protocol), so a default server pays nothing.
//
// RQ_SEND_RESPONSE, when the headers are about to go (priority FIRST, which runs last there:
// the headers are added to the response every native module made):
//   - <customHeaders>: every name/value is set on every response, replacing a field of the same
//     name (IIS appends a second one; see docs/iis-compat.md);
//   - <redirectHeaders>: likewise, on 3xx responses only;
//   - allowKeepAlive="false": the connection closes after the response (Connection: close);
//   - <clientCache>, on StaticFileModule's answers (200, 206 and 304): cacheControlMode
//     DisableCache gives "Cache-Control: no-cache", UseMaxAge "Cache-Control: max-age=N"
//     (cacheControlMaxAge in seconds), UseExpires "Expires: <httpExpires>" as written;
//     cacheControlCustom is appended to Cache-Control (or is all of it under NoControl);
//     setEtag="false" takes the ETag field out.
// Child requests are left alone: their response is the parent's body, not a response.
#include <httpserv.h>

namespace hs::modules {

HRESULT register_protocol_support(DWORD version, IHttpModuleRegistrationInfo* info,
                                  IHttpServer* server);

}  // namespace hs::modules
