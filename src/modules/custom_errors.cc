#include "modules/custom_errors.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "base/log.h"
#include "http/mime.h"
#include "http/status.h"
#include "iis/request_context.h"
#include "iis/wide.h"
#include "modules/html.h"
#include "modules/runtime.h"

namespace hs::modules {
namespace {

struct Explanation {
  unsigned status;
  int substatus;  // -1: the status's general text
  const char* what;
  const char* causes;  // '|'-separated list items
  const char* tries;
  const char* module;  // the module that sets it, when it is always the same one
};

// IIS's wording, for the statuses and sub-statuses this server produces.
constexpr Explanation kExplanations[] = {
    {400, -1, "The request could not be understood by the server due to malformed syntax.",
     "The request was not well-formed HTTP.", "Check the client that sent it.", ""},
    {401, -1,
     "You do not have permission to view this directory or page using the credentials that you "
     "supplied.",
     "No authentication header was sent, or the credentials were refused.",
     "Verify the credentials.", ""},
    {403, -1, "You do not have permission to view this directory or page.",
     "The file system or the site's configuration refuses access.|A symbolic link leads outside "
     "the site's root.",
     "Check the permissions of the file and its directories.", ""},
    {403, 14, "The Web server is configured to not list the contents of this directory.",
     "A default document is not configured for the requested URL, and directory browsing is not "
     "enabled on the server.",
     "If you do not want to enable directory browsing, ensure that a default document is "
     "configured and that the file exists.|Enable directory browsing (<directoryBrowse "
     "enabled=\"true\"/>).",
     "DirectoryListingModule"},
    {404, -1,
     "The resource you are looking for has been removed, had its name changed, or is temporarily "
     "unavailable.",
     "The directory or file specified does not exist on the Web server.|The URL contains a "
     "typographical error.",
     "Create the content on the Web server.|Review the browser URL.", ""},
    {404, 0,
     "The resource you are looking for has been removed, had its name changed, or is temporarily "
     "unavailable.",
     "The directory or file specified does not exist on the Web server.|The URL contains a "
     "typographical error.",
     "Create the content on the Web server.|Review the browser URL.", ""},
    {404, 3,
     "The page you are requesting cannot be served because of the extension configuration. If the "
     "page is a script, add a handler. If the file should be downloaded, add a MIME map.",
     "It is possible that a handler mapping is missing.|The feature you are trying to use may not "
     "be installed.|The appropriate MIME map is not enabled for the Web site or application.",
     "Add a MIME map for the file's extension (<staticContent><mimeMap fileExtension=... "
     "mimeType=.../>), or a handler mapping for it.",
     "StaticFileModule"},
    {404, 5, "The request filtering module is configured to deny the URL sequence.",
     "Request filtering is configured for the Web server and the URL sequence is denied.",
     "Verify the configuration/system.webServer/security/requestFiltering/denyUrlSequences "
     "settings.",
     "RequestFilteringModule"},
    {404, 6, "The request filtering module is configured to deny the HTTP verb.",
     "Request filtering is configured for the Web server and the verb for this request is denied.",
     "Verify the configuration/system.webServer/security/requestFiltering/verbs settings.",
     "RequestFilteringModule"},
    {404, 7, "The request filtering module is configured to deny the file extension.",
     "Request filtering is configured for the Web server and the file extension for this request "
     "is explicitly denied.",
     "Verify the configuration/system.webServer/security/requestFiltering/fileExtensions settings.",
     "RequestFilteringModule"},
    {404, 8,
     "The request filtering module is configured to deny a path in the URL that contains a "
     "hiddenSegment section.",
     "Request filtering is configured for the Web server and the request contained a hidden "
     "segment.",
     "Verify the configuration/system.webServer/security/requestFiltering/hiddenSegments settings.",
     "RequestFilteringModule"},
    {404, 10,
     "The request filtering module is configured to deny a request whose header is too long.",
     "Request filtering is configured for the Web server and a header of this request is over its "
     "limit.",
     "Verify the "
     "configuration/system.webServer/security/requestFiltering/requestLimits/headerLimits "
     "settings.",
     "RequestFilteringModule"},
    {404, 11,
     "The request filtering module is configured to deny a request that contains a double escape "
     "sequence.",
     "The request contained a double escape sequence and request filtering is configured on the "
     "Web server to deny double escape sequences.",
     "Verify the configuration/system.webServer/security/requestFiltering@allowDoubleEscaping "
     "setting.",
     "RequestFilteringModule"},
    {404, 12,
     "The request filtering module is configured to deny a request that contains high bit "
     "characters.",
     "The request contained high bit characters and request filtering is configured on the Web "
     "server to deny them.",
     "Verify the configuration/system.webServer/security/requestFiltering@allowHighBitCharacters "
     "setting.",
     "RequestFilteringModule"},
    {404, 14,
     "The request filtering module is configured to deny a request where the URL is too long.",
     "Request filtering is configured on the Web server to deny the request because the URL is too "
     "long.",
     "Verify the configuration/system.webServer/security/requestFiltering/requestLimits@maxUrl "
     "setting.",
     "RequestFilteringModule"},
    {404, 15,
     "The request filtering module is configured to deny a request where the query string is too "
     "long.",
     "Request filtering is configured on the Web server to deny the request because the query "
     "string is too long.",
     "Verify the "
     "configuration/system.webServer/security/requestFiltering/requestLimits@maxQueryString "
     "setting.",
     "RequestFilteringModule"},
    {404, 18,
     "The request filtering module is configured to deny a request that contains a denied query "
     "string sequence.",
     "Request filtering is configured for the Web server and the query string sequence is denied.",
     "Verify the configuration/system.webServer/security/requestFiltering/denyQueryStringSequences "
     "settings.",
     "RequestFilteringModule"},
    {404, 19,
     "The request filtering module is configured to deny a request that matches a filtering rule.",
     "Request filtering is configured for the Web server and a filtering rule denied the request.",
     "Verify the configuration/system.webServer/security/requestFiltering/filteringRules settings.",
     "RequestFilteringModule"},
    {405, -1,
     "The page you are looking for cannot be displayed because an invalid method (HTTP verb) is "
     "being used.",
     "The request sent to the Web server used an HTTP verb that is not allowed by the module "
     "configured to handle the request.",
     "Ensure that the verb is allowed by the handler mapping and the module that handles the URL.",
     ""},
    {406, -1,
     "The resource cannot be displayed because the file extension is not being accepted by your "
     "browser.",
     "The request was for a content type the client does not accept.", "Verify the Accept header.",
     ""},
    {408, -1, "The server timed out waiting for the request.",
     "The client was too slow to send it.", "Retry the request.", ""},
    {411, -1, "The request must be chunked or have a content length.",
     "A body came without framing.", "Send a Content-Length or chunked body.", ""},
    {412, -1, "The request was not completed due to preconditions that are set in the request.",
     "A precondition header (If-Match, If-Unmodified-Since) did not hold.",
     "Check the request's conditional headers.", ""},
    {413, -1, "The page was not displayed because the request entity is too large.",
     "The request body is over the site's maxAllowedContentLength.",
     "Verify the "
     "configuration/system.webServer/security/requestFiltering/"
     "requestLimits@maxAllowedContentLength setting.",
     "RequestFilteringModule"},
    {416, -1, "The requested range is not satisfiable.",
     "The Range header asks for bytes past the end of the file.",
     "Request a range inside the file.", ""},
    {500, -1, "The page cannot be displayed because an internal server error has occurred.",
     "A module failed, threw an exception or did not complete the request in time.",
     "Look in the server's error log for the module named there.", ""},
    {501, -1,
     "The page you are looking for cannot be displayed because a header value in the request does "
     "not match certain configuration settings on the Web server.",
     "The request used a feature the server does not implement.", "Check the request.", ""},
    {502, -1, "Web server received an invalid response while acting as a gateway or proxy server.",
     "A module forwarding the request got a bad answer.",
     "Check the server the request was forwarded to.", ""},
    {503, -1, "The service is unavailable.", "The server is too busy or is stopping.",
     "Retry the request later.", ""},
};

const Explanation* explain(unsigned status, unsigned substatus) {
  const Explanation* general = nullptr;
  for (const Explanation& e : kExplanations) {
    if (e.status != status) continue;
    if (e.substatus == static_cast<int>(substatus)) return &e;
    if (e.substatus == -1) general = &e;
  }
  return general;
}

// Text of a page: control bytes as U+FFFD, tabs kept.
void escape_html(std::string* out, std::string_view s) {
  modules::escape_html(out, s, "&#xFFFD;", true);
}

void list_items(std::string* out, std::string_view items) {
  *out += "<ul>";
  while (!items.empty()) {
    size_t bar = items.find('|');
    *out += "<li>";
    escape_html(out, items.substr(0, bar));
    *out += "</li>";
    items = bar == std::string_view::npos ? std::string_view() : items.substr(bar + 1);
  }
  *out += "</ul>";
}

std::string status_text(unsigned status, unsigned substatus, std::string_view reason) {
  char code[32];
  snprintf(code, sizeof code, "%u.%u", status, substatus);
  std::string r(reason.empty() ? http::reason_phrase(static_cast<int>(status)) : reason);
  return std::string(code) + " - " + r;
}

constexpr const char kStyle[] =
    "body{margin:0;font-size:.7em;font-family:Verdana,Arial,Helvetica,sans-serif;}"
    "code{margin:0;color:#006600;font-size:1.1em;font-weight:bold;}"
    ".config_source code{font-size:.8em;color:#000000;}"
    "pre{margin:0;font-size:1.4em;word-wrap:break-word;}"
    "ul,ol{margin:10px 0 10px 5px;}ul.first,ol.first{margin-top:5px;}"
    "fieldset{padding:0 15px 10px 15px;word-break:break-all;}"
    ".summary-container fieldset{padding-bottom:5px;margin-top:4px;}"
    "legend.no-expand-all{padding:2px 15px 4px 10px;margin:0 0 0 -12px;}"
    "legend{color:#333333;;margin:4px 0 8px -12px;_margin-top:0px;font-weight:bold;font-size:1em;}"
    "a:link,a:visited{color:#007EFF;font-weight:bold;}a:hover{text-decoration:none;}"
    "h1{font-size:2.4em;margin:0;color:#FFF;}h2{font-size:1.7em;margin:0;color:#CC0000;}"
    "h3{font-size:1.4em;margin:10px 0 0 0;color:#CC0000;}"
    "h4{font-size:1.2em;margin:10px 0 5px 0;}"
    "#header{width:96%;margin:0 0 0 0;padding:6px 2% 6px 2%;font-family:\"trebuchet MS\",Verdana,"
    "sans-serif;color:#FFF;background-color:#5C87B2;}"
    "#content{margin:0 0 0 2%;position:relative;}"
    ".summary-container,.content-container{background:#FFF;width:96%;margin-top:8px;padding:10px;"
    "position:relative;}"
    ".content-container p{margin:0 0 10px 0;}"
    "#details-left{width:35%;float:left;margin-right:2%;}"
    "#details-right{width:63%;float:left;overflow:hidden;}"
    "#server_version{width:96%;_height:1px;min-height:1px;margin:0 0 5px 0;padding:11px 2% 8px 2%;"
    "color:#FFFFFF;background-color:#5A7FA5;border-bottom:1px solid #C1CFDD;border-top:1px solid "
    "#4A6C8E;font-weight:normal;font-size:1em;color:#FFF;text-align:right;}"
    "#server_version p{margin:5px 0;}"
    "table{margin:4px 0 4px 0;width:100%;border:none;}"
    "td,th{vertical-align:top;padding:3px 0;text-align:left;font-weight:normal;border:none;}"
    "th{width:30%;text-align:right;padding-right:2%;font-weight:bold;}"
    "thead th{background-color:#ebebeb;width:25%;}"
    "#details-right th{width:20%;}"
    "table tr.alt td,table tr.alt th{}"
    ".clear{clear:both;}"
    ".preferred{padding:0 5px 2px 5px;font-weight:normal;background:#006633;color:#FFF;"
    "font-size:.8em;}";

}  // namespace

std::string_view error_description(unsigned status, unsigned substatus) {
  const Explanation* e = explain(status, substatus);
  return e != nullptr ? e->what : "The server could not complete the request.";
}

std::string detailed_error_page(const ErrorPageInfo& info) {
  const Explanation* e = explain(info.status, info.substatus);
  std::string code = status_text(info.status, info.substatus, info.reason);
  std::string module(info.module);
  if (module.empty() && e != nullptr) module = e->module;
  std::string out;
  out.reserve(6000);
  out +=
      "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
      "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n"
      "<html xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
      "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"/>\n<title>httpserv "
      "Detailed Error - ";
  escape_html(&out, code);
  out += "</title>\n<style type=\"text/css\"><!--\n";
  out += kStyle;
  out +=
      "\n--></style>\n</head>\n<body>\n<div id=\"content\">\n<div "
      "class=\"content-container\">\n<h3>HTTP Error ";
  escape_html(&out, code);
  out += "</h3>\n<h4>";
  escape_html(&out, error_description(info.status, info.substatus));
  out += "</h4>\n</div>\n";
  if (e != nullptr) {
    out += "<div class=\"content-container\">\n<fieldset><h4>Most likely causes:</h4>";
    list_items(&out, e->causes);
    out +=
        "</fieldset>\n</div>\n<div class=\"content-container\">\n<fieldset><h4>Things you can "
        "try:</h4>";
    list_items(&out, e->tries);
    out += "</fieldset>\n</div>\n";
  }
  auto row = [&](bool alt, std::string_view name, std::string_view value) {
    out += alt ? "<tr class=\"alt\"><th>" : "<tr><th>";
    out += name;
    out += "</th><td>&nbsp;&nbsp;&nbsp;";
    escape_html(&out, value.empty() ? std::string_view("-") : value);
    out += "</td></tr>\n";
  };
  out +=
      "<div class=\"content-container\">\n<fieldset><h4>Detailed Error Information:</h4>\n"
      "<div id=\"details-left\">\n<table border=\"0\" cellpadding=\"0\" cellspacing=\"0\">\n";
  row(true, "Module", module);
  row(false, "Handler", info.handler);
  row(true, "Error Code", "0x00000000");
  out +=
      "</table>\n</div>\n<div id=\"details-right\">\n"
      "<table border=\"0\" cellpadding=\"0\" cellspacing=\"0\">\n";
  row(true, "Requested URL", info.url);
  row(false, "Physical Path", info.physical_path);
  row(true, "Logon Method", "Anonymous");
  row(false, "Logon User", "Anonymous");
  out += "</table>\n<div class=\"clear\"></div>\n</div>\n</fieldset>\n</div>\n";
  if (!info.more_information_link.empty()) {
    char query[64];
    snprintf(query, sizeof query, "&IIS70Error=%u,%u,0x00000000", info.status, info.substatus);
    out +=
        "<div class=\"content-container\">\n<fieldset><h4>More Information:</h4>\n"
        "This error's status and sub-status are in the access log (sc-status, sc-substatus).\n"
        "<p><a href=\"";
    escape_html(&out, std::string(info.more_information_link) + query);
    out += "\">View more information &raquo;</a></p>\n</fieldset>\n</div>\n";
  }
  out += "</div>\n</body>\n</html>\n";
  return out;
}

std::string builtin_error_page(unsigned status, unsigned substatus, std::string_view reason) {
  std::string r(reason.empty() ? http::reason_phrase(static_cast<int>(status)) : reason);
  std::string out =
      "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
      "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n"
      "<html xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
      "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"/>\n<title>";
  escape_html(&out, std::to_string(status) + " - " + r);
  out +=
      "</title>\n<style type=\"text/css\"><!--\nbody{margin:0;font-size:.7em;font-family:Verdana, "
      "Arial, Helvetica, sans-serif;background:#EEEEEE;}\nfieldset{padding:0 15px 10px 15px;}\n"
      "h1{font-size:2.4em;margin:0;color:#FFF;}\nh2{font-size:1.7em;margin:0;color:#CC0000;}\n"
      "h3{font-size:1.2em;margin:10px 0 0 0;color:#000000;}\n#header{width:96%;margin:0 0 0 0;"
      "padding:6px 2% 6px 2%;font-family:\"trebuchet MS\", Verdana, sans-serif;color:#FFF;"
      "background-color:#555555;}\n#content{margin:0 0 0 2%;position:relative;}\n"
      ".content-container{background:#FFF;width:96%;margin-top:8px;padding:10px;"
      "position:relative;}\n--></style>\n</head>\n<body>\n<div id=\"header\"><h1>Server "
      "Error</h1></div>\n<div id=\"content\">\n <div class=\"content-container\"><fieldset>\n  "
      "<h2>";
  escape_html(&out, std::to_string(status) + " - " + r + ".");
  out += "</h2>\n  <h3>";
  escape_html(&out, error_description(status, substatus));
  out += "</h3>\n </fieldset></div>\n</div>\n</body>\n</html>\n";
  return out;
}

namespace {

bool is_local(std::string_view remote, std::string_view local) {
  if (remote == local) return true;
  if (remote.starts_with("::ffff:")) remote.remove_prefix(7);
  return remote.starts_with("127.") || remote == "::1";
}

// The path of a File-mode page: absolute as given, else beneath the site's root (IIS accepts a
// relative path only there). Backslashes (a Windows configuration) become '/'.
std::string resolve_file(const std::string& site_root, std::string path) {
  std::replace(path.begin(), path.end(), '\\', '/');
  if (path.empty() || path[0] == '/') return path;
  std::string out = site_root;
  if (out.empty() || out.back() != '/') out += '/';
  // Lexically: a relative path may not climb out of the root.
  std::vector<std::string> segs;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string seg = path.substr(i, j - i);
    if (seg == "..") {
      if (segs.empty()) return {};
      segs.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segs.push_back(seg);
    }
    i = j + 1;
  }
  for (size_t k = 0; k < segs.size(); ++k)
    out += (k ? "/" : "") + segs[k];
  return out;
}

std::vector<std::string> languages(const std::string* accept) {
  std::vector<std::string> out;
  std::string_view v = accept != nullptr ? std::string_view(*accept) : std::string_view();
  while (!v.empty() && out.size() < 5) {
    size_t comma = v.find(',');
    std::string_view item = v.substr(0, comma);
    item = item.substr(0, item.find(';'));
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    bool ok = !item.empty() && item != "*" && item.size() <= 16 &&
              item.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") ==
                  std::string_view::npos;
    if (ok) out.emplace_back(item);
    v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
  }
  out.emplace_back("en-US");
  return out;
}

std::string_view content_type_of(std::string_view path) {
  static const http::MimeMap* const map = new http::MimeMap();  // immortal, read-only
  return map->lookup(path);
}

class CustomErrorModule final : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS OnSendResponse(IHttpContext* context,
                                             ISendResponseProvider* provider) override {
    if (!provider->GetHeadersBeingSent()) return RQ_NOTIFICATION_CONTINUE;
    auto* ctx = static_cast<iis::HttpContextImpl*>(context);
    const USHORT status = ctx->status();
    if (status < 400 || ctx->is_child()) return RQ_NOTIFICATION_CONTINUE;
    const PathConfig& cfg = path_config(*ctx);
    const ErrorsOptions& o = cfg.options.errors;
    IHttpResponse* response = ctx->GetResponse();
    const HTTP_RESPONSE* raw = response->GetRawHttpResponse();
    const bool has_body = raw != nullptr && raw->EntityChunkCount > 0;
    switch (o.existing) {
      case ErrorsOptions::Existing::kAuto:
        if (ctx->try_skip_custom_errors()) return RQ_NOTIFICATION_CONTINUE;
        break;
      case ErrorsOptions::Existing::kReplace:
        break;
      case ErrorsOptions::Existing::kPassThrough:
        if (has_body) return RQ_NOTIFICATION_CONTINUE;
        break;
    }
    const USHORT sub = ctx->substatus();
    bool detailed = o.mode == ErrorsOptions::Mode::kDetailed ||
                    (o.mode == ErrorsOptions::Mode::kDetailedLocalOnly &&
                     is_local(ctx->remote_address(), ctx->local_address()));
    std::shared_ptr<const std::string> page;
    std::string type = "text/html; charset=utf-8";
    std::string reason(http::reason_phrase(status));
    if (detailed) {
      ErrorPageInfo info;
      info.status = status;
      info.substatus = sub;
      info.reason = reason;
      info.method = ctx->method();
      const std::string* host = ctx->request_header("Host");
      std::string url = ctx->scheme() +
                        (host != nullptr ? *host : std::string(ctx->local_address())) +
                        std::string(ctx->raw_target());
      info.url = url;
      DWORD cch = 0;
      PCWSTR wpath = ctx->GetPhysicalPath(&cch);
      std::string physical = wpath != nullptr ? iis::narrow(std::wstring_view(wpath, cch)) : "";
      info.physical_path = physical;
      const iis::HandlerMapping* m = ctx->mapping();
      info.handler = m != nullptr ? std::string_view(m->name) : std::string_view();
      info.more_information_link = o.more_information_link;
      page = std::make_shared<const std::string>(detailed_error_page(info));
    } else {
      // The configured page: the entry for this sub-status, else for every sub-status, else
      // the default path.
      const ErrorsOptions::Entry* entry = nullptr;
      for (const ErrorsOptions::Entry& e : o.entries) {
        if (e.status != status) continue;
        if (e.substatus == static_cast<int>(sub)) {
          entry = &e;
          break;
        }
        if (e.substatus == -1 && entry == nullptr) entry = &e;
      }
      std::string path = entry != nullptr ? entry->path : o.default_path;
      int mode = entry != nullptr ? entry->mode : o.default_mode;
      if (!path.empty() && mode == ErrorsOptions::kRedirect) {
        // IIS answers with a redirect to the page (the error status is not sent).
        response->SetStatus(302, "Found");
        response->SetHeader("Location", path.c_str(), static_cast<USHORT>(path.size()), TRUE);
        page = std::make_shared<const std::string>();
        type.clear();
      } else if (!path.empty() && cfg.runtime != nullptr) {
        std::string file;
        if (mode == ErrorsOptions::kExecuteUrl) {
          // The site's static file at that URL (modules do not run for it here).
          std::wstring wurl = iis::widen(path);
          DWORD cb = 0;
          ctx->MapPath(wurl.c_str(), nullptr, &cb);
          std::wstring buf(cb / sizeof(wchar_t) + 1, L'\0');
          if (SUCCEEDED(ctx->MapPath(wurl.c_str(), buf.data(), &cb))) {
            file = iis::narrow(std::wstring_view(buf.c_str()));
            base::Region region(ctx->blocking_host());  // a file read
            page = cfg.runtime->read_page(file);
          }
        } else if (entry != nullptr && !entry->prefix_language_path.empty()) {
          std::string prefix = resolve_file(cfg.site_root, entry->prefix_language_path);
          base::Region region(ctx->blocking_host());  // file reads
          for (const std::string& lang : languages(ctx->request_header("Accept-Language"))) {
            file = prefix + "/" + lang + "/" + path;
            page = cfg.runtime->read_page(file, /*warn=*/false);
            if (page) break;
          }
          if (!page) page = cfg.runtime->read_page(prefix + "/en-US/" + path);  // warns
        } else {
          file = resolve_file(cfg.site_root, path);
          base::Region region(ctx->blocking_host());  // a file read
          if (!file.empty()) page = cfg.runtime->read_page(file);
        }
        if (page) type = std::string(content_type_of(file));
      }
      if (!page) {
        page = std::make_shared<const std::string>(builtin_error_page(status, sub, reason));
      }
    }
    response->DeleteHeader("Content-Length");
    response->DeleteHeader("Content-Encoding");
    if (!type.empty()) {
      response->SetHeader("Content-Type", type.c_str(), static_cast<USHORT>(type.size()), TRUE);
    }
    http::BodyChunk chunk = http::BodyChunk::memory(*page);
    ctx->replace_body({&chunk, page->empty() ? 0u : 1u}, [page](http::SendResult) {});
    return RQ_NOTIFICATION_CONTINUE;
  }

  VOID Dispose() override {}  // shared by every request (SharedModuleFactory)
};

}  // namespace

HRESULT register_custom_errors(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  static SharedModuleFactory<CustomErrorModule> factory;
  HRESULT hr = info->SetRequestNotifications(&factory, RQ_SEND_RESPONSE, 0);
  if (FAILED(hr)) return hr;
  // FIRST runs last in RQ_SEND_RESPONSE (the order is reversed there): native filters see the
  // response as it was made, and the compression modules (registered before this one, so they
  // come after it within the same priority) compress the page.
  return info->SetPriorityForRequestNotification(RQ_SEND_RESPONSE, PRIORITY_ALIAS_FIRST);
}

}  // namespace hs::modules
