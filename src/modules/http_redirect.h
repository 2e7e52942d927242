#pragma once
// IIS's HttpRedirectionModule (<system.webServer><httpRedirect>). Registered only when some part
// of the configuration enables it (settings.h Needs::redirect).
//
// RQ_BEGIN_REQUEST, after RequestFilteringModule (a refused request is not redirected). Where
// <httpRedirect enabled="true"> applies, the request is answered with httpResponseStatus
// (Permanent 301, Found 302 — the default —, Temporary 307, PermRedirect 308), a Location
// and IIS's short "Object Moved" page, and skips to RQ_LOG_REQUEST:
//   - the first wildcard entry (<add wildcard destination>) whose pattern matches the URL wins;
//     '*' matches any run of characters; a pattern without '/' matches the last segment (the
//     file name), one with '/' the whole path. Its destination may use $S (the path below the
//     part's prefix), $V (the path), $Q ("?query" or nothing) and $P (the query, no '?');
//   - else destination: exactDestination="true" sends exactly it; otherwise the path below the
//     part's URL prefix (its <location>) and the query string are appended to it (IIS's
//     "relative to destination"); childOnly="true" redirects only requests for the part's own
//     directory, not for anything in its subdirectories.
// A Location equal to the request's own path and query is not sent (it would loop).
#include <httpserv.h>

#include <string>
#include <string_view>

#include "modules/settings.h"

namespace hs::modules {

// Where `path` (the decoded URL path) with `query` (no '?') under a part at `prefix` ("" for
// the site root) is redirected by `o`; empty: not redirected. Exposed for unit tests.
std::string redirect_location(const RedirectOptions& o, std::string_view prefix,
                              std::string_view path, std::string_view query);
// '*' wildcard match, ASCII case-insensitive (IIS's URLs are).
bool wildcard_match(std::string_view pattern, std::string_view text);

HRESULT register_http_redirection(DWORD version, IHttpModuleRegistrationInfo* info,
                                  IHttpServer* server);

}  // namespace hs::modules
