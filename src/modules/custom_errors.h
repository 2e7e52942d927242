#pragma once
// IIS's CustomErrorModule (<system.webServer><httpErrors>), on by default as in IIS.
//
// When a response with a status of 400 or more is about to be sent (its first RQ_SEND_RESPONSE,
// before the headers go), its body is replaced:
//   - errorMode="DetailedLocalOnly" (the default): a request from this machine (a loopback
//     client, or one whose address is the server's own) gets the detailed page, any other the
//     custom one; "Detailed": always the detailed page; "Custom": always the custom one.
//   - The detailed page is IIS's: "HTTP Error 404.8 - Not Found", what it means, the most
//     likely causes, things to try, and the detailed error information (module, handler,
//     requested URL, physical path, logon method and user), every value HTML-escaped.
//   - The custom page: the <error statusCode subStatusCode> entry that matches (the sub-status
//     first, then -1), else defaultPath/defaultResponseMode, else a short built-in page (what
//     IIS's custerr pages say). responseMode File: a file (prefixLanguageFilePath/<language>/path,
//     the languages of Accept-Language then en-US; a relative path is beneath the site root);
//     ExecuteURL: the site's static file at that URL; Redirect: a 302 to it.
//   - existingResponse: Auto (the default) leaves a response alone whose module called
//     SetStatus with fTrySkipCustomErrors; Replace replaces it anyway; PassThrough leaves every
//     response that has a body.
// Headers the response has stay (Allow, Retry-After, WWW-Authenticate, Content-Range...); its
// Content-Type becomes the page's, and a Content-Length or Content-Encoding a module set goes.
//
// RQ_SEND_RESPONSE, priority FIRST: it runs after every native module there (the order is
// reversed), so filters see the response as it was made and the client gets the page; the
// compression modules come after it. Registered always (it costs a status compare when the
// response is not an error).
#include <httpserv.h>

#include <memory>
#include <string>
#include <string_view>

#include "modules/settings.h"

namespace hs::modules {

struct ErrorPageInfo {
  unsigned status = 0, substatus = 0;
  std::string_view reason;
  std::string_view method, url, physical_path, handler, module;
  std::string_view more_information_link;
};

// IIS's detailed error page for `info` (HTML, every value escaped).
std::string detailed_error_page(const ErrorPageInfo& info);
// The short page a custom error without a configured one gets.
std::string builtin_error_page(unsigned status, unsigned substatus, std::string_view reason);
// "HTTP Error 404.8 - Not Found"'s explanation of one status and sub-status.
std::string_view error_description(unsigned status, unsigned substatus);

HRESULT register_custom_errors(DWORD version, IHttpModuleRegistrationInfo* info,
                               IHttpServer* server);

}  // namespace hs::modules
