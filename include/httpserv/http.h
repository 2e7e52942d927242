// HTTP Server API (HTTP.sys) types that the IIS native module API exposes (spec section 2).
//
// Layouts follow Windows x64 with fixed-width members, so the x86-64 Linux offsets are the
// Windows ones (e.g. sizeof(HTTP_DATA_CHUNK) == 32, sizeof(HTTP_RESPONSE_V1) == 552); the
// header tests check them. Differences from Windows that module authors can see:
//   - WCHAR is wchar_t (4 bytes). Length fields that HTTP.sys defines in bytes
//     (HTTP_COOKED_URL.*Length, FromFragmentCache.FragmentNameLength) stay in bytes, i.e.
//     characters * sizeof(WCHAR).
//   - A FromFileHandle chunk's HANDLE carries a POSIX file descriptor as (HANDLE)(intptr_t)fd
//     (see HttpservHandleFromFd in windef.h).
//   - PSOCKADDR points at a Linux sockaddr (AF_INET / AF_INET6 are the Linux values).
// Only the request/response side of HTTP.sys is declared; the HttpXxx functions of the
// server API (HttpReceiveHttpRequest, ...) do not exist on Linux.

#ifndef HTTPSERV_HTTP_H_
#define HTTPSERV_HTTP_H_

#include "compat/windef.h"
#include "compat/winsock2.h"

// ---------------------------------------------------------------------------------------------
// Identifiers and versions.
// ---------------------------------------------------------------------------------------------

typedef ULONGLONG HTTP_OPAQUE_ID;
typedef HTTP_OPAQUE_ID* PHTTP_OPAQUE_ID;
typedef HTTP_OPAQUE_ID HTTP_REQUEST_ID;
typedef HTTP_OPAQUE_ID* PHTTP_REQUEST_ID;
typedef HTTP_OPAQUE_ID HTTP_CONNECTION_ID;
typedef HTTP_OPAQUE_ID* PHTTP_CONNECTION_ID;
typedef HTTP_OPAQUE_ID HTTP_RAW_CONNECTION_ID;
typedef HTTP_OPAQUE_ID* PHTTP_RAW_CONNECTION_ID;
typedef HTTP_OPAQUE_ID HTTP_URL_GROUP_ID;
typedef HTTP_OPAQUE_ID* PHTTP_URL_GROUP_ID;
typedef HTTP_OPAQUE_ID HTTP_SERVER_SESSION_ID;
typedef HTTP_OPAQUE_ID* PHTTP_SERVER_SESSION_ID;
typedef ULONGLONG HTTP_URL_CONTEXT;

#define HTTP_NULL_ID (0ull)
#define HTTP_IS_NULL_ID(pid) (HTTP_NULL_ID == *(pid))
#define HTTP_SET_NULL_ID(pid) (*(pid) = HTTP_NULL_ID)

// Length value meaning "to the end of the file or fragment" in HTTP_BYTE_RANGE.Length.
#define HTTP_BYTE_RANGE_TO_EOF ((ULONGLONG)-1)

struct HTTP_BYTE_RANGE {
  ULARGE_INTEGER StartingOffset;
  ULARGE_INTEGER Length;  // HTTP_BYTE_RANGE_TO_EOF: up to the end.
};
typedef HTTP_BYTE_RANGE* PHTTP_BYTE_RANGE;

struct HTTP_VERSION {
  USHORT MajorVersion;
  USHORT MinorVersion;
};
typedef HTTP_VERSION* PHTTP_VERSION;

// Brace initialisers, e.g. `HTTP_VERSION v = HTTP_VERSION_1_1;`.
#define HTTP_VERSION_UNKNOWN \
  { 0, 0 }
#define HTTP_VERSION_0_9 \
  { 0, 9 }
#define HTTP_VERSION_1_0 \
  { 1, 0 }
#define HTTP_VERSION_1_1 \
  { 1, 1 }
#define HTTP_VERSION_2_0 \
  { 2, 0 }

#define HTTP_SET_VERSION(version, major, minor) \
  do {                                          \
    (version).MajorVersion = (major);           \
    (version).MinorVersion = (minor);           \
  } while (0)
#define HTTP_EQUAL_VERSION(version, major, minor) \
  ((version).MajorVersion == (major) && (version).MinorVersion == (minor))
#define HTTP_GREATER_VERSION(version, major, minor) \
  ((version).MajorVersion > (major) ||              \
   ((version).MajorVersion == (major) && (version).MinorVersion > (minor)))
#define HTTP_LESS_VERSION(version, major, minor) \
  ((version).MajorVersion < (major) ||           \
   ((version).MajorVersion == (major) && (version).MinorVersion < (minor)))
#define HTTP_NOT_EQUAL_VERSION(version, major, minor) (!HTTP_EQUAL_VERSION(version, major, minor))
#define HTTP_GREATER_EQUAL_VERSION(version, major, minor) \
  (!HTTP_LESS_VERSION(version, major, minor))
#define HTTP_LESS_EQUAL_VERSION(version, major, minor) \
  (!HTTP_GREATER_VERSION(version, major, minor))

// ---------------------------------------------------------------------------------------------
// Verbs and header ids (spec 2.2 / 2.3).
// ---------------------------------------------------------------------------------------------

enum HTTP_VERB {
  HttpVerbUnparsed = 0,
  HttpVerbUnknown = 1,  // See HTTP_REQUEST.pUnknownVerb.
  HttpVerbInvalid = 2,
  HttpVerbOPTIONS = 3,
  HttpVerbGET = 4,
  HttpVerbHEAD = 5,
  HttpVerbPOST = 6,
  HttpVerbPUT = 7,
  HttpVerbDELETE = 8,
  HttpVerbTRACE = 9,
  HttpVerbCONNECT = 10,
  HttpVerbTRACK = 11,
  HttpVerbMOVE = 12,
  HttpVerbCOPY = 13,
  HttpVerbPROPFIND = 14,
  HttpVerbPROPPATCH = 15,
  HttpVerbMKCOL = 16,
  HttpVerbLOCK = 17,
  HttpVerbUNLOCK = 18,
  HttpVerbSEARCH = 19,
  HttpVerbMaximum = 20
};
typedef HTTP_VERB* PHTTP_VERB;

// Request and response ids share 0-19 and overlap from 20 up: on a response, 20 is
// Accept-Ranges; on a request, 20 is Accept.
enum HTTP_HEADER_ID {
  HttpHeaderCacheControl = 0,
  HttpHeaderConnection = 1,
  HttpHeaderDate = 2,
  HttpHeaderKeepAlive = 3,
  HttpHeaderPragma = 4,
  HttpHeaderTrailer = 5,
  HttpHeaderTransferEncoding = 6,
  HttpHeaderUpgrade = 7,
  HttpHeaderVia = 8,
  HttpHeaderWarning = 9,
  HttpHeaderAllow = 10,
  HttpHeaderContentLength = 11,
  HttpHeaderContentType = 12,
  HttpHeaderContentEncoding = 13,
  HttpHeaderContentLanguage = 14,
  HttpHeaderContentLocation = 15,
  HttpHeaderContentMd5 = 16,
  HttpHeaderContentRange = 17,
  HttpHeaderExpires = 18,
  HttpHeaderLastModified = 19,

  // Request headers.
  HttpHeaderAccept = 20,
  HttpHeaderAcceptCharset = 21,
  HttpHeaderAcceptEncoding = 22,
  HttpHeaderAcceptLanguage = 23,
  HttpHeaderAuthorization = 24,
  HttpHeaderCookie = 25,
  HttpHeaderExpect = 26,
  HttpHeaderFrom = 27,
  HttpHeaderHost = 28,
  HttpHeaderIfMatch = 29,
  HttpHeaderIfModifiedSince = 30,
  HttpHeaderIfNoneMatch = 31,
  HttpHeaderIfRange = 32,
  HttpHeaderIfUnmodifiedSince = 33,
  HttpHeaderMaxForwards = 34,
  HttpHeaderProxyAuthorization = 35,
  HttpHeaderReferer = 36,
  HttpHeaderRange = 37,
  HttpHeaderTe = 38,
  HttpHeaderTranslate = 39,
  HttpHeaderUserAgent = 40,
  HttpHeaderRequestMaximum = 41,

  // Response headers.
  HttpHeaderAcceptRanges = 20,
  HttpHeaderAge = 21,
  HttpHeaderEtag = 22,
  HttpHeaderLocation = 23,
  HttpHeaderProxyAuthenticate = 24,
  HttpHeaderRetryAfter = 25,
  HttpHeaderServer = 26,
  HttpHeaderSetCookie = 27,
  HttpHeaderVary = 28,
  HttpHeaderWwwAuthenticate = 29,
  HttpHeaderResponseMaximum = 30,

  HttpHeaderMaximum = 41
};
typedef HTTP_HEADER_ID* PHTTP_HEADER_ID;

// A known header's value. pRawValue is not guaranteed to be NUL-terminated.
struct HTTP_KNOWN_HEADER {
  USHORT RawValueLength;  // Bytes, without a NUL.
  PCSTR pRawValue;
};
typedef HTTP_KNOWN_HEADER* PHTTP_KNOWN_HEADER;

// A header outside HTTP_HEADER_ID (also used for trailers). Strings are not guaranteed to be
// NUL-terminated.
struct HTTP_UNKNOWN_HEADER {
  USHORT NameLength;      // Bytes, without a NUL.
  USHORT RawValueLength;  // Bytes, without a NUL.
  PCSTR pName;
  PCSTR pRawValue;
};
typedef HTTP_UNKNOWN_HEADER* PHTTP_UNKNOWN_HEADER;

struct HTTP_REQUEST_HEADERS {
  USHORT UnknownHeaderCount;
  PHTTP_UNKNOWN_HEADER pUnknownHeaders;
  USHORT TrailerCount;  // Reserved by HTTP.sys; 0.
  PHTTP_UNKNOWN_HEADER pTrailers;
  HTTP_KNOWN_HEADER KnownHeaders[HttpHeaderRequestMaximum];
};
typedef HTTP_REQUEST_HEADERS* PHTTP_REQUEST_HEADERS;

struct HTTP_RESPONSE_HEADERS {
  USHORT UnknownHeaderCount;
  PHTTP_UNKNOWN_HEADER pUnknownHeaders;
  USHORT TrailerCount;  // Reserved by HTTP.sys; 0.
  PHTTP_UNKNOWN_HEADER pTrailers;
  HTTP_KNOWN_HEADER KnownHeaders[HttpHeaderResponseMaximum];
};
typedef HTTP_RESPONSE_HEADERS* PHTTP_RESPONSE_HEADERS;

// ---------------------------------------------------------------------------------------------
// Logging data (ISendResponseProvider::GetLogData / SetLogData).
// ---------------------------------------------------------------------------------------------

enum HTTP_LOG_DATA_TYPE { HttpLogDataTypeFields = 0 };
typedef HTTP_LOG_DATA_TYPE* PHTTP_LOG_DATA_TYPE;

// Header of a log record; Type says which structure follows.
struct HTTP_LOG_DATA {
  HTTP_LOG_DATA_TYPE Type;
};
typedef HTTP_LOG_DATA* PHTTP_LOG_DATA;

// The W3C log fields of one request (Type == HttpLogDataTypeFields). Lengths are in bytes.
struct HTTP_LOG_FIELDS_DATA {
  HTTP_LOG_DATA Base;
  USHORT UserNameLength;
  USHORT UriStemLength;
  USHORT ClientIpLength;
  USHORT ServerNameLength;
  USHORT ServiceNameLength;
  USHORT ServerIpLength;
  USHORT MethodLength;
  USHORT UriQueryLength;
  USHORT HostLength;
  USHORT UserAgentLength;
  USHORT CookieLength;
  USHORT ReferrerLength;
  PWCHAR UserName;
  PWCHAR UriStem;
  PCHAR ClientIp;
  PCHAR ServerName;
  PCHAR ServiceName;
  PCHAR ServerIp;
  PCHAR Method;
  PCHAR UriQuery;
  PCHAR Host;
  PCHAR UserAgent;
  PCHAR Cookie;
  PCHAR Referrer;
  USHORT ServerPort;
  USHORT ProtocolStatus;
  ULONG Win32Status;
  HTTP_VERB MethodNum;
  USHORT SubStatus;
};
typedef HTTP_LOG_FIELDS_DATA* PHTTP_LOG_FIELDS_DATA;

// ---------------------------------------------------------------------------------------------
// Data chunks (spec 2.1).
// ---------------------------------------------------------------------------------------------

enum HTTP_DATA_CHUNK_TYPE {
  HttpDataChunkFromMemory = 0,
  HttpDataChunkFromFileHandle = 1,
  HttpDataChunkFromFragmentCache = 2,
  HttpDataChunkFromFragmentCacheEx = 3,
  HttpDataChunkTrailers = 4,
  HttpDataChunkFromWinHttpFastForwarding = 5,
  HttpDataChunkMaximum = 6  // Differs between SDK generations; do not rely on it.
};
typedef HTTP_DATA_CHUNK_TYPE* PHTTP_DATA_CHUNK_TYPE;

// Union members of HTTP_DATA_CHUNK, named so that the union itself can stay anonymous in
// ISO C++ (`chunk.FromMemory.pBuffer`, as on Windows).
struct HTTP_DATA_CHUNK_FROM_MEMORY {
  PVOID pBuffer;
  ULONG BufferLength;  // Bytes (32-bit).
};
struct HTTP_DATA_CHUNK_FROM_FILE_HANDLE {
  HTTP_BYTE_RANGE ByteRange;  // Whole file: StartingOffset 0, Length HTTP_BYTE_RANGE_TO_EOF.
  HANDLE FileHandle;          // POSIX fd as (HANDLE)(intptr_t)fd.
};
struct HTTP_DATA_CHUNK_FROM_FRAGMENT_CACHE {
  USHORT FragmentNameLength;  // Bytes, without the NUL.
  PCWSTR pFragmentName;
};
struct HTTP_DATA_CHUNK_FROM_FRAGMENT_CACHE_EX {
  HTTP_BYTE_RANGE ByteRange;  // Range inside the fragment.
  PCWSTR pFragmentName;       // NUL-terminated.
};
struct HTTP_DATA_CHUNK_TRAILERS {
  USHORT TrailerCount;
  PHTTP_UNKNOWN_HEADER pTrailers;
};

// One piece of an entity body. DataChunkType selects the union member.
struct HTTP_DATA_CHUNK {
  HTTP_DATA_CHUNK_TYPE DataChunkType;
  union {
    HTTP_DATA_CHUNK_FROM_MEMORY FromMemory;
    HTTP_DATA_CHUNK_FROM_FILE_HANDLE FromFileHandle;
    HTTP_DATA_CHUNK_FROM_FRAGMENT_CACHE FromFragmentCache;
    HTTP_DATA_CHUNK_FROM_FRAGMENT_CACHE_EX FromFragmentCacheEx;
    HTTP_DATA_CHUNK_TRAILERS Trailers;
  };
};
typedef HTTP_DATA_CHUNK* PHTTP_DATA_CHUNK;

// ---------------------------------------------------------------------------------------------
// Request.
// ---------------------------------------------------------------------------------------------

// The canonicalised URL as one wide string "scheme://host/path?query". Lengths are in bytes,
// without a NUL. pQueryString points at the '?' (its length counts it) or is NULL.
struct HTTP_COOKED_URL {
  USHORT FullUrlLength;
  USHORT HostLength;
  USHORT AbsPathLength;
  USHORT QueryStringLength;
  PCWSTR pFullUrl;
  PCWSTR pHost;
  PCWSTR pAbsPath;
  PCWSTR pQueryString;
};
typedef HTTP_COOKED_URL* PHTTP_COOKED_URL;

struct HTTP_TRANSPORT_ADDRESS {
  PSOCKADDR pRemoteAddress;
  PSOCKADDR pLocalAddress;
};
typedef HTTP_TRANSPORT_ADDRESS* PHTTP_TRANSPORT_ADDRESS;

// TLS client certificate. pCertEncoded is DER; Token has no meaning on Linux (NULL).
struct HTTP_SSL_CLIENT_CERT_INFO {
  ULONG CertFlags;
  ULONG CertEncodedSize;
  PUCHAR pCertEncoded;
  HANDLE Token;
  BOOLEAN CertDeniedByMapper;
};
typedef HTTP_SSL_CLIENT_CERT_INFO* PHTTP_SSL_CLIENT_CERT_INFO;

// TLS connection details; NULL in HTTP_REQUEST.pSslInfo for plain HTTP.
struct HTTP_SSL_INFO {
  USHORT ServerCertKeySize;
  USHORT ConnectionKeySize;
  ULONG ServerCertIssuerSize;
  ULONG ServerCertSubjectSize;
  PCSTR pServerCertIssuer;
  PCSTR pServerCertSubject;
  PHTTP_SSL_CLIENT_CERT_INFO pClientCertInfo;
  ULONG SslClientCertNegotiated;
};
typedef HTTP_SSL_INFO* PHTTP_SSL_INFO;

enum HTTP_REQUEST_INFO_TYPE {
  HttpRequestInfoTypeAuth = 0,
  HttpRequestInfoTypeChannelBind = 1,
  HttpRequestInfoTypeSslProtocol = 2,
  HttpRequestInfoTypeSslTokenBindingDraft = 3,
  HttpRequestInfoTypeSslTokenBinding = 4,
  HttpRequestInfoTypeRequestTiming = 5,
  HttpRequestInfoTypeTcpInfoV0 = 6,
  HttpRequestInfoTypeRequestSizing = 7,
  HttpRequestInfoTypeQuicStats = 8,
  HttpRequestInfoTypeTcpInfoV1 = 9
};
typedef HTTP_REQUEST_INFO_TYPE* PHTTP_REQUEST_INFO_TYPE;

struct HTTP_REQUEST_INFO {
  HTTP_REQUEST_INFO_TYPE InfoType;
  ULONG InfoLength;
  PVOID pInfo;
};
typedef HTTP_REQUEST_INFO* PHTTP_REQUEST_INFO;

// HTTP_REQUEST flags.
#define HTTP_REQUEST_FLAG_MORE_ENTITY_BODY_EXISTS 0x00000001
#define HTTP_REQUEST_FLAG_IP_ROUTED 0x00000002
#define HTTP_REQUEST_FLAG_HTTP2 0x00000004  // Version still says 1.1 for HTTP/2.
#define HTTP_REQUEST_FLAG_HTTP3 0x00000008

struct HTTP_REQUEST_V1 {
  ULONG Flags;  // HTTP_REQUEST_FLAG_*.
  HTTP_CONNECTION_ID ConnectionId;
  HTTP_REQUEST_ID RequestId;
  HTTP_URL_CONTEXT UrlContext;
  HTTP_VERSION Version;
  HTTP_VERB Verb;
  USHORT UnknownVerbLength;  // Bytes; set when Verb == HttpVerbUnknown.
  USHORT RawUrlLength;       // Bytes.
  PCSTR pUnknownVerb;
  PCSTR pRawUrl;
  HTTP_COOKED_URL CookedUrl;
  HTTP_TRANSPORT_ADDRESS Address;
  HTTP_REQUEST_HEADERS Headers;
  ULONGLONG BytesReceived;
  USHORT EntityChunkCount;
  PHTTP_DATA_CHUNK pEntityChunks;
  HTTP_RAW_CONNECTION_ID RawConnectionId;
  PHTTP_SSL_INFO pSslInfo;
};
typedef HTTP_REQUEST_V1* PHTTP_REQUEST_V1;

struct HTTP_REQUEST_V2 : HTTP_REQUEST_V1 {
  USHORT RequestInfoCount;
  PHTTP_REQUEST_INFO pRequestInfo;
};
typedef HTTP_REQUEST_V2* PHTTP_REQUEST_V2;

typedef HTTP_REQUEST_V2 HTTP_REQUEST;
typedef HTTP_REQUEST* PHTTP_REQUEST;

// ---------------------------------------------------------------------------------------------
// Response.
// ---------------------------------------------------------------------------------------------

enum HTTP_RESPONSE_INFO_TYPE {
  HttpResponseInfoTypeMultipleKnownHeaders = 0,
  HttpResponseInfoTypeAuthenticationProperty = 1,
  HttpResponseInfoTypeQoSProperty = 2,
  HttpResponseInfoTypeChannelBind = 3
};
typedef HTTP_RESPONSE_INFO_TYPE* PHTTP_RESPONSE_INFO_TYPE;

struct HTTP_RESPONSE_INFO {
  HTTP_RESPONSE_INFO_TYPE Type;
  ULONG Length;
  PVOID pInfo;
};
typedef HTTP_RESPONSE_INFO* PHTTP_RESPONSE_INFO;

struct HTTP_RESPONSE_V1 {
  ULONG Flags;
  HTTP_VERSION Version;
  USHORT StatusCode;
  USHORT ReasonLength;  // Bytes, without a NUL.
  PCSTR pReason;
  HTTP_RESPONSE_HEADERS Headers;
  USHORT EntityChunkCount;  // USHORT: at most 65535 buffered chunks.
  PHTTP_DATA_CHUNK pEntityChunks;
};
typedef HTTP_RESPONSE_V1* PHTTP_RESPONSE_V1;

struct HTTP_RESPONSE_V2 : HTTP_RESPONSE_V1 {
  USHORT ResponseInfoCount;
  PHTTP_RESPONSE_INFO pResponseInfo;
};
typedef HTTP_RESPONSE_V2* PHTTP_RESPONSE_V2;

typedef HTTP_RESPONSE_V2 HTTP_RESPONSE;
typedef HTTP_RESPONSE* PHTTP_RESPONSE;

// Flags of one send (ISendResponseProvider::GetFlags / SetFlags).
#define HTTP_SEND_RESPONSE_FLAG_DISCONNECT 0x00000001
#define HTTP_SEND_RESPONSE_FLAG_MORE_DATA 0x00000002
#define HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA 0x00000004
#define HTTP_SEND_RESPONSE_FLAG_ENABLE_NAGLING 0x00000008
#define HTTP_SEND_RESPONSE_FLAG_PROCESS_RANGES 0x00000020
#define HTTP_SEND_RESPONSE_FLAG_OPAQUE 0x00000040  // 101 responses: raw bytes follow.
#define HTTP_SEND_RESPONSE_FLAG_GOAWAY 0x00000100

// ---------------------------------------------------------------------------------------------
// Cache policy.
// ---------------------------------------------------------------------------------------------

enum HTTP_CACHE_POLICY_TYPE {
  HttpCachePolicyNocache = 0,
  HttpCachePolicyUserInvalidates = 1,
  HttpCachePolicyTimeToLive = 2,
  HttpCachePolicyMaximum = 3
};
typedef HTTP_CACHE_POLICY_TYPE* PHTTP_CACHE_POLICY_TYPE;

struct HTTP_CACHE_POLICY {
  HTTP_CACHE_POLICY_TYPE Policy;
  ULONG SecondsToLive;  // For HttpCachePolicyTimeToLive.
};
typedef HTTP_CACHE_POLICY* PHTTP_CACHE_POLICY;

// ---------------------------------------------------------------------------------------------
// Request properties (IHttpServer3::QueryRequestProperty).
// ---------------------------------------------------------------------------------------------

enum HTTP_REQUEST_PROPERTY {
  HttpRequestPropertyIsb = 0,
  HttpRequestPropertyTcpInfoV0 = 1,
  HttpRequestPropertyQuicStats = 2,
  HttpRequestPropertyTcpInfoV1 = 3,
  HttpRequestPropertySni = 4,
  HttpRequestPropertyStreamError = 5
};
typedef HTTP_REQUEST_PROPERTY* PHTTP_REQUEST_PROPERTY;

#define HTTP_REQUEST_PROPERTY_SNI_HOST_MAX_LENGTH 255
#define HTTP_REQUEST_PROPERTY_SNI_FLAG_SNI_USED 0x00000001
#define HTTP_REQUEST_PROPERTY_SNI_FLAG_NO_SNI 0x00000002

// Result of HttpRequestPropertySni: the TLS server name the client asked for.
struct HTTP_REQUEST_PROPERTY_SNI {
  WCHAR Hostname[HTTP_REQUEST_PROPERTY_SNI_HOST_MAX_LENGTH + 1];
  ULONG Flags;  // HTTP_REQUEST_PROPERTY_SNI_FLAG_*.
};
typedef HTTP_REQUEST_PROPERTY_SNI* PHTTP_REQUEST_PROPERTY_SNI;

#endif  // HTTPSERV_HTTP_H_
