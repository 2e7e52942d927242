#!/usr/bin/env python3
"""Microsoft's per-method IIS samples in httpserv (see scripts/ms-samples.sh for the usage).

Each case names one or more sample files of iis-docs' samples/snippets/cpp/VS_Snippets_IIS/IIS7
(compiled unmodified and loaded in that priority order), the reference page that shows the
first one, what that page documents (quoted or paraphrased in `doc`), the request the page
implies, and the checks that turn the documented output into something a client can see. Where
a sample's output depends on the machine (paths, addresses, dates), the check is the documented
shape filled with this run's values ({root}: the site's directory).
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import harness  # noqa: E402  (the integration suite's server runner)

SAMPLES = "samples/snippets/cpp/VS_Snippets_IIS/IIS7"
PAGES = "iis/web-development-reference/native-code-api-reference"

FILE = "<html><body>default</body></html>\n"  # /default.htm
EXAMPLE = "example child\n"  # /example/default.aspx (SetUrl and ExecuteRequest's target)
ASP = "asp page\n"  # /example/default.asp (IHttpServer::GetFileInfo's file)
STATIC = {"status": 200, "body": FILE}  # served as without the module


def case(name, samples, page, doc, expect, request=None, skip=None, config=False):
    """config=True: the modules are loaded from an applicationHost.config with IIS's default
    handler mappings for .asp and static files (APPHOST below) instead of --module."""
    return dict(name=name, samples=samples if isinstance(samples, list) else [samples], page=page,
                doc=doc, expect=expect, request=request or {}, skip=skip, config=config)


# IIS's own handler entries for classic ASP and static files (applicationHost.config as IIS
# installs it), so that IScriptMapInfo has what the reference pages describe. One change:
# ASPClassic names StaticFileModule instead of IsapiModule (ISAPI DLLs are Windows-only), which
# only matters if no sample handles the request first.
APPHOST = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <sites>
      <site name="Default Web Site" id="1">
        <application path="/">
          <virtualDirectory path="/" physicalPath="{root}" />
        </application>
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <globalModules>
{global_modules}
    </globalModules>
    <modules>
{modules}
      <add name="StaticFileModule" />
      <add name="DefaultDocumentModule" />
    </modules>
    <handlers>
      <add name="ASPClassic" path="*.asp" verb="GET,HEAD,POST" modules="StaticFileModule"
           scriptProcessor="%windir%\\system32\\inetsrv\\asp.dll" resourceType="File" />
      <add name="StaticFile" path="*" verb="*"
           modules="StaticFileModule,DefaultDocumentModule,DirectoryListingModule"
           resourceType="Either" requireAccess="Read" />
    </handlers>
  </system.webServer>
</configuration>
"""


def one(d, f=None):
    """The sample file of a directory named after its method (IIS7/<d>/cpp/<d>.cpp)."""
    return "%s/cpp/%s.cpp" % (d, f or d)


CASES = [
    # -- IHttpResponse ----------------------------------------------------------------------
    case("IHttpResponse::GetStatus/SetStatus", one("IHttpResponseGetStatus"),
         "ihttpresponse-getstatus-method",
         "returns the response status to the client and sets 200 OK so the client always "
         "receives it",
         {"status": 200, "headers": {"Content-Type": "text/plain"},
          "body": "HTTP Status: 200.0 OK"}),
    case("IHttpResponse::Clear", one("IHttpResponseClear"), "ihttpresponse-clear-method",
         "clears the response headers and body and returns a default response "
         "(Remarks: resets the headers and body to default values)",
         {"status": 200, "headers": {"Content-Type": None, "ETag": None, "Server": True},
          "body": ""}),
    case("IHttpResponse::ClearHeaders", one("IHttpResponseClearHeaders"),
         "ihttpresponse-clearheaders-method",
         "clears the response headers and returns a default set of response headers "
         "(Remarks: removes the existing headers, then adds a default set)",
         {"status": 200, "headers": {"Content-Type": None, "ETag": None, "Server": True},
          "body": FILE}),
    case("IHttpResponse::DeleteHeader", one("IHttpResponseDeleteHeader"),
         "ihttpresponse-deleteheader-method",
         "removes the Server and Location headers from the response",
         {"status": 200, "headers": {"Server": None, "Location": None}, "body": FILE}),
    case("IHttpResponse::GetHeader", one("IHttpResponseGetHeader"),
         "ihttpresponse-getheader-method",
         "retrieves the values of the Server and Location headers and sends them to the client",
         {"status": 200, "headers": {"Content-Type": "text/plain"},
          "body": re.compile(r"Server: \S+")}),
    case("IHttpResponse::SetHeader", one("IHttpResponseSetHeader"),
         "ihttpresponse-setheader-method",
         "replaces Content-Type and Server with custom values and sets Refresh",
         {"status": 200, "headers": {"Content-Type": "text/plain", "Server": "MyServer/7.0",
                                     "Refresh": "30"}, "body": FILE}),
    case("IHttpResponse::Flush", one("IHttpResponseFlush"), "ihttpresponse-flush-method",
         "Flush sends the response; the Clear that follows has no effect",
         {"status": 200, "body": FILE}),
    case("IHttpResponse::Redirect", one("IHttpResponseRedirect"),
         "ihttpresponse-redirect-method",
         "redirects the client to a relative URL on the Web server",
         {"status": 302, "headers": {"Location": re.compile(r"http://localhost(:\d+)?/example/")}}),
    case("IHttpResponse::ResetConnection", one("IHttpResponseResetConnection"),
         "ihttpresponse-resetconnection-method",
         "the connection is reset: neither string reaches the client",
         {"reset": True}),
    case("IHttpResponse::SetNeedDisconnect", one("IHttpResponseSetNeedDisconnect"),
         "ihttpresponse-setneeddisconnect-method",
         "disconnects the socket after the server finishes processing the request",
         dict(STATIC, closes=True), request={"keepalive": True}),
    case("IHttpResponse::DisableBuffering", one("IHttpResponseDisableBuffering"),
         "ihttpresponse-disablebuffering-method",
         "disables response buffering for the request (the response is unchanged)", STATIC),
    case("IHttpResponse::DisableKernelCache + GetKernelCacheEnabled",
         [one("IHttpResponseDisableKernelCache"), one("IHttpResponseGetKernelCacheEnabled")],
         "ihttpresponse-disablekernelcache-method",
         "combined with the GetKernelCacheEnabled sample, returns the (disabled) caching status",
         {"status": 200, "body": "Kernel cache enabled: disabled"}),
    case("IHttpResponse::GetCachePolicy", one("IHttpResponseGetCachePolicy"),
         "ihttpresponse-getcachepolicy-method",
         "returns whether the user cache is enabled (IHttpCachePolicy::IsUserCacheEnabled's "
         "page: true)",
         {"status": 200, "body": "User cache enabled: yes"}),
    case("IHttpResponse::GetHeadersSuppressed/SuppressHeaders",
         one("IHttpResponseGetHeadersSuppressed"), "ihttpresponse-suppressheaders-method",
         "SuppressHeaders, then a raw HTTP response written with WriteEntityChunks",
         {"raw": re.compile(r"HTTP/1\.1 200 OK\r\nContent-type: text/plain\r\n"
                            r"Content-length: 12\r\n\r\nHello World!")}),
    case("IHttpResponse::GetRawHttpResponse", one("IHttpResponseGetRawHttpResponse"),
         "ihttpresponse-getrawhttpresponse-method",
         "clears the response and returns its data chunk count (a static file: one chunk)",
         {"status": 200, "body": "Data chunks in response buffer: 1"}),
    case("IHttpResponse::WriteEntityChunks", one("IHttpResponseWriteEntityChunks"),
         "ihttpresponse-writeentitychunks-method",
         "inserts an array of two data chunks into the response",
         {"status": 200, "headers": {"Content-Type": "text/plain"},
          "body": "First chunk data\nSecond chunk data\n"}),
    case("IHttpResponse::SetErrorDescription", one("IHttpResponseSetErrorDescription"),
         "ihttpresponse-seterrordescription-method",
         "sets a custom description for a 404.0 (shown on IIS's detailed error page)",
         {"status": 404}, request={"path": "/missing.htm"}),
    # -- IHttpRequest -----------------------------------------------------------------------
    case("IHttpRequest::GetHeader", one("IHttpRequestGetHeader"),
         "ihttprequest-getheader-method",
         "returns the User-Agent and Accept-Language headers to the client",
         {"status": 200, "body": re.compile(
             r"User-Agent: ms-samples/1\.0\s+Accept-Language: da, en-gb;q=0\.8")},
         request={"headers": {"Accept-Language": "da, en-gb;q=0.8"}}),
    case("IHttpRequest::SetHeader (+ GetHeader)",
         [one("IHttpRequestSetHeader"), one("IHttpRequestGetHeader")],
         "ihttprequest-setheader-method",
         "replaces the User-Agent and Accept-Language headers with new values",
         {"status": 200, "body": re.compile(r"User-Agent: Test Browser\s+Accept-Language: en-ie")},
         request={"headers": {"Accept-Language": "da"}}),
    case("IHttpRequest::DeleteHeader (+ GetHeader)",
         [one("IHttpRequestDeleteHeader"), one("IHttpRequestGetHeader")],
         "ihttprequest-deleteheader-method",
         "removes the User-Agent and Accept-Language headers from the request",
         {"status": 200, "body": re.compile(r"^(?!.*(ms-samples|da))", re.S)},
         request={"headers": {"Accept-Language": "da"}}),
    case("IHttpRequest::GetHttpMethod", one("IHttpRequestGetHttpMethod"),
         "ihttprequest-gethttpmethod-method", "returns the request's HTTP method",
         {"status": 200, "body": "HTTP Method: GET"}),
    case("IHttpRequest::SetHttpMethod (+ GetHttpMethod)",
         [one("IHttpRequestSetHttpMethod"), one("IHttpRequestGetHttpMethod")],
         "ihttprequest-sethttpmethod-method", "changes the request's method to OPTIONS",
         {"status": 200, "body": "HTTP Method: OPTIONS"}),
    case("IHttpRequest::SetUrl", one("IHttpRequestSetUrl"), "ihttprequest-seturl-method",
         "changes the requested URL to /example/default.aspx",
         {"status": 200, "body": EXAMPLE}),
    case("IHttpRequest::SetUrl (+ GetUrlChanged)",
         [one("IHttpRequestSetUrl"), one("IHttpRequestGetUrlChanged")],
         "ihttprequest-geturlchanged-method", "GetUrlChanged is true once SetUrl changed it",
         {"status": 200, "body": re.compile(r"Url changed: true$")}),
    case("IHttpRequest::GetUrlChanged", one("IHttpRequestGetUrlChanged"),
         "ihttprequest-geturlchanged-method", "an unchanged URL: false",
         {"status": 200, "body": re.compile(r"Url changed: false$")}),
    case("IHttpRequest::GetHttpVersion", one("IHttpRequestGetHttpVersion"),
         "ihttprequest-gethttpversion-method", "returns the request's HTTP version",
         {"status": 200, "body": "HTTP version: HTTP/1.1"}),
    case("IHttpRequest::GetLocalAddress", one("IHttpRequestGetLocalAddress"),
         "ihttprequest-getlocaladdress-method", "returns the local IP address (hex octets)",
         {"status": 200, "body": "IP Address: 7F.00.00.01"}),
    case("IHttpRequest::GetRemoteAddress", one("IHttpRequestGetRemoteAddress"),
         "ihttprequest-getremoteaddress-method", "returns the client's IP address (hex octets)",
         {"status": 200, "body": "IP Address: 7F.00.00.01"}),
    case("IHttpRequest::GetRemainingEntityBytes", one("IHttpRequestGetRemainingEntityBytes"),
         "ihttprequest-getremainingentitybytes-method",
         "returns the number of body bytes still to read",
         {"status": 200, "body": "Remaining entity bytes: 11"},
         request={"method": "POST", "body": "Hello body!"}),
    case("IHttpRequest::ReadEntityBody", one("IHttpRequestReadEntityBody"),
         "ihttprequest-readentitybody-method",
         "reads the request body 1 KB at a time and returns it",
         {"status": 200, "headers": {"Content-Type": "text/plain"}, "body": "x" * 3000},
         request={"method": "POST", "body": "x" * 3000}),
    case("IHttpRequest::GetSiteId", one("IHttpRequestGetSiteId"),
         "ihttprequest-getsiteid-method", "returns the site ID",
         {"status": 200, "body": "Site ID: 1"}),
    case("IHttpRequest::GetRawHttpRequest", one("IHttpRequestGetRawHttpRequest"),
         "ihttprequest-getrawhttprequest-method",
         "reads the verb and version from HTTP_REQUEST (no output)", STATIC),
    # -- IHttpContext -----------------------------------------------------------------------
    case("IHttpContext::GetRequest", one("IHttpContextGetRequest"),
         "ihttpcontext-getrequest-method", "displays the HTTP method to the client",
         {"status": 200, "body": "HTTP Method: GET"}),
    case("IHttpContext::GetResponse", one("IHttpContextGetResponse"),
         "ihttpcontext-getresponse-method", "displays the HTTP method to the client",
         {"status": 200, "body": "HTTP Method: GET"}),
    case("IHttpContext::GetServerVariable", one("IHttpContextGetServerVariable"),
         "ihttpcontext-getservervariable-method", "returns SERVER_NAME",
         {"status": 200, "body": "Server Name: localhost"}),
    case("IHttpContext::SetServerVariable (+ GetServerVariable)",
         [one("IHttpContextSetServerVariable"), one("IHttpContextGetServerVariable")],
         "ihttpcontext-setservervariable-method", "sets SERVER_NAME to \"Example Value\"",
         {"status": 200, "body": "Server Name: Example Value"}),
    case("IHttpContext::GetPhysicalPath", one("IHttpContextGetPhysicalPath"),
         "ihttpcontext-getphysicalpath-method", "returns the request's full physical path",
         {"status": 200, "body": "Physical Path: {root}/default.htm"}),
    case("IHttpContext::GetScriptName", one("IHttpContextGetScriptName"),
         "ihttpcontext-getscriptname-method", "returns the name of the current script",
         {"status": 200, "body": "Script Name: /default.htm"}),
    case("IHttpContext::GetScriptTranslated", one("IHttpContextGetScriptTranslated"),
         "ihttpcontext-getscripttranslated-method", "returns the script's physical path",
         {"status": 200, "body": "Script Translated: {root}/default.htm"}),
    case("IHttpContext::MapPath", one("IHttpContextMapPath"), "ihttpcontext-mappath-method",
         "maps / to its physical path and returns it",
         {"status": 200, "body": "Path: {root}/"}),
    case("IHttpContext::GetSite", one("IHttpContextGetSite"), "ihttpcontext-getsite-method",
         "returns the site's name", {"status": 200, "body": "Site Name: Default Web Site"}),
    case("IHttpContext::GetApplication", one("IHttpContextGetApplication"),
         "ihttpcontext-getapplication-method", "returns the application's physical path",
         {"status": 200, "body": re.compile(r"Application physical path: {root}/?")}),
    case("IHttpContext::GetConnection", one("IHttpContextGetConnection"),
         "ihttpcontext-getconnection-method",
         "the client is still connected: returns a status message",
         {"status": 200, "body": "Client connected: Yes"}),
    case("IHttpContext::AllocateRequestMemory", one("IHttpContextAllocateRequestMemory"),
         "ihttpcontext-allocaterequestmemory-method",
         "copies User-Agent into request memory (no output)", STATIC),
    case("IHttpContext::GetIsLastNotification", one("IHttpContextGetIsLastNotification"),
         "ihttpcontext-getislastnotification-method",
         "indicates whether more notifications are pending (none for this module)",
         {"status": 200, "body": "Last Notification: Yes"}),
    case("IHttpContext::DisableNotifications", one("IHttpContextDisableNotifications"),
         "ihttpcontext-disablenotifications-method",
         "DisableNotifications(RQ_BEGIN_REQUEST, 0) after OnBeginRequest: the post-notification "
         "(not disabled by the code's 0) and OnAcquireRequestState still run",
         {"status": 200, "body": re.compile(
             r"^\s*Notification: OnBeginRequest\s+Notification: OnPostBeginRequest\s+"
             r"Notification: OnAcquireRequestState")}),
    case("IHttpContext::GetParentContext", one("IHttpContextGetParentContext"),
         "ihttpcontext-getparentcontext-method", "no parent: NULL",
         {"status": 200, "body": "The parent context is null."}),
    case("IHttpContext::GetRootContext", one("IHttpContextGetRootContext"),
         "ihttpcontext-getrootcontext-method", "the root context itself: NULL (Remarks)",
         {"status": 200, "body": "The root context is null."}),
    case("IHttpContext::GetExecuteFlags", one("IHttpContextGetExecuteFlags"),
         "ihttpcontext-getexecuteflags-method", "no execute flags on a request from a client",
         {"status": 200, "body": re.compile(r"Execute Flags:\s+N/A\s*$")}),
    case("IHttpContext::GetResponseHeadersSent", one("IHttpContextGetResponseHeadersSent"),
         "ihttpcontext-getresponseheaderssent-method", "headers not written yet",
         {"status": 200, "body": "Headers sent: No"}),
    case("IHttpContext::GetUrlInfo", one("IHttpContextGetUrlInfo"),
         "ihttpcontext-geturlinfo-method", "a URL hit once is not frequently hit",
         {"status": 200, "body": "Frequently Hit: No"}),
    case("IHttpContext::GetUser", one("IHttpContextGetUser"), "ihttpcontext-getuser-method",
         "anonymous request: the sample writes ANONYMOUS after the response",
         {"status": 200, "body": re.compile(r"User name: ANONYMOUS$")}),
    case("IHttpContext::GetFileInfo", one("IHttpContextGetFileInfo"),
         "ihttpcontext-getfileinfo-method", "displays the requested file's physical path",
         {"status": 200, "body": re.compile(r"File path: {root}/default.htm$")}),
    case("IHttpContext::GetTraceContext", one("IHttpContextGetTraceContext"),
         "ihttpcontext-gettracecontext-method", "returns the request's trace activity ID",
         {"status": 200, "body": re.compile(
             r"Trace Activity ID: \{(?!00000000-0000-0000-0000-000000000000)[0-9A-F-]{36}\}")}),
    case("IHttpContext::IndicateCompletion", one("IHttpContextIndicateCompletion"),
         "ihttpcontext-indicatecompletion-method",
         "writes Hello World! asynchronously, then IndicateCompletion",
         {"status": 200, "body": "Hello World!"}),
    case("IHttpContext::PostCompletion", one("IHttpContextPostCompletion"),
         "ihttpcontext-postcompletion-method", "writes Hello World!, then PostCompletion",
         {"status": 200, "body": "Hello World!"}),
    case("IHttpContext::CloneContext/ExecuteRequest", one("IHttpContextExecuteRequest"),
         "ihttpcontext-executerequest-method",
         "a request for / runs a child request for /example/default.aspx from OnMapPath and "
         "waits for it (PENDING); the child's response goes to the client (the completion "
         "returns CONTINUE, so the parent's own handler follows it)",
         {"status": 200, "body": re.compile("^" + EXAMPLE)}, request={"path": "/"}),
    case("IHttpContext::NotifyCustomNotification",
         one("IHttpContextNotifyCustomNotification"),
         "ihttpcontext-notifycustomnotification-method",
         "OnBeginRequest raises the custom notification; the module logs both events",
         dict(STATIC, log=[r"MyHttpModule OnBeginRequest",
                           r"MyHttpModule OnCustomRequestNotification"])),
    case("IHttpContext::GetCurrentExecutionStats", one("IHttpContextGetCurrentExecutionStats"),
         "ihttpcontext-getcurrentexecutionstats-method",
         "logs the execution statistics of three notifications, one second apart",
         dict(STATIC, log=[r"OnBeginRequest", r"OnMapRequestHandler", r"OnSendResponse"],
              timeout=20)),
    # -- IHttpFileInfo ----------------------------------------------------------------------
    case("IHttpFileInfo::GetAttributes", one("IHttpFileInfoGetAttributes"),
         "ihttpfileinfo-getattributes-method", "an ordinary file: FILE_ATTRIBUTE_ARCHIVE (32)",
         {"status": 200, "body": re.compile(r"Read only: No\s+Hidden: No\s+Archive: Yes")}),
    case("IHttpFileInfo::GetETag", one("IHttpFileInfoGetETag"), "ihttpfileinfo-getetag-method",
         "displays the file's ETag", {"status": 200, "body": re.compile(r'ETag: "[^"]+"$')}),
    case("IHttpFileInfo::GetFilePath", one("IHttpFileInfoGetFilePath"),
         "ihttpfileinfo-getfilepath-method", "displays the file's physical path",
         {"status": 200, "body": re.compile(r"File path: {root}/default.htm$")}),
    case("IHttpFileInfo::GetLastModifiedString", one("IHttpFileInfoGetLastModifiedString"),
         "ihttpfileinfo-getlastmodifiedstring-method", "an RFC 1123 date",
         {"status": 200, "body": re.compile(
             r"Last modified: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$")}),
    case("IHttpFileInfo::GetLastModifiedTime", one("IHttpFileInfoGetLastModifiedTime"),
         "ihttpfileinfo-getlastmodifiedtime-method", "MM/DD/YYYY HH:MM",
         {"status": 200, "body": re.compile(r"Last modified: \d\d/\d\d/\d{4}\s+\d\d:\d\d$")}),
    case("IHttpFileInfo::GetSize", one("IHttpFileInfoGetSize"), "ihttpfileinfo-getsize-method",
         "the file's size", {"status": 200, "body": "File size: %d" % len(FILE)}),
    # -- IHttpServer ------------------------------------------------------------------------
    case("IHttpServer::SatisfiesPrecondition", one("IHttpServerSatisfiesPrecondition"),
         "ihttpserver-satisfiesprecondition-method", "integratedMode is satisfied",
         {"status": 200, "body": "Satisfies Precondition: Yes"}),
    case("IHttpServer::AddFragmentToCache", one("IHttpServerAddFragmentToCache"),
         "ihttpserver-addfragmenttocache-method",
         "adds a fragment, reads it back and returns the result",
         {"status": 200, "body": re.compile(r"SUCCEEDED")}),
    case("IHttpServer::GetFileInfo", one("IHttpServerGetFileInfo"),
         "ihttpserver-getfileinfo-method",
         "maps /example/default.asp, gets its IHttpFileInfo and returns its ETag",
         {"status": 200, "body": re.compile(r'ETag: "[^"]+"$')}),
    case("IHttpServer::IncrementThreadCount", one("IHttpServerIncrementThreadCount"),
         "ihttpserver-incrementthreadcount-method",
         "raises the thread count, sleeps 30 s, restores it; the request is then served",
         dict(STATIC, timeout=45, min_seconds=29)),
    case("IHttpServer::DecrementThreadCount", one("IHttpServerDecrementThreadCount"),
         "ihttpserver-decrementthreadcount-method",
         "raises the thread count, sleeps 30 s, restores it; the request is then served",
         dict(STATIC, timeout=45, min_seconds=29)),
    case("IHttpServer::GetTraceContext", one("IHttpServerGetTraceContext"),
         "ihttpserver-gettracecontext-method",
         "logs the server trace context's activity ID", STATIC),
    case("IHttpServer::NotifyCustomNotification", one("IHttpServerNotifyCustomNotification"),
         "ihttpserver-notifycustomnotification-method",
         "OnGlobalPreBeginRequest raises a global custom notification; both are logged",
         dict(STATIC, log=[r"MyGlobalModule OnGlobalPreBeginRequest",
                           r"MyGlobalModule OnGlobalCustomNotification"])),
    case("IHttpModuleRegistrationInfo::GetName", one("IHttpModuleRegistrationInfoGetName"),
         "ihttpmoduleregistrationinfo-getname-method", "returns the module's name",
         {"status": 200, "body": "Module name: Sample"}),
    # -- sites, applications, providers -----------------------------------------------------
    case("IHttpSite::GetSiteId", one("IHttpSiteGetSiteId"), "ihttpsite-getsiteid-method",
         "returns the site ID", {"status": 200, "body": "Site ID: 1"}),
    case("IHttpSite::GetSiteName", one("IHttpSiteGetSiteName"), "ihttpsite-getsitename-method",
         "returns the site name", {"status": 200, "body": "Site Name: Default Web Site"}),
    case("IHttpApplication::GetAppConfigPath", one("IHttpApplicationGetAppConfigPath"),
         "ihttpapplication-getappconfigpath-method", "the application's configuration path",
         {"status": 200,
          "body": "Application configuration path: MACHINE/WEBROOT/APPHOST/Default Web Site"}),
    case("IHttpApplication::GetApplicationId", one("IHttpApplicationGetApplicationId"),
         "ihttpapplication-getapplicationid-method", "the application's ID path",
         {"status": 200, "body": "Application ID: /LM/W3SVC/1/ROOT"}),
    case("IHttpApplication::GetApplicationPhysicalPath",
         one("IHttpApplicationGetApplicationPhysicalPath"),
         "ihttpapplication-getapplicationphysicalpath-method", "the application's physical path",
         {"status": 200, "body": re.compile(r"Application physical path: {root}/?")}),
    case("IHttpConnection::IsConnected", one("IHttpConnectionIsConnected"),
         "ihttpconnection-isconnected-method", "connected: a status message",
         {"status": 200, "body": "Client connected: Yes"}),
    case("IHttpConnection::AllocateMemory", one("IHttpConnectionAllocateMemory"),
         "ihttpconnection-allocatememory-method", "returns User-Agent from connection memory",
         {"status": 200, "body": "User-Agent: ms-samples/1.0"}),
    case("IMapPathProvider::GetPhysicalPath", one("IMapPathProviderGetPhysicalPath"),
         "imappathprovider-getphysicalpath-method", "returns the mapped physical path",
         {"status": 200, "body": "Physical path: {root}/default.htm"}),
    case("IMapPathProvider::GetUrl", one("IMapPathProviderGetUrl"),
         "imappathprovider-geturl-method", "returns the URL being mapped",
         {"status": 200, "body": "URL: /default.htm"}),
    case("IMetadataInfo::GetVrPath", one("IMetadataInfoGetVrPath"),
         "imetadatainfo-getvrpath-method", "returns the virtual directory's physical path",
         {"status": 200, "body": re.compile(r"pVrPath: {root}/?")}),
    case("ISendResponseProvider::GetFlags/SetFlags", one("ISendResponseProviderGetFlags"),
         "isendresponseprovider-getflags-method",
         "adds DISCONNECT and BUFFER_DATA to the send flags and returns them",
         {"status": 200, "body": re.compile(
             r"Flags: 0x[0-9a-f]+\s+HTTP_SEND_RESPONSE_FLAG_DISCONNECT\s+"
             r"HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA"), "closes": True},
         request={"keepalive": True}),
    case("ISendResponseProvider::GetHeadersBeingSent",
         one("ISendResponseProviderGetHeadersBeingSent"),
         "isendresponseprovider-getheadersbeingsent-method",
         "headers are being sent: a raw response saying so",
         {"raw": re.compile(r"HTTP/1\.1 200 OK\r\n.*\r\n\r\nHeaders being sent: Yes", re.S)}),
    case("IPreBeginRequestProvider::GetHttpContext",
         one("IPreBeginRequestProviderGetHttpContext"),
         "iprebeginrequestprovider-gethttpcontext-method", "logs the request's site name",
         dict(STATIC, log=[r"Site Name Default Web Site"])),
    case("IReadEntityProvider::GetEntity (+ ReadEntityBody)",
         [one("IReadEntityProviderGetEntity"), one("IHttpRequestReadEntityBody")],
         "ireadentityprovider-getentity-method",
         "logs the entity's data and buffer sizes when the body is read (the ReadEntityBody "
         "sample reads it: a POST to a static file is refused before any read)",
         {"status": 200, "body": "body!",
          "log": [r"Request Entity Information Data Size: 5 Buffer Size: \d+"]},
         request={"method": "POST", "body": "body!"}),
    # -- IScriptMapInfo (IIS's default StaticFile and ASPClassic handlers) -------------------
    case("IHttpContext::GetScriptMap", one("IHttpContextGetScriptMap"),
         "ihttpcontext-getscriptmap-method",
         "returns the verbs the handler allows (StaticFile: *)",
         {"status": 200, "body": re.compile(r"Allowed Verbs: \*$")}, config=True),
    case("IHttpContext::SetRequestHandled", one("IHttpContextSetRequestHandled"),
         "ihttpcontext-setrequesthandled-method",
         "a request whose script processor is asp.dll is answered by the module and marked "
         "handled (the ASP handler does not run)",
         {"status": 200, "body": "ASP requests have been handled."},
         request={"path": "/example/default.asp"}, config=True),
    case("IScriptMapInfo::GetAllowedVerbs", one("IScriptMapInfoGetAllowedVerbs"),
         "iscriptmapinfo-getallowedverbs-method", "the static file handler allows all verbs",
         {"status": 200, "body": re.compile(r"Allowed Verbs: \*$")}, config=True),
    case("IScriptMapInfo::GetAllowPathInfoForScriptMappings",
         one("IScriptMapInfoGetAllowPathInfoForScriptMappings"),
         "iscriptmapinfo-getallowpathinfoforscriptmappings-method",
         "whether PATH_INFO is allowed (StaticFile: no)",
         {"status": 200, "body": re.compile(r"(?i)false|no")}, config=True),
    case("IScriptMapInfo::GetIsStarScriptMap", one("IScriptMapInfoGetIsStarScriptMap"),
         "iscriptmapinfo-getisstarscriptmap-method",
         "whether the handler is a wildcard (*) mapping (StaticFile is)",
         {"status": 200, "body": re.compile(r"(?i)true|yes")}, config=True),
    case("IScriptMapInfo::GetManagedType", one("IScriptMapInfoGetManagedType"),
         "iscriptmapinfo-getmanagedtype-method", "no managed type for a static file",
         {"status": 200}, config=True),
    case("IScriptMapInfo::GetModules", one("IScriptMapInfoGetModules"),
         "iscriptmapinfo-getmodules-method",
         "a static file: StaticFileModule,DefaultDocumentModule,DirectoryListingModule",
         {"status": 200, "body": re.compile(
             r"StaticFileModule,DefaultDocumentModule,DirectoryListingModule$")}, config=True),
    case("IScriptMapInfo::GetName", one("IScriptMapInfoGetName"),
         "iscriptmapinfo-getname-method", "the handler's configured name",
         {"status": 200, "body": "Name: StaticFile"}, config=True),
    case("IScriptMapInfo::GetPath", one("IScriptMapInfoGetPath"),
         "iscriptmapinfo-getpath-method", "the handler's path attribute",
         {"status": 200, "body": re.compile(r"Path: \*$")}, config=True),
    case("IScriptMapInfo::GetRequiredAccess", one("IScriptMapInfoGetRequiredAccess"),
         "iscriptmapinfo-getrequiredaccess-method",
         "a file served by the static file handler: 1 (Read)",
         {"status": 200, "body": "Required access: Read"}, config=True),
    case("IScriptMapInfo::GetResourceType", one("IScriptMapInfoGetResourceType"),
         "iscriptmapinfo-getresourcetype-method", "the static file handler: 2 (Either)",
         {"status": 200, "body": "Resource type: Either"}, config=True),
    case("IScriptMapInfo::GetResponseBufferLimit", one("IScriptMapInfoGetResponseBufferLimit"),
         "iscriptmapinfo-getresponsebufferlimit-method", "the default limit, 4194304 bytes",
         {"status": 200, "body": re.compile(r"4194304$")}, config=True),
    case("IScriptMapInfo::GetScriptProcessor", one("IScriptMapInfoGetScriptProcessor"),
         "iscriptmapinfo-getscriptprocessor-method",
         "an .asp request: the full path of asp.dll",
         {"status": 200, "body": re.compile(r"asp\.dll$")},
         request={"path": "/example/default.asp"}, config=True),
    # -- samples with no client-visible output: the request is served as without them ----------
    case("IHttpRequest::GetForwardedUrl", one("IHttpRequestGetForwardedUrl"),
         "ihttprequest-getforwardedurl-method",
         "a request that was not forwarded: no forwarded URL, the request goes on", STATIC),
    case("IHttpRequest::GetHeaderChanges", one("IHttpRequestGetHeaderChanges"),
         "ihttprequest-getheaderchanges-method", "IIS-internal; the sample writes nothing",
         STATIC),
    case("IHttpResponse::GetHeaderChanges", one("IHttpResponseGetHeaderChanges"),
         "ihttpresponse-getheaderchanges-method", "IIS-internal; the sample writes nothing",
         STATIC),
    case("IHttpContext::GetServerVarChanges", one("IHttpContextGetServerVarChanges"),
         "ihttpcontext-getservervarchanges-method", "IIS-internal; the sample writes nothing",
         STATIC),
    case("IHttpContext::CancelIo", one("IHttpContextCancelIo"), "ihttpcontext-cancelio-method",
         "cancels pending I/O from OnSendResponse (there is none): the response goes out",
         STATIC),
    case("IHttpServer::GetPerfCounterInfo", one("IHttpServerGetPerfCounterInfo"),
         "ihttpserver-getperfcounterinfo-method", "increments a counter; nothing visible",
         STATIC),
    case("IHttpSite::GetPerfCounterInfo", one("IHttpSiteGetPerfCounterInfo"),
         "ihttpsite-getperfcounterinfo-method", "increments a counter; nothing visible", STATIC),
    case("IHttpServer::FlushKernelCache", one("IHttpServerFlushKernelCache"),
         "ihttpserver-flushkernelcache-method", "flushes /default.aspx from the kernel cache",
         STATIC),
    case("IHttpServer::DoCacheOperation", one("IHttpServerDoCacheOperation"),
         "ihttpserver-docacheoperation-method", "triggers a cache enumeration", STATIC),
    case("IHttpServer::NotifyConfigurationChange", one("IHttpServerNotifyConfigurationChange"),
         "ihttpserver-notifyconfigurationchange-method",
         "raises GL_CONFIGURATION_CHANGE for MACHINE/WEBROOT/APPHOST/Default Web Site", STATIC),
    case("IHttpServer::NotifyFileChange", one("IHttpServerNotifyFileChange"),
         "ihttpserver-notifyfilechange-method",
         "raises GL_FILE_CHANGE for C:\\Inetpub\\Wwwroot\\Default.aspx", STATIC),
    case("IHttpApplicationProvider::GetApplication",
         one("IHttpApplicationProviderGetApplication"),
         "ihttpapplicationprovider-getapplication-method",
         "logs the application's physical path in OnGlobalApplicationStart, using the context "
         "of the request that started the application (its OnGlobalPreBeginRequest kept it)",
         dict(STATIC, log=[r"OnGlobalApplicationStart Application Physical Path: /"])),
    # -- not runnable here: why ----------------------------------------------------------------
    case("IHttpServer::RecycleProcess", one("IHttpServerRecycleProcess"),
         "ihttpserver-recycleprocess-method", "recycles the worker process", STATIC,
         skip="recycling and health reports are Windows Process Activation actions: the "
              "response goes out, the request is logged, no process is recycled "
              "(docs/iis-compat.md)"),
    case("IHttpServer::RecycleApplication", one("IHttpServerRecycleApplication"),
         "ihttpserver-recycleapplication-method", "recycles the managed application", STATIC,
         skip="recycles a managed (ASP.NET) application: there is none; logged, no action"),
    case("IHttpServer::ReportUnhealthy", one("IHttpServerReportUnhealthy"),
         "ihttpserver-reportunhealthy-method", "reports the worker process unhealthy to WAS",
         STATIC, skip="WAS health monitoring is Windows-only; logged, no action"),
    case("IMapPathProvider::SetPhysicalPath", one("IMapPathProviderSetPhysicalPath"),
         "imappathprovider-setphysicalpath-method", "maps every request to C:\\TEMP",
         STATIC, skip="the sample maps to a Windows path (C:\\TEMP), refused here as outside "
                      "the site (mappings stay beneath the site root)"),
    case("IHttpContext::GetNextNotification", one("IHttpContextGetNextNotification"),
         "ihttpcontext-getnextnotification-method",
         "displays GetNextNotification's result for each notification", STATIC,
         skip="the page does not give the values; IIS's answer depends on its own notification "
              "scheduling (ours is always FALSE, which the API allows)"),
    case("IHttpResponse::GetKernelCacheEnabled", one("IHttpResponseGetKernelCacheEnabled"),
         "ihttpresponse-getkernelcacheenabled-method", "whether http.sys may cache the response",
         STATIC, skip="http.sys's kernel cache is Windows-only (always disabled here); "
                      "checked combined with DisableKernelCache above"),
    case("IHttpContext::GetMetadata", one("IHttpContextGetMetadata"),
         "ihttpcontext-getmetadata-method", "returns whether logging is enabled", STATIC),
    case("IMetadataInfo::GetMetaPath", one("IMetadataInfoGetMetaPath"),
         "imetadatainfo-getmetapath-method", "returns whether logging is enabled", STATIC),
    case("IMetadataInfo::GetVrToken", one("IMetadataInfoGetVrToken"),
         "imetadatainfo-getvrtoken-method", "returns the virtual directory's token", STATIC),
    case("IHttpServer::GetAppPoolName", one("IHttpServerGetAppPoolName"),
         "ihttpserver-getapppoolname-method", "returns the application pool's name", STATIC),
    case("IHttpServer::IsCommandLineLaunch", one("IHttpServerIsCommandLineLaunch"),
         "ihttpserver-iscommandlinelaunch-method", "whether the process was started by hand",
         STATIC),
    case("IHttpServer::GetManagedType", one("IHttpServerGetManagedType"),
         "ihttpserver-getmanagedtype-method", "returns a URL's managed handler type", STATIC),
    case("IHttpRequest::SetEntityBody", one("IHttpRequestSetEntityBody"),
         "ihttprequest-setentitybody-method", "replaces the request body", STATIC),
    case("ISendResponseProvider::GetLogData/SetLogData",
         one("ISendResponseProviderGetLogData"), "isendresponseprovider-getlogdata-method",
         "changes the log entry's fields", STATIC),
    case("IHttpServer::AssociateWithThreadPool", one("IHttpServerAssociateWithThreadPool"),
         "ihttpserver-associatewiththreadpool-method", "writes to a file asynchronously",
         STATIC),
    case("IAuthenticationProvider::SetUser", one("IAuthenticationProvider", "SetUser"),
         "iauthenticationprovider-setuser-method", "returns the user as XML", STATIC),
    case("IHttpUser (interface)", one("IHttpUser", "IHttpUser"), "ihttpuser-interface",
         "returns the user's properties", STATIC),
    case("IHttpCachePolicy (interface)", one("IHttpCachePolicy", "IHttpCachePolicy"),
         "ihttpcachepolicy-interface", "returns the cache policy as XML", STATIC),
    case("IHttpCachePolicy::IsUserCacheEnabled", one("IHttpCachePolicy", "IsUserCacheEnabled"),
         "ihttpcachepolicy-isusercacheenabled-method", "User Cache Enabled: true", STATIC),
    case("IHttpFileInfo (interface)", one("IHttpFileInfo", "IHttpFileInfo"),
         "ihttpfileinfo-interface", "the file's properties (Attributes: 32, ...)", STATIC),
    case("IHttpFileInfo::GetFileBuffer", one("IHttpFileInfo", "GetFileBuffer"),
         "ihttpfileinfo-getfilebuffer-method", "File Buffer: <the file>", STATIC),
    case("IHttpFileInfo::GetFileHandle", one("IHttpFileInfo", "GetFileHandle"),
         "ihttpfileinfo-getfilehandle-method", "File Handle: ...", STATIC),
    case("IHttpFileInfo::GetHttpCacheAllowed", one("IHttpFileInfo", "GetHttpCacheAllowed"),
         "ihttpfileinfo-gethttpcacheallowed-method", "Cache Allowed: true, Time-to-Live: -1",
         STATIC),
    case("IHttpFileInfo::GetVrPath", one("IHttpFileInfo", "GetVrPath"),
         "ihttpfileinfo-getvrpath-method", "VR Path: NULL", STATIC),
    case("IHttpFileInfo::GetVrToken", one("IHttpFileInfo", "GetVrToken"),
         "ihttpfileinfo-getvrtoken-method", "VR Token: NULL", STATIC),
    case("IHttpContext::GetModuleContextContainer",
         one("IHttpContextGetModuleContextContainer"),
         "ihttpcontext-getmodulecontextcontainer-method", "a custom container class", STATIC),
    case("CHttpModule (Hello World)", one("CHttpModuleHelloWorld"), "chttpmodule-class",
         "returns Hello World! to the client",
         {"status": 200, "headers": {"Content-Type": "text/plain"}, "body": "Hello World!"}),
    case("IHttpCompletionInfo (OnAsyncCompletion)",
         one("IHttpCompletionInfoIHttpCompletionInfo"), "ihttpcompletioninfo-interface",
         "returns a string asynchronously; the completion is handled",
         {"status": 200, "body": "Hello World!"}),
    case("IHttpEventProvider::SetErrorStatus", one("IHttpEventProviderSetErrorStatus"),
         "ihttpeventprovider-seterrorstatus-method", "returns Hello World! to the client",
         {"status": 200, "body": "Hello World!"}),
]


def compile_sample(docs, sample, out, api):
    """Builds one sample file to a .so (cached); returns (path, None) or (None, first error)."""
    src = os.path.join(docs, SAMPLES, sample)
    if not os.path.isfile(src):
        return None, "no such sample in this checkout"
    so = os.path.join(out, sample.replace("/cpp/", "__").replace("/", "_")[:-4] + ".so")
    if os.path.isfile(so) and os.path.getmtime(so) > os.path.getmtime(src):
        return so, None
    base = ["g++", "-std=c++17", "-O2", "-fPIC", "-shared", "-w", "-I", os.path.join(api, "compat"),
            "-I", api, src, "-o", so]
    err = ""
    for extra in ([], ["-DUNICODE", "-D_UNICODE"]):
        r = subprocess.run(base[:1] + extra + base[1:], capture_output=True, text=True)
        if r.returncode == 0:
            return so, None
        err = err or r.stderr
    first = next((l for l in err.splitlines() if "error" in l), err.strip()[:200])
    return None, re.sub(r"^.*?error: ", "", first)[:160]


def make_site(path):
    os.makedirs(os.path.join(path, "example"), exist_ok=True)
    for rel, text in (("default.htm", FILE), ("example/default.aspx", EXAMPLE),
                      ("example/default.asp", ASP)):
        with open(os.path.join(path, rel), "w") as f:
            f.write(text)


def request_bytes(req):
    method = req.get("method", "GET")
    body = req.get("body", "").encode()
    lines = ["%s %s HTTP/1.1" % (method, req.get("path", "/default.htm")), "Host: localhost",
             "User-Agent: ms-samples/1.0"]
    for k, v in req.get("headers", {}).items():
        lines.append("%s: %s" % (k, v))
    if body or method == "POST":
        lines.append("Content-Length: %d" % len(body))
    if not req.get("keepalive"):
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def exchange(port, req, timeout):
    """Sends the request; returns (raw bytes received, error or None, closed after, seconds)."""
    start = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.settimeout(timeout)
    data = b""
    error = None
    s.sendall(request_bytes(req))
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            if req.get("keepalive") and complete(data):
                # Keep-alive: the response is whole; does the server close the connection?
                s.settimeout(2)
    except socket.timeout:
        error = "timeout" if not (req.get("keepalive") and complete(data)) else "open"
    except ConnectionResetError:
        error = "reset"
    s.close()
    return data, error, error is None, time.monotonic() - start


def complete(data):
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    m = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
    if m:
        return len(rest) >= int(m.group(1))
    if re.search(rb"\r\ntransfer-encoding: *chunked", head, re.I):
        return rest.endswith(b"0\r\n\r\n")
    return False


def parse(data):
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.\d (\d+)", lines[0])
    headers = []
    for l in lines[1:]:
        k, _, v = l.partition(":")
        headers.append((k.strip(), v.strip()))
    body = rest
    if any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in headers):
        body, pos = b"", 0
        while True:
            line_end = rest.find(b"\r\n", pos)
            if line_end < 0:
                break
            size = int(rest[pos:line_end].split(b";")[0] or b"0", 16)
            if size == 0:
                break
            body += rest[line_end + 2:line_end + 2 + size]
            pos = line_end + 2 + size + 2
    return (int(m.group(1)) if m else None), headers, body.decode("utf-8", "replace")


def fill(value, env):
    if isinstance(value, str):
        return value.replace("{root}", env["root"])
    if isinstance(value, re.Pattern):
        return re.compile(value.pattern.replace("{root}", re.escape(env["root"])), value.flags)
    return value


def check(c, data, error, closed, seconds, log, env):
    """Returns (ours: a short description of what the client got, [differences])."""
    e = c["expect"]
    diffs = []
    if e.get("reset"):
        ours = "reset, %d bytes" % len(data) if error == "reset" else (
            "%d bytes, %s" % (len(data), error or "closed"))
        if data or error not in ("reset", None):
            diffs.append("expected a reset with no bytes")
        return ours, diffs
    if "raw" in e:
        text = data.decode("latin-1")
        ours = repr(text[:80])
        if not fill(e["raw"], env).search(text):
            diffs.append("raw bytes differ")
        return ours, diffs
    if not data:
        return "no response (%s)" % (error or "closed"), ["no response"]
    status, headers, body = parse(data)
    ours = "%s %s" % (status, short(body, 60))
    if "status" in e and status != e["status"]:
        diffs.append("status %s, expected %s" % (status, e["status"]))
    for name, want in e.get("headers", {}).items():
        got = [v for k, v in headers if k.lower() == name.lower()]
        want = fill(want, env)
        if want is None and got:
            diffs.append("%s present (%s)" % (name, got[0]))
        elif want is True and not got:
            diffs.append("%s missing" % name)
        elif isinstance(want, str) and got != [want]:
            diffs.append("%s: %s, expected %s" % (name, got, want))
        elif isinstance(want, re.Pattern) and not (len(got) == 1 and want.fullmatch(got[0])):
            diffs.append("%s: %s" % (name, got))
    if "body" in e:
        want = fill(e["body"], env)
        if isinstance(want, str) and body != want:
            diffs.append("body %r" % body[:80])
        elif isinstance(want, re.Pattern) and not want.search(body):
            diffs.append("body %r" % body[:80])
    if e.get("closes") and not closed:
        diffs.append("connection left open")
    if e.get("min_seconds") and seconds < e["min_seconds"]:
        diffs.append("answered after %.1f s" % seconds)
    for pattern in e.get("log", []):
        if not re.search(pattern, log):
            diffs.append("log lacks %r" % pattern)
    return ours, diffs


def short(text, n=48):
    """A repr() short enough for a table cell."""
    r = repr(text)
    return r if len(r) <= n else r[:n - 4] + "...'"


def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def documented(c):
    e = c["expect"]
    parts = []
    if e.get("reset"):
        return "connection reset, nothing sent"
    if "raw" in e:
        return "raw response written by the module"
    if "status" in e:
        parts.append(str(e["status"]))
    if "body" in e:
        b = e["body"]
        parts.append("body " + ("the file" if b == FILE else short(b) if isinstance(b, str)
                                else "~" + short(b.pattern)))
    for k, v in e.get("headers", {}).items():
        parts.append("%s %s" % (k, "absent" if v is None else "present" if v is True else
                                v if isinstance(v, str) else "~" + short(v.pattern)))
    if e.get("closes"):
        parts.append("then closes")
    if e.get("log"):
        parts.append("logs " + ", ".join(e["log"]))
    return "; ".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("docs")
    ap.add_argument("--server", default=os.path.join(ROOT, "build", "src", "server", "httpserv"))
    ap.add_argument("--out", default="/tmp/httpserv-ms-samples")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(args.docs, SAMPLES)):
        sys.exit("%s has no %s" % (args.docs, SAMPLES))
    os.makedirs(args.out, exist_ok=True)
    os.environ["HTTPSERV_BIN"] = os.path.abspath(args.server)
    api = os.path.join(ROOT, "include", "httpserv")
    site = tempfile.mkdtemp(prefix="ms-samples-")
    make_site(site)
    env = {"root": os.path.realpath(site)}
    rows = []
    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    for c in CASES:
        if args.only and not any(w.lower() in c["name"].lower() for w in args.only):
            continue
        result, ours, why = "SKIP", "-", c.get("skip") or ""
        sos = []
        if not why:
            for sample in c["samples"]:
                so, err = compile_sample(args.docs, sample, args.out, api)
                if err:
                    why = "%s does not compile: %s" % (sample.split("/")[0], err)
                    break
                sos.append(so)
        if not why:
            names = ["Sample" if i == 0 else "Sample%d" % i for i in range(len(sos))]
            if c["config"]:
                path = os.path.join(args.out, "applicationHost.config")
                with open(path, "w") as f:
                    f.write(APPHOST.replace("{root}", env["root"]).replace(
                        "{global_modules}", "\n".join(
                            '      <add name="%s" image="%s" />' % (n, so)
                            for n, so in zip(names, sos))).replace(
                        "{modules}", "\n".join('      <add name="%s" />' % n for n in names)))
                modules = ["--config", path]
            else:
                modules = []
                for n, so in zip(names, sos):
                    modules += ["--module", "%s=%s" % (n, so)]
            srv = harness.Server(site, args=modules + ["--request-timeout", "60"], workers=1)
            try:
                data, error, closed, seconds = exchange(srv.port, c["request"],
                                                        c["expect"].get("timeout", 10))
            except OSError as e:
                data, error, closed, seconds = b"", str(e), True, 0
            srv.close()
            log = "\n".join(srv._lines)
            with open(os.path.join(args.out, re.sub(r"\W+", "_", c["name"]) + ".log"), "w") as f:
                f.write(log)
            ours, diffs = check(c, data, error, closed, seconds, log, env)
            ours = ours.replace(env["root"], "{root}")  # the table does not depend on the run
            if "died on signal" in log:
                diffs.append("the server process crashed")
            result = "FAIL" if diffs else "PASS"
            why = "; ".join(diffs)
        counts[result] += 1
        rows.append((c, result, ours, why))
        if not args.markdown:
            print("%-4s %-55s %s" % (result, c["name"], why or ours), flush=True)
    shutil.rmtree(site, ignore_errors=True)
    if args.markdown:
        print("| sample | page | documented output | ours | status |")
        print("|---|---|---|---|---|")
        for c, result, ours, why in rows:
            text = ours if result == "PASS" else (why if result == "SKIP" else
                                                   "%s (%s)" % (ours, why))
            print("| %s | %s | %s: %s | %s | %s |" % (
                c["name"], c["page"], cell(c["doc"]), cell(documented(c)), cell(text), result))
    print("%d passed, %d failed, %d skipped" % (counts["PASS"], counts["FAIL"], counts["SKIP"]))
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
