#pragma once
// IIS's HttpLoggingModule: one W3C extended log line per request, in IIS's field names and order,
// to the site's <logFile> (or the command line's --access-log file), written by LogWriter.
//
// Fields (logExtFileFlags; IIS 10's default set marked *), in IIS's order:
//   date* time* s-sitename s-computername s-ip* cs-method* cs-uri-stem* cs-uri-query* s-port*
//   cs-username* c-ip* cs-version cs(User-Agent)* cs(Cookie) cs(Referer)* cs-host sc-status*
//   sc-substatus* sc-win32-status* sc-bytes cs-bytes time-taken*, then the <customFields>.
// Times are UTC; an empty field is "-"; a space is written "+" (IIS's rule: a field never
// splits), and a control byte %XX, so that no request can forge a line or a field.
//
// RQ_LOG_REQUEST, priority LAST (after the other modules' log handlers changed what they would),
// registered only when some site logs. Child requests are not logged (their parent is).
// <httpLogging dontLog selectiveLogging> choose per location.
#include <httpserv.h>

#include <cstdint>
#include <string>
#include <vector>

#include "modules/settings.h"

namespace hs::modules {

// One site's log: which file, which fields.
struct SiteLog {
  size_t file = 0;  // LogWriter index
  uint32_t flags = kDefaultLogFlags;
  std::string site_name;  // s-sitename: "W3SVC<id>", or the site's name (logSiteId="false")
  uint32_t max_custom_field_length = 4096;
  std::vector<SiteLogOptions::CustomField> custom_fields;
};

// The #Fields directive for these settings.
std::string w3c_fields(uint32_t flags, const std::vector<SiteLogOptions::CustomField>& custom);

// What a line holds, for format_w3c (the module fills it from the request).
struct LogRecord {
  int64_t now_ms = 0;  // wall clock, UTC
  std::string_view site_name, computer_name, server_ip, method, uri_stem, uri_query, user_name,
      client_ip, version, user_agent, cookie, referer, host;
  uint16_t server_port = 0;
  unsigned status = 0, substatus = 0, win32_status = 0;
  uint64_t bytes_sent = 0, bytes_received = 0, time_taken_ms = 0;
  std::vector<std::string> custom;  // values of the custom fields, in order
};

// Appends the line (no line end) to *out.
void format_w3c(const SiteLog& log, const LogRecord& r, std::string* out);

HRESULT register_http_logging(DWORD version, IHttpModuleRegistrationInfo* info,
                              IHttpServer* server);

}  // namespace hs::modules
