#pragma once
// IIS's RequestFilteringModule (<system.webServer><security><requestFiltering>), built in and on
// by default with IIS's shipped rules (config::server_defaults()): hidden segments (web.config,
// bin, App_Data...), denied file extensions (.config, .cs, .mdb...), verbs, double escaping,
// URL and query-string sequences, header size limits and filtering rules. A refused request
// gets 404 with IIS's sub-status and skips to RQ_LOG_REQUEST (the response is still sent,
// custom errors apply, the log shows the sub-status):
//
//   404.5 denyUrlSequences  404.6 verbs     404.7 fileExtensions  404.8 hiddenSegments
//   404.10 headerLimits     404.11 double escaping                404.18 denyQueryStringSequences
//   404.19 filteringRules
//
// (404.12 high-bit characters, 404.13/14/15 requestLimits are the IIS layer's, checked as the
// request enters the pipeline: iis::RequestLimits.) RQ_BEGIN_REQUEST, priority FIRST, and
// registered before every native module: no module's BEGIN_REQUEST sees a refused request.
// With removeServerHeader somewhere, it also takes the Server field out in RQ_SEND_RESPONSE.
#include <httpserv.h>

#include <functional>
#include <string>
#include <string_view>

#include "modules/settings.h"

namespace hs::modules {

// The request as the rules see it.
class FilterRequest {
 public:
  virtual ~FilterRequest() = default;
  virtual std::string_view method() const = 0;
  virtual std::string_view raw_target() const = 0;  // as received
  virtual std::string_view url() const = 0;         // decoded, normalised path
  // False when the path did not decode (the static handler answers 400 for it).
  virtual bool url_decoded() const = 0;
  // The first value of a header (ASCII case-insensitive name), or null.
  virtual const std::string* header(std::string_view name) const = 0;
  virtual void for_each_header(
      const std::function<void(std::string_view name, std::string_view value)>& f) const = 0;
};

struct FilterVerdict {
  USHORT substatus = 0;  // 0: allowed
  const char* why = "";  // for the log line
};

// The rules applied to one request (pure: unit-tested without a server).
FilterVerdict filter_request(const FilteringOptions& f, const FilterRequest& r);

// RegisterModule of the built-in module.
HRESULT register_request_filtering(DWORD version, IHttpModuleRegistrationInfo* info,
                                   IHttpServer* server);

}  // namespace hs::modules
