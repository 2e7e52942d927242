// Layout, constant-value and interface-shape checks for include/httpserv (spec sections 1,
// 2, 4, 5.5, 8). Every fact is checked twice: by static_assert (the build fails) and by a
// runtime EXPECT (the test report names it).

#include <gtest/gtest.h>
#include <httpserv.h>

#include <cstddef>
#include <cstring>
#include <cwchar>
#include <type_traits>

#include "fake_server_objects.h"
#include "test_log_capture.h"

namespace {

using headers_test::FakeCompletionInfo;
using headers_test::FakeContext;
using headers_test::FakeRegistrationInfo;
using headers_test::FakeRequest;
using headers_test::FakeResponse;
using headers_test::FakeServer;

// Both a compile-time and a run-time check of the same condition.
#define CHECK_BOTH(expr)      \
  static_assert(expr, #expr); \
  EXPECT_TRUE(expr) << #expr

// ---------------------------------------------------------------------------------------------
// Win32 scalar widths (spec 1.1).
// ---------------------------------------------------------------------------------------------

TEST(HeaderLayout, ScalarWidths) {
  CHECK_BOTH(sizeof(BYTE) == 1);
  CHECK_BOTH(sizeof(UCHAR) == 1);
  CHECK_BOTH(sizeof(BOOLEAN) == 1);
  CHECK_BOTH(sizeof(CHAR) == 1);
  CHECK_BOTH(sizeof(SHORT) == 2);
  CHECK_BOTH(sizeof(USHORT) == 2);
  CHECK_BOTH(sizeof(WORD) == 2);
  CHECK_BOTH(sizeof(INT) == 4);
  CHECK_BOTH(sizeof(UINT) == 4);
  CHECK_BOTH(sizeof(LONG) == 4);
  CHECK_BOTH(sizeof(ULONG) == 4);
  CHECK_BOTH(sizeof(DWORD) == 4);
  CHECK_BOTH(sizeof(BOOL) == 4);
  CHECK_BOTH(sizeof(HRESULT) == 4);
  CHECK_BOTH(sizeof(LONGLONG) == 8);
  CHECK_BOTH(sizeof(ULONGLONG) == 8);
  CHECK_BOTH(sizeof(DWORD64) == 8);
  CHECK_BOTH(sizeof(ULONG_PTR) == sizeof(void*));
  CHECK_BOTH(sizeof(DWORD_PTR) == sizeof(void*));
  CHECK_BOTH(sizeof(SIZE_T) == sizeof(void*));
  CHECK_BOTH(sizeof(HANDLE) == sizeof(void*));
  CHECK_BOTH(sizeof(WCHAR) == sizeof(wchar_t));
  CHECK_BOTH((std::is_same_v<WCHAR, wchar_t>));
  CHECK_BOTH((std::is_same_v<PCWSTR, const wchar_t*>));
  CHECK_BOTH((std::is_same_v<PCSTR, const char*>));
  CHECK_BOTH((std::is_same_v<BOOL, int32_t>));
  CHECK_BOTH((std::is_same_v<DWORD, uint32_t>));
  CHECK_BOTH((std::is_same_v<LONG, int32_t>));
  CHECK_BOTH((std::is_same_v<HRESULT, int32_t>));
  CHECK_BOTH(std::is_signed_v<HRESULT>);
  CHECK_BOTH(std::is_unsigned_v<DWORD>);
  CHECK_BOTH(TRUE == 1 && FALSE == 0);
  CHECK_BOTH(MAX_PATH == 260);
}

TEST(HeaderLayout, Aggregates) {
  CHECK_BOTH(sizeof(GUID) == 16);
  CHECK_BOTH(offsetof(GUID, Data2) == 4);
  CHECK_BOTH(offsetof(GUID, Data3) == 6);
  CHECK_BOTH(offsetof(GUID, Data4) == 8);
  CHECK_BOTH(sizeof(LARGE_INTEGER) == 8);
  CHECK_BOTH(alignof(LARGE_INTEGER) == 8);
  CHECK_BOTH(sizeof(ULARGE_INTEGER) == 8);
  CHECK_BOTH(sizeof(FILETIME) == 8);
  CHECK_BOTH(sizeof(OVERLAPPED) == 32);
  CHECK_BOTH(offsetof(OVERLAPPED, hEvent) == 24);

  LARGE_INTEGER li;
  li.QuadPart = 0x1122334455667788LL;
  EXPECT_EQ(li.LowPart, 0x55667788u);
  EXPECT_EQ(li.HighPart, 0x11223344);
  EXPECT_EQ(li.u.LowPart, 0x55667788u);
  ULARGE_INTEGER uli;
  uli.LowPart = 1;
  uli.HighPart = 2;
  EXPECT_EQ(uli.QuadPart, 0x0000000200000001ULL);
}

// ---------------------------------------------------------------------------------------------
// HTTP.sys structures (spec 2).
// ---------------------------------------------------------------------------------------------

TEST(HeaderLayout, DataChunk) {
  CHECK_BOTH(sizeof(HTTP_DATA_CHUNK_TYPE) == 4);
  CHECK_BOTH(sizeof(HTTP_BYTE_RANGE) == 16);
  CHECK_BOTH(offsetof(HTTP_BYTE_RANGE, Length) == 8);
  CHECK_BOTH(sizeof(HTTP_DATA_CHUNK) == 32);
  CHECK_BOTH(std::is_standard_layout_v<HTTP_DATA_CHUNK>);
  CHECK_BOTH(offsetof(HTTP_DATA_CHUNK, DataChunkType) == 0);

  constexpr size_t kMem = offsetof(HTTP_DATA_CHUNK, FromMemory);
  CHECK_BOTH(kMem + offsetof(HTTP_DATA_CHUNK_FROM_MEMORY, pBuffer) == 8);
  CHECK_BOTH(kMem + offsetof(HTTP_DATA_CHUNK_FROM_MEMORY, BufferLength) == 16);

  constexpr size_t kFile = offsetof(HTTP_DATA_CHUNK, FromFileHandle);
  CHECK_BOTH(kFile + offsetof(HTTP_DATA_CHUNK_FROM_FILE_HANDLE, ByteRange) == 8);
  CHECK_BOTH(kFile + offsetof(HTTP_DATA_CHUNK_FROM_FILE_HANDLE, FileHandle) == 24);

  constexpr size_t kFrag = offsetof(HTTP_DATA_CHUNK, FromFragmentCache);
  CHECK_BOTH(kFrag + offsetof(HTTP_DATA_CHUNK_FROM_FRAGMENT_CACHE, FragmentNameLength) == 8);
  CHECK_BOTH(kFrag + offsetof(HTTP_DATA_CHUNK_FROM_FRAGMENT_CACHE, pFragmentName) == 16);

  constexpr size_t kFragEx = offsetof(HTTP_DATA_CHUNK, FromFragmentCacheEx);
  CHECK_BOTH(kFragEx + offsetof(HTTP_DATA_CHUNK_FROM_FRAGMENT_CACHE_EX, ByteRange) == 8);
  CHECK_BOTH(kFragEx + offsetof(HTTP_DATA_CHUNK_FROM_FRAGMENT_CACHE_EX, pFragmentName) == 24);

  constexpr size_t kTrailers = offsetof(HTTP_DATA_CHUNK, Trailers);
  CHECK_BOTH(kTrailers + offsetof(HTTP_DATA_CHUNK_TRAILERS, TrailerCount) == 8);
  CHECK_BOTH(kTrailers + offsetof(HTTP_DATA_CHUNK_TRAILERS, pTrailers) == 16);

  // The union is anonymous: members are reached as chunk.FromMemory.pBuffer.
  HTTP_DATA_CHUNK chunk;
  std::memset(&chunk, 0, sizeof(chunk));
  chunk.DataChunkType = HttpDataChunkFromFileHandle;
  chunk.FromFileHandle.ByteRange.StartingOffset.QuadPart = 0;
  chunk.FromFileHandle.ByteRange.Length.QuadPart = HTTP_BYTE_RANGE_TO_EOF;
  chunk.FromFileHandle.FileHandle = HttpservHandleFromFd(7);
  EXPECT_EQ(HttpservFdFromHandle(chunk.FromFileHandle.FileHandle), 7);
  EXPECT_EQ(
      reinterpret_cast<char*>(&chunk.FromFileHandle.FileHandle) - reinterpret_cast<char*>(&chunk),
      24);

  CHECK_BOTH(HttpDataChunkFromMemory == 0);
  CHECK_BOTH(HttpDataChunkFromFileHandle == 1);
  CHECK_BOTH(HttpDataChunkFromFragmentCache == 2);
  CHECK_BOTH(HttpDataChunkFromFragmentCacheEx == 3);
  CHECK_BOTH(HttpDataChunkTrailers == 4);
  CHECK_BOTH(HttpDataChunkFromWinHttpFastForwarding == 5);
  CHECK_BOTH(HTTP_BYTE_RANGE_TO_EOF == 0xFFFFFFFFFFFFFFFFULL);
}

TEST(HeaderLayout, Headers) {
  CHECK_BOTH(sizeof(HTTP_KNOWN_HEADER) == 16);
  CHECK_BOTH(offsetof(HTTP_KNOWN_HEADER, pRawValue) == 8);
  CHECK_BOTH(sizeof(HTTP_UNKNOWN_HEADER) == 24);
  CHECK_BOTH(offsetof(HTTP_UNKNOWN_HEADER, RawValueLength) == 2);
  CHECK_BOTH(offsetof(HTTP_UNKNOWN_HEADER, pName) == 8);
  CHECK_BOTH(offsetof(HTTP_UNKNOWN_HEADER, pRawValue) == 16);
  CHECK_BOTH(sizeof(HTTP_REQUEST_HEADERS::KnownHeaders) / sizeof(HTTP_KNOWN_HEADER) == 41);
  CHECK_BOTH(sizeof(HTTP_RESPONSE_HEADERS::KnownHeaders) / sizeof(HTTP_KNOWN_HEADER) == 30);
  CHECK_BOTH(offsetof(HTTP_RESPONSE_HEADERS, KnownHeaders) == 32);
  CHECK_BOTH(sizeof(HTTP_RESPONSE_HEADERS) == 32 + 30 * 16);
  CHECK_BOTH(sizeof(HTTP_REQUEST_HEADERS) == 32 + 41 * 16);
}

TEST(HeaderLayout, Response) {
  CHECK_BOTH(sizeof(HTTP_VERSION) == 4);
  CHECK_BOTH(sizeof(HTTP_RESPONSE_V1) == 552);
  CHECK_BOTH(offsetof(HTTP_RESPONSE_V1, Version) == 4);
  CHECK_BOTH(offsetof(HTTP_RESPONSE_V1, StatusCode) == 8);
  CHECK_BOTH(offsetof(HTTP_RESPONSE_V1, ReasonLength) == 10);
  CHECK_BOTH(offsetof(HTTP_RESPONSE_V1, pReason) == 16);
  CHECK_BOTH(offsetof(HTTP_RESPONSE_V1, Headers) == 24);
  CHECK_BOTH(offsetof(HTTP_RESPONSE_V1, EntityChunkCount) == 536);
  CHECK_BOTH(offsetof(HTTP_RESPONSE_V1, pEntityChunks) == 544);
  CHECK_BOTH((std::is_base_of_v<HTTP_RESPONSE_V1, HTTP_RESPONSE_V2>));
  CHECK_BOTH((std::is_same_v<HTTP_RESPONSE, HTTP_RESPONSE_V2>));
  CHECK_BOTH(sizeof(HTTP_RESPONSE_V2) == 568);

  // V2 is not standard-layout (members in base and derived), so measure at run time.
  HTTP_RESPONSE r{};
  const char* base = reinterpret_cast<const char*>(&r);
  EXPECT_EQ(reinterpret_cast<const char*>(static_cast<HTTP_RESPONSE_V1*>(&r)) - base, 0);
  EXPECT_EQ(reinterpret_cast<const char*>(&r.EntityChunkCount) - base, 536);
  EXPECT_EQ(reinterpret_cast<const char*>(&r.ResponseInfoCount) - base, 552);
  EXPECT_EQ(reinterpret_cast<const char*>(&r.pResponseInfo) - base, 560);
  CHECK_BOTH((std::is_same_v<decltype(r.EntityChunkCount), USHORT>));
}

TEST(HeaderLayout, Request) {
  CHECK_BOTH(sizeof(HTTP_OPAQUE_ID) == 8);
  CHECK_BOTH(sizeof(HTTP_COOKED_URL) == 40);
  CHECK_BOTH(offsetof(HTTP_COOKED_URL, pFullUrl) == 8);
  CHECK_BOTH(sizeof(HTTP_TRANSPORT_ADDRESS) == 16);
  CHECK_BOTH(offsetof(HTTP_REQUEST_V1, ConnectionId) == 8);
  CHECK_BOTH(offsetof(HTTP_REQUEST_V1, Version) == 32);
  CHECK_BOTH(offsetof(HTTP_REQUEST_V1, Verb) == 36);
  CHECK_BOTH(offsetof(HTTP_REQUEST_V1, pUnknownVerb) == 48);
  CHECK_BOTH(offsetof(HTTP_REQUEST_V1, CookedUrl) == 64);
  CHECK_BOTH(offsetof(HTTP_REQUEST_V1, Address) == 104);
  CHECK_BOTH(offsetof(HTTP_REQUEST_V1, Headers) == 120);
  CHECK_BOTH(offsetof(HTTP_REQUEST_V1, BytesReceived) == 808);
  CHECK_BOTH(offsetof(HTTP_REQUEST_V1, EntityChunkCount) == 816);
  CHECK_BOTH(offsetof(HTTP_REQUEST_V1, pSslInfo) == 840);
  CHECK_BOTH(sizeof(HTTP_REQUEST_V1) == 848);
  CHECK_BOTH(sizeof(HTTP_REQUEST_V2) == 864);
  CHECK_BOTH((std::is_same_v<HTTP_REQUEST, HTTP_REQUEST_V2>));
  CHECK_BOTH(sizeof(HTTP_SSL_INFO) == 48);
  CHECK_BOTH(offsetof(HTTP_SSL_INFO, pClientCertInfo) == 32);
  CHECK_BOTH(sizeof(HTTP_SSL_CLIENT_CERT_INFO) == 32);
  CHECK_BOTH(offsetof(HTTP_SSL_CLIENT_CERT_INFO, CertDeniedByMapper) == 24);
  CHECK_BOTH(sizeof(HTTP_CACHE_POLICY) == 8);
  CHECK_BOTH(sizeof(HTTP_LOG_DATA) == 4);
  CHECK_BOTH(offsetof(HTTP_LOG_FIELDS_DATA, Base) == 0);

  HTTP_REQUEST q{};
  const char* base = reinterpret_cast<const char*>(&q);
  EXPECT_EQ(reinterpret_cast<const char*>(&q.RequestInfoCount) - base, 848);
  EXPECT_EQ(reinterpret_cast<const char*>(&q.pRequestInfo) - base, 856);
}

TEST(HeaderLayout, HeaderIds) {
  // Common ids 0-19.
  CHECK_BOTH(HttpHeaderCacheControl == 0);
  CHECK_BOTH(HttpHeaderConnection == 1);
  CHECK_BOTH(HttpHeaderDate == 2);
  CHECK_BOTH(HttpHeaderKeepAlive == 3);
  CHECK_BOTH(HttpHeaderPragma == 4);
  CHECK_BOTH(HttpHeaderTrailer == 5);
  CHECK_BOTH(HttpHeaderTransferEncoding == 6);
  CHECK_BOTH(HttpHeaderUpgrade == 7);
  CHECK_BOTH(HttpHeaderVia == 8);
  CHECK_BOTH(HttpHeaderWarning == 9);
  CHECK_BOTH(HttpHeaderAllow == 10);
  CHECK_BOTH(HttpHeaderContentLength == 11);
  CHECK_BOTH(HttpHeaderContentType == 12);
  CHECK_BOTH(HttpHeaderContentEncoding == 13);
  CHECK_BOTH(HttpHeaderContentLanguage == 14);
  CHECK_BOTH(HttpHeaderContentLocation == 15);
  CHECK_BOTH(HttpHeaderContentMd5 == 16);
  CHECK_BOTH(HttpHeaderContentRange == 17);
  CHECK_BOTH(HttpHeaderExpires == 18);
  CHECK_BOTH(HttpHeaderLastModified == 19);
  // Request ids 20-40.
  CHECK_BOTH(HttpHeaderAccept == 20);
  CHECK_BOTH(HttpHeaderAcceptCharset == 21);
  CHECK_BOTH(HttpHeaderAcceptEncoding == 22);
  CHECK_BOTH(HttpHeaderAcceptLanguage == 23);
  CHECK_BOTH(HttpHeaderAuthorization == 24);
  CHECK_BOTH(HttpHeaderCookie == 25);
  CHECK_BOTH(HttpHeaderExpect == 26);
  CHECK_BOTH(HttpHeaderFrom == 27);
  CHECK_BOTH(HttpHeaderHost == 28);
  CHECK_BOTH(HttpHeaderIfMatch == 29);
  CHECK_BOTH(HttpHeaderIfModifiedSince == 30);
  CHECK_BOTH(HttpHeaderIfNoneMatch == 31);
  CHECK_BOTH(HttpHeaderIfRange == 32);
  CHECK_BOTH(HttpHeaderIfUnmodifiedSince == 33);
  CHECK_BOTH(HttpHeaderMaxForwards == 34);
  CHECK_BOTH(HttpHeaderProxyAuthorization == 35);
  CHECK_BOTH(HttpHeaderReferer == 36);
  CHECK_BOTH(HttpHeaderRange == 37);
  CHECK_BOTH(HttpHeaderTe == 38);
  CHECK_BOTH(HttpHeaderTranslate == 39);
  CHECK_BOTH(HttpHeaderUserAgent == 40);
  CHECK_BOTH(HttpHeaderRequestMaximum == 41);
  // Response ids 20-29 overlap the request ids.
  CHECK_BOTH(HttpHeaderAcceptRanges == 20);
  CHECK_BOTH(HttpHeaderAge == 21);
  CHECK_BOTH(HttpHeaderEtag == 22);
  CHECK_BOTH(HttpHeaderLocation == 23);
  CHECK_BOTH(HttpHeaderProxyAuthenticate == 24);
  CHECK_BOTH(HttpHeaderRetryAfter == 25);
  CHECK_BOTH(HttpHeaderServer == 26);
  CHECK_BOTH(HttpHeaderSetCookie == 27);
  CHECK_BOTH(HttpHeaderVary == 28);
  CHECK_BOTH(HttpHeaderWwwAuthenticate == 29);
  CHECK_BOTH(HttpHeaderResponseMaximum == 30);
  CHECK_BOTH(HttpHeaderMaximum == 41);
}

TEST(HeaderLayout, VerbsAndFlags) {
  CHECK_BOTH(HttpVerbUnparsed == 0);
  CHECK_BOTH(HttpVerbUnknown == 1);
  CHECK_BOTH(HttpVerbInvalid == 2);
  CHECK_BOTH(HttpVerbOPTIONS == 3);
  CHECK_BOTH(HttpVerbGET == 4);
  CHECK_BOTH(HttpVerbHEAD == 5);
  CHECK_BOTH(HttpVerbPOST == 6);
  CHECK_BOTH(HttpVerbPUT == 7);
  CHECK_BOTH(HttpVerbDELETE == 8);
  CHECK_BOTH(HttpVerbTRACE == 9);
  CHECK_BOTH(HttpVerbCONNECT == 10);
  CHECK_BOTH(HttpVerbTRACK == 11);
  CHECK_BOTH(HttpVerbMOVE == 12);
  CHECK_BOTH(HttpVerbCOPY == 13);
  CHECK_BOTH(HttpVerbPROPFIND == 14);
  CHECK_BOTH(HttpVerbPROPPATCH == 15);
  CHECK_BOTH(HttpVerbMKCOL == 16);
  CHECK_BOTH(HttpVerbLOCK == 17);
  CHECK_BOTH(HttpVerbUNLOCK == 18);
  CHECK_BOTH(HttpVerbSEARCH == 19);
  CHECK_BOTH(HttpVerbMaximum == 20);

  CHECK_BOTH(HTTP_REQUEST_FLAG_MORE_ENTITY_BODY_EXISTS == 0x1);
  CHECK_BOTH(HTTP_REQUEST_FLAG_IP_ROUTED == 0x2);
  CHECK_BOTH(HTTP_REQUEST_FLAG_HTTP2 == 0x4);
  CHECK_BOTH(HTTP_REQUEST_FLAG_HTTP3 == 0x8);

  CHECK_BOTH(HTTP_SEND_RESPONSE_FLAG_DISCONNECT == 0x1);
  CHECK_BOTH(HTTP_SEND_RESPONSE_FLAG_MORE_DATA == 0x2);
  CHECK_BOTH(HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA == 0x4);
  CHECK_BOTH(HTTP_SEND_RESPONSE_FLAG_ENABLE_NAGLING == 0x8);
  CHECK_BOTH(HTTP_SEND_RESPONSE_FLAG_PROCESS_RANGES == 0x20);
  CHECK_BOTH(HTTP_SEND_RESPONSE_FLAG_OPAQUE == 0x40);
  CHECK_BOTH(HTTP_SEND_RESPONSE_FLAG_GOAWAY == 0x100);

  CHECK_BOTH(HttpCachePolicyNocache == 0);
  CHECK_BOTH(HttpCachePolicyUserInvalidates == 1);
  CHECK_BOTH(HttpCachePolicyTimeToLive == 2);

  HTTP_VERSION v = HTTP_VERSION_1_1;
  EXPECT_TRUE(HTTP_EQUAL_VERSION(v, 1, 1));
  EXPECT_TRUE(HTTP_GREATER_VERSION(v, 1, 0));
  EXPECT_TRUE(HTTP_LESS_VERSION(v, 2, 0));
}

// ---------------------------------------------------------------------------------------------
// HRESULTs and Win32 errors (spec 1.3, 1.4).
// ---------------------------------------------------------------------------------------------

TEST(HeaderLayout, HresultMacros) {
  CHECK_BOTH(SUCCEEDED(S_OK));
  CHECK_BOTH(SUCCEEDED(S_FALSE));
  CHECK_BOTH(FAILED(E_FAIL));
  CHECK_BOTH(!FAILED(S_FALSE));
  CHECK_BOTH(FACILITY_WIN32 == 7);
  CHECK_BOTH(HRESULT_FROM_WIN32(0) == S_OK);
  CHECK_BOTH(HRESULT_FROM_WIN32(static_cast<DWORD>(E_FAIL)) == E_FAIL);  // <= 0 passes through
  CHECK_BOTH(HRESULT_FROM_WIN32(ERROR_ARITHMETIC_OVERFLOW) == static_cast<HRESULT>(0x80070216));
  CHECK_BOTH(HRESULT_FROM_WIN32(0x12345) == static_cast<HRESULT>(0x80072345));  // low 16 bits
  CHECK_BOTH(HRESULT_CODE(HRESULT_FROM_WIN32(ERROR_HANDLE_EOF)) == ERROR_HANDLE_EOF);
  CHECK_BOTH(HRESULT_FACILITY(E_INVALIDARG) == FACILITY_WIN32);
  CHECK_BOTH(HRESULT_SEVERITY(E_INVALIDARG) == SEVERITY_ERROR);
  CHECK_BOTH(MAKE_HRESULT(SEVERITY_ERROR, FACILITY_WIN32, ERROR_INVALID_PARAMETER) == E_INVALIDARG);
  CHECK_BOTH(E_INVALIDARG == HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER));
  CHECK_BOTH(E_OUTOFMEMORY == HRESULT_FROM_WIN32(ERROR_OUTOFMEMORY));
  CHECK_BOTH(E_OUTOFMEMORY != HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY));
  CHECK_BOTH(E_ACCESSDENIED == HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED));
  CHECK_BOTH(E_HANDLE == HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE));
  CHECK_BOTH(E_NOT_SUFFICIENT_BUFFER == HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER));
  CHECK_BOTH((std::is_same_v<decltype(HRESULT_FROM_WIN32(1)), HRESULT>));
  CHECK_BOTH((std::is_same_v<std::remove_cv_t<decltype(E_FAIL)>, HRESULT>));

  // Usable as a run-time function and in case labels.
  DWORD runtime_error = ERROR_HANDLE_EOF;
  HRESULT hr = HRESULT_FROM_WIN32(runtime_error);
  switch (hr) {
    case HRESULT_FROM_WIN32(ERROR_HANDLE_EOF):
      SUCCEED();
      break;
    default:
      ADD_FAILURE() << "HRESULT_FROM_WIN32 case label did not match";
  }
}

TEST(HeaderLayout, HresultTable) {
  // Every row of spec 1.4: Win32 value and HRESULT value.
  struct Row {
    const char* name;
    long win32;  // -1 when the row has no Win32 value.
    HRESULT code;
    HRESULT expected;
  };
  const Row rows[] = {
      {"S_OK", 0, S_OK, static_cast<HRESULT>(0x00000000)},
      {"NO_ERROR", NO_ERROR, HRESULT_FROM_WIN32(NO_ERROR), static_cast<HRESULT>(0x00000000)},
      {"S_FALSE", -1, S_FALSE, static_cast<HRESULT>(0x00000001)},
      {"E_FAIL", -1, E_FAIL, static_cast<HRESULT>(0x80004005)},
      {"E_NOTIMPL", -1, E_NOTIMPL, static_cast<HRESULT>(0x80004001)},
      {"E_NOINTERFACE", -1, E_NOINTERFACE, static_cast<HRESULT>(0x80004002)},
      {"E_POINTER", -1, E_POINTER, static_cast<HRESULT>(0x80004003)},
      {"E_ABORT", -1, E_ABORT, static_cast<HRESULT>(0x80004004)},
      {"E_UNEXPECTED", -1, E_UNEXPECTED, static_cast<HRESULT>(0x8000FFFF)},
      {"E_PENDING", -1, E_PENDING, static_cast<HRESULT>(0x8000000A)},
      {"E_ACCESSDENIED", 5, E_ACCESSDENIED, static_cast<HRESULT>(0x80070005)},
      {"E_HANDLE", 6, E_HANDLE, static_cast<HRESULT>(0x80070006)},
      {"E_OUTOFMEMORY", ERROR_OUTOFMEMORY, E_OUTOFMEMORY, static_cast<HRESULT>(0x8007000E)},
      {"E_INVALIDARG", ERROR_INVALID_PARAMETER, E_INVALIDARG, static_cast<HRESULT>(0x80070057)},
      {"ERROR_FILE_NOT_FOUND", ERROR_FILE_NOT_FOUND, HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND),
       static_cast<HRESULT>(0x80070002)},
      {"ERROR_PATH_NOT_FOUND", ERROR_PATH_NOT_FOUND, HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND),
       static_cast<HRESULT>(0x80070003)},
      {"ERROR_INVALID_HANDLE", ERROR_INVALID_HANDLE, HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE),
       static_cast<HRESULT>(0x80070006)},
      {"ERROR_NOT_ENOUGH_MEMORY", ERROR_NOT_ENOUGH_MEMORY,
       HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY), static_cast<HRESULT>(0x80070008)},
      {"ERROR_BAD_FORMAT", ERROR_BAD_FORMAT, HRESULT_FROM_WIN32(ERROR_BAD_FORMAT),
       static_cast<HRESULT>(0x8007000B)},
      {"ERROR_INVALID_DATA", ERROR_INVALID_DATA, HRESULT_FROM_WIN32(ERROR_INVALID_DATA),
       static_cast<HRESULT>(0x8007000D)},
      {"ERROR_HANDLE_EOF", ERROR_HANDLE_EOF, HRESULT_FROM_WIN32(ERROR_HANDLE_EOF),
       static_cast<HRESULT>(0x80070026)},
      {"ERROR_NOT_SUPPORTED", ERROR_NOT_SUPPORTED, HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED),
       static_cast<HRESULT>(0x80070032)},
      {"ERROR_NETNAME_DELETED", ERROR_NETNAME_DELETED, HRESULT_FROM_WIN32(ERROR_NETNAME_DELETED),
       static_cast<HRESULT>(0x80070040)},
      {"ERROR_ALREADY_ASSIGNED", ERROR_ALREADY_ASSIGNED, HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED),
       static_cast<HRESULT>(0x80070055)},
      {"ERROR_INVALID_PARAMETER", ERROR_INVALID_PARAMETER,
       HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER), static_cast<HRESULT>(0x80070057)},
      {"ERROR_BROKEN_PIPE", ERROR_BROKEN_PIPE, HRESULT_FROM_WIN32(ERROR_BROKEN_PIPE),
       static_cast<HRESULT>(0x8007006D)},
      {"ERROR_INSUFFICIENT_BUFFER", ERROR_INSUFFICIENT_BUFFER,
       HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER), static_cast<HRESULT>(0x8007007A)},
      {"ERROR_ALREADY_EXISTS", ERROR_ALREADY_EXISTS, HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS),
       static_cast<HRESULT>(0x800700B7)},
      {"ERROR_MORE_DATA", ERROR_MORE_DATA, HRESULT_FROM_WIN32(ERROR_MORE_DATA),
       static_cast<HRESULT>(0x800700EA)},
      {"ERROR_ARITHMETIC_OVERFLOW", ERROR_ARITHMETIC_OVERFLOW,
       HRESULT_FROM_WIN32(ERROR_ARITHMETIC_OVERFLOW), static_cast<HRESULT>(0x80070216)},
      {"ERROR_OPERATION_ABORTED", ERROR_OPERATION_ABORTED,
       HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED), static_cast<HRESULT>(0x800703E3)},
      {"ERROR_IO_PENDING", ERROR_IO_PENDING, HRESULT_FROM_WIN32(ERROR_IO_PENDING),
       static_cast<HRESULT>(0x800703E5)},
      {"ERROR_STACK_OVERFLOW", ERROR_STACK_OVERFLOW, HRESULT_FROM_WIN32(ERROR_STACK_OVERFLOW),
       static_cast<HRESULT>(0x800703E9)},
      {"ERROR_NOT_FOUND", ERROR_NOT_FOUND, HRESULT_FROM_WIN32(ERROR_NOT_FOUND),
       static_cast<HRESULT>(0x80070490)},
      {"ERROR_CONNECTION_INVALID", ERROR_CONNECTION_INVALID,
       HRESULT_FROM_WIN32(ERROR_CONNECTION_INVALID), static_cast<HRESULT>(0x800704CD)},
      {"ERROR_CONNECTION_ABORTED", ERROR_CONNECTION_ABORTED,
       HRESULT_FROM_WIN32(ERROR_CONNECTION_ABORTED), static_cast<HRESULT>(0x800704D4)},
      {"ERROR_SERVER_SHUTDOWN_IN_PROGRESS", ERROR_SERVER_SHUTDOWN_IN_PROGRESS,
       HRESULT_FROM_WIN32(ERROR_SERVER_SHUTDOWN_IN_PROGRESS), static_cast<HRESULT>(0x800704E7)},
      {"ERROR_INVALID_INDEX", ERROR_INVALID_INDEX, HRESULT_FROM_WIN32(ERROR_INVALID_INDEX),
       static_cast<HRESULT>(0x80070585)},
      {"WSAECONNRESET", WSAECONNRESET, HRESULT_FROM_WIN32(WSAECONNRESET),
       static_cast<HRESULT>(0x80072746)},
  };
  const long expected_win32[] = {0,   0,   -1,   -1,   -1,   -1,   -1,   -1,   -1,   -1,
                                 5,   6,   14,   87,   2,    3,    6,    8,    11,   13,
                                 38,  50,  64,   85,   87,   109,  122,  183,  234,  534,
                                 995, 997, 1001, 1168, 1229, 1236, 1255, 1413, 10054};
  static_assert(sizeof(rows) / sizeof(rows[0]) == sizeof(expected_win32) / sizeof(long));
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); ++i) {
    EXPECT_EQ(rows[i].code, rows[i].expected) << rows[i].name;
    EXPECT_EQ(rows[i].win32, expected_win32[i]) << rows[i].name;
  }

  // The same facts at compile time.
  static_assert(ERROR_FILE_NOT_FOUND == 2 && ERROR_PATH_NOT_FOUND == 3);
  static_assert(ERROR_INVALID_HANDLE == 6 && ERROR_NOT_ENOUGH_MEMORY == 8);
  static_assert(ERROR_BAD_FORMAT == 11 && ERROR_INVALID_DATA == 13 && ERROR_OUTOFMEMORY == 14);
  static_assert(ERROR_HANDLE_EOF == 38 && ERROR_NOT_SUPPORTED == 50);
  static_assert(ERROR_NETNAME_DELETED == 64 && ERROR_ALREADY_ASSIGNED == 85);
  static_assert(ERROR_INVALID_PARAMETER == 87 && ERROR_BROKEN_PIPE == 109);
  static_assert(ERROR_INSUFFICIENT_BUFFER == 122 && ERROR_ALREADY_EXISTS == 183);
  static_assert(ERROR_MORE_DATA == 234 && ERROR_ARITHMETIC_OVERFLOW == 534);
  static_assert(ERROR_OPERATION_ABORTED == 995 && ERROR_IO_PENDING == 997);
  static_assert(ERROR_STACK_OVERFLOW == 1001 && ERROR_NOT_FOUND == 1168);
  static_assert(ERROR_CONNECTION_INVALID == 1229 && ERROR_CONNECTION_ABORTED == 1236);
  static_assert(ERROR_SERVER_SHUTDOWN_IN_PROGRESS == 1255 && ERROR_INVALID_INDEX == 1413);
  static_assert(ERROR_INVALID_STATE == 5023 && WSAECONNRESET == 10054);
  static_assert(E_FAIL == static_cast<HRESULT>(0x80004005));
  static_assert(E_UNEXPECTED == static_cast<HRESULT>(0x8000FFFF));
  static_assert(HRESULT_FROM_WIN32(ERROR_INVALID_STATE) == static_cast<HRESULT>(0x8007139F));
}

// ---------------------------------------------------------------------------------------------
// Pipeline constants (spec 3, 4).
// ---------------------------------------------------------------------------------------------

TEST(HeaderLayout, RequestNotifications) {
  CHECK_BOTH(RQ_BEGIN_REQUEST == 0x00000001);
  CHECK_BOTH(RQ_AUTHENTICATE_REQUEST == 0x00000002);
  CHECK_BOTH(RQ_AUTHORIZE_REQUEST == 0x00000004);
  CHECK_BOTH(RQ_RESOLVE_REQUEST_CACHE == 0x00000008);
  CHECK_BOTH(RQ_MAP_REQUEST_HANDLER == 0x00000010);
  CHECK_BOTH(RQ_ACQUIRE_REQUEST_STATE == 0x00000020);
  CHECK_BOTH(RQ_PRE_EXECUTE_REQUEST_HANDLER == 0x00000040);
  CHECK_BOTH(RQ_EXECUTE_REQUEST_HANDLER == 0x00000080);
  CHECK_BOTH(RQ_RELEASE_REQUEST_STATE == 0x00000100);
  CHECK_BOTH(RQ_UPDATE_REQUEST_CACHE == 0x00000200);
  CHECK_BOTH(RQ_LOG_REQUEST == 0x00000400);
  CHECK_BOTH(RQ_END_REQUEST == 0x00000800);
  CHECK_BOTH(RQ_SEND_RESPONSE_STATUS_AND_HEADERS == 0x08000000);
  CHECK_BOTH(RQ_CUSTOM_NOTIFICATION == 0x10000000);
  CHECK_BOTH(RQ_SEND_RESPONSE == 0x20000000);
  CHECK_BOTH(RQ_READ_ENTITY == 0x40000000);
  CHECK_BOTH(RQ_MAP_PATH == 0x80000000u);
  CHECK_BOTH(sizeof(RQ_MAP_PATH) == 4);  // Fits a DWORD without widening.

  CHECK_BOTH(RQ_NOTIFICATION_CONTINUE == 0);
  CHECK_BOTH(RQ_NOTIFICATION_PENDING == 1);
  CHECK_BOTH(RQ_NOTIFICATION_FINISH_REQUEST == 2);
}

TEST(HeaderLayout, GlobalNotifications) {
  CHECK_BOTH(GL_STOP_LISTENING == 0x00000002);
  CHECK_BOTH(GL_CACHE_CLEANUP == 0x00000004);
  CHECK_BOTH(GL_CACHE_OPERATION == 0x00000010);
  CHECK_BOTH(GL_HEALTH_CHECK == 0x00000020);
  CHECK_BOTH(GL_CONFIGURATION_CHANGE == 0x00000040);
  CHECK_BOTH(GL_FILE_CHANGE == 0x00000080);
  CHECK_BOTH(GL_PRE_BEGIN_REQUEST == 0x00000100);
  CHECK_BOTH(GL_APPLICATION_START == 0x00000200);
  CHECK_BOTH(GL_APPLICATION_RESOLVE_MODULES == 0x00000400);
  CHECK_BOTH(GL_APPLICATION_STOP == 0x00000800);
  CHECK_BOTH(GL_RSCA_QUERY == 0x00001000);
  CHECK_BOTH(GL_TRACE_EVENT == 0x00002000);
  CHECK_BOTH(GL_CUSTOM_NOTIFICATION == 0x00004000);
  CHECK_BOTH(GL_THREAD_CLEANUP == 0x00008000);
  CHECK_BOTH(GL_APPLICATION_PRELOAD == 0x00010000);
  CHECK_BOTH(GL_SUSPEND_PROCESS == 0x00020000);

  CHECK_BOTH(GL_NOTIFICATION_CONTINUE == 0);
  CHECK_BOTH(GL_NOTIFICATION_HANDLED == 1);
}

TEST(HeaderLayout, MiscConstants) {
  CHECK_BOTH(CACHE_OPERATION_RETRIEVE == 0);
  CHECK_BOTH(CACHE_OPERATION_ADD == 1);
  CHECK_BOTH(CACHE_OPERATION_DELETE == 2);
  CHECK_BOTH(CACHE_OPERATION_FLUSH_PREFIX == 3);
  CHECK_BOTH(CACHE_OPERATION_ENUM == 4);
  CHECK_BOTH(HTTP_SERVER_INTERFACE_V2 == 0);
  CHECK_BOTH(HTTP_SERVER_INTERFACE_V3 == 1);

  CHECK_BOTH(CLONE_FLAG_BASICS == 0x01);
  CHECK_BOTH(CLONE_FLAG_HEADERS == 0x02);
  CHECK_BOTH(CLONE_FLAG_ENTITY == 0x04);
  CHECK_BOTH(CLONE_FLAG_NO_PRECONDITION == 0x08);
  CHECK_BOTH(CLONE_FLAG_NO_DAV == 0x10);
  CHECK_BOTH(CLONE_FLAG_USER_CACHE_VARY_BY == 0x20);
  CHECK_BOTH(CLONE_FLAG_SERVER_VARIABLE == 0x40);

  CHECK_BOTH(EXECUTE_FLAG_NO_HEADERS == 0x01);
  CHECK_BOTH(EXECUTE_FLAG_IGNORE_CURRENT_INTERCEPTOR == 0x02);
  CHECK_BOTH(EXECUTE_FLAG_IGNORE_APPPOOL == 0x04);
  CHECK_BOTH(EXECUTE_FLAG_DISABLE_CUSTOM_ERROR == 0x08);
  CHECK_BOTH(EXECUTE_FLAG_SAME_URL == 0x10);
  CHECK_BOTH(EXECUTE_FLAG_BUFFER_RESPONSE == 0x20);
  CHECK_BOTH(EXECUTE_FLAG_HTTP_CACHE_ELIGIBLE == 0x40);

  EXPECT_STREQ(MODULE_REGISTERMODULE, "RegisterModule");
  EXPECT_EQ(std::wcscmp(PRIORITY_ALIAS_FIRST, L"FIRST"), 0);
  EXPECT_EQ(std::wcscmp(PRIORITY_ALIAS_HIGH, L"HIGH"), 0);
  EXPECT_EQ(std::wcscmp(PRIORITY_ALIAS_MEDIUM, L"MEDIUM"), 0);
  EXPECT_EQ(std::wcscmp(PRIORITY_ALIAS_LOW, L"LOW"), 0);
  EXPECT_EQ(std::wcscmp(PRIORITY_ALIAS_LAST, L"LAST"), 0);
  CHECK_BOTH((std::is_same_v<HTTP_MODULE_ID, void*>));
  CHECK_BOTH((std::is_same_v<PFN_REGISTERMODULE, decltype(&RegisterModule)>));
  CHECK_BOTH((std::is_same_v<PFN_REGISTERMODULE,
                             HRESULT (*)(DWORD, IHttpModuleRegistrationInfo*, IHttpServer*)>));
  CHECK_BOTH(
      (std::is_same_v<PFN_ASYNC_COMPLETION, REQUEST_NOTIFICATION_STATUS (*)(
                                                IHttpContext3*, IHttpCompletionInfo2*, VOID*)>));
}

// ---------------------------------------------------------------------------------------------
// Interface ids (spec 8) and HttpGetExtendedInterface (spec 5.5).
// ---------------------------------------------------------------------------------------------

TEST(HeaderLayout, InterfaceIds) {
  constexpr GUID kResponse2 = {
      0x0822c871, 0xf14e, 0x4974, {0xa1, 0xe6, 0x5b, 0x3c, 0x1f, 0x09, 0xb7, 0x6a}};
  constexpr GUID kResponse4 = {
      0x1a2acc57, 0xcae2, 0x4f28, {0xb4, 0xab, 0x00, 0xc8, 0xf9, 0x6b, 0x12, 0xec}};
  constexpr GUID kContext = {
      0x424c1b8c, 0xa1ba, 0x44d7, {0xac, 0x98, 0x9f, 0x8f, 0x45, 0x77, 0x01, 0xa5}};
  constexpr GUID kServer3 = {
      0xf7a66d59, 0xc0a2, 0x48b5, {0xa8, 0x8f, 0xbe, 0x59, 0x75, 0xc9, 0x60, 0xfb}};
  constexpr GUID kRegistration = {
      0x07e5beb3, 0xb798, 0x459d, {0xa9, 0x8a, 0xe6, 0xc4, 0x85, 0xb2, 0xb3, 0xbc}};
  constexpr GUID kCompletion2 = {
      0x53129f70, 0x0196, 0x47ec, {0xb1, 0x6c, 0x12, 0x79, 0x06, 0xe2, 0xaf, 0xeb}};
  constexpr GUID kRequest3 = {
      0xb32e4e0f, 0x4057, 0x4feb, {0xae, 0xab, 0x7b, 0x69, 0xc0, 0x3c, 0x63, 0x14}};

  CHECK_BOTH(iid_of<IHttpResponse2>() == kResponse2);
  CHECK_BOTH(iid_of<IHttpResponse4>() == kResponse4);
  CHECK_BOTH(iid_of<IHttpContext>() == kContext);
  CHECK_BOTH(iid_of<IHttpServer3>() == kServer3);
  CHECK_BOTH(iid_of<IHttpModuleRegistrationInfo>() == kRegistration);
  CHECK_BOTH(iid_of<IHttpCompletionInfo2>() == kCompletion2);
  CHECK_BOTH(iid_of<IHttpRequest3>() == kRequest3);
  CHECK_BOTH(__uuidof(IHttpResponse4) == kResponse4);
  CHECK_BOTH(HttpservIid<IHttpContext>::value == kContext);
  CHECK_BOTH(iid_of<IHttpResponse>() != iid_of<IHttpResponse2>());
  CHECK_BOTH(IsEqualGUID(iid_of<IHttpServer3>(), kServer3));
  CHECK_BOTH(iid_of<IHttpApplicationProvider>() ==
             httpserv::detail::guid_from_string("1de2c71c-c126-4512-aed3-f4f885e14997"));
}

TEST(HeaderLayout, SingleInheritanceChains) {
  // One vtable pointer and nothing else: each family is a single-inheritance chain.
  CHECK_BOTH(sizeof(IHttpResponse4) == sizeof(void*));
  CHECK_BOTH(sizeof(IHttpRequest4) == sizeof(void*));
  CHECK_BOTH(sizeof(IHttpContext4) == sizeof(void*));
  CHECK_BOTH(sizeof(IHttpServer3) == sizeof(void*));
  CHECK_BOTH(sizeof(IHttpCompletionInfo2) == sizeof(void*));
  CHECK_BOTH(sizeof(IHttpModuleRegistrationInfo2) == sizeof(void*));
  CHECK_BOTH((std::is_base_of_v<IHttpResponse3, IHttpResponse4>));
  CHECK_BOTH((std::is_base_of_v<IHttpResponse2, IHttpResponse3>));
  CHECK_BOTH((std::is_base_of_v<IHttpResponse, IHttpResponse2>));
  CHECK_BOTH((std::is_base_of_v<IHttpRequest3, IHttpRequest4>));
  CHECK_BOTH((std::is_base_of_v<IHttpContext3, IHttpContext4>));
  CHECK_BOTH((std::is_base_of_v<IHttpServer2, IHttpServer3>));
  CHECK_BOTH((std::is_base_of_v<IHttpApplicationProvider, IHttpApplicationResolveModulesProvider>));
  CHECK_BOTH(std::is_abstract_v<IHttpResponse4>);
  CHECK_BOTH(std::has_virtual_destructor_v<IHttpStoredContext>);
  CHECK_BOTH(std::has_virtual_destructor_v<CGlobalModule>);
  CHECK_BOTH(std::has_virtual_destructor_v<CHttpModule>);
  CHECK_BOTH(!std::is_constructible_v<CHttpModule>);  // Protected constructor.

  FakeResponse response;
  IHttpResponse4* r4 = &response;
  IHttpResponse* r1 = r4;
  EXPECT_EQ(static_cast<void*>(r1), static_cast<void*>(r4));
  EXPECT_EQ((IHttpResponse4*)r1, r4);  // NOLINT: C-style cast on purpose, as modules do.
  EXPECT_EQ(static_cast<void*>((IHttpResponse2*)r1), static_cast<void*>(&response));  // NOLINT

  FakeRequest request;
  IHttpRequest* q1 = &request;
  EXPECT_EQ(static_cast<void*>((IHttpRequest3*)q1), static_cast<void*>(&request));  // NOLINT

  FakeContext context;
  IHttpContext* c1 = &context;
  EXPECT_EQ(static_cast<void*>((IHttpContext3*)c1), static_cast<void*>(&context));  // NOLINT
  EXPECT_EQ(static_cast<void*>((IHttpResponse4*)c1->GetResponse()),                 // NOLINT
            static_cast<void*>(&context.response));

  FakeServer server;
  IHttpServer* s1 = &server;
  EXPECT_EQ(static_cast<void*>((IHttpServer3*)s1), static_cast<void*>(&server));  // NOLINT

  FakeCompletionInfo completion;
  completion.operation = 1;
  IHttpCompletionInfo* i1 = &completion;
  EXPECT_EQ(((IHttpCompletionInfo2*)i1)->GetCompletedOperation(), 1u);  // NOLINT
}

TEST(HeaderLayout, HttpGetExtendedInterface) {
  FakeServer server;
  FakeContext context;

  IHttpResponse2* response2 = nullptr;
  EXPECT_EQ(HttpGetExtendedInterface(&server, context.GetResponse(), &response2), S_OK);
  EXPECT_EQ(static_cast<void*>(response2), static_cast<void*>(&context.response));

  IHttpResponse4* response4 = nullptr;
  EXPECT_EQ(HttpGetExtendedInterface(static_cast<IHttpServer*>(&server), context.GetResponse(),
                                     &response4),
            S_OK);
  EXPECT_EQ(response4, &context.response);

  IHttpServer3* server3 = nullptr;
  EXPECT_EQ(HttpGetExtendedInterface(&server, static_cast<IHttpServer*>(&server), &server3), S_OK);
  EXPECT_EQ(server3, &server);

  // Unsupported conversion: failure and a NULL output.
  IHttpContext3* wrong = reinterpret_cast<IHttpContext3*>(0x1);
  EXPECT_EQ(HttpGetExtendedInterface(&server, context.GetResponse(), &wrong), E_NOINTERFACE);
  EXPECT_EQ(wrong, nullptr);

  IHttpResponse2* none = nullptr;
  EXPECT_EQ(
      HttpGetExtendedInterface(static_cast<IHttpServer*>(nullptr), context.GetResponse(), &none),
      E_POINTER);
  EXPECT_EQ(server.extended_interface_calls, 4);
}

TEST(HeaderLayout, OverloadsStayVisible) {
  // IHttpResponse2 re-exports the v1 WriteEntityChunks / Flush (spec 5.2).
  FakeResponse response;
  IHttpResponse2* r2 = &response;
  char text[] = "abc";
  HTTP_DATA_CHUNK chunk{};
  chunk.DataChunkType = HttpDataChunkFromMemory;
  chunk.FromMemory.pBuffer = text;
  chunk.FromMemory.BufferLength = 3;
  DWORD sent = 0;
  EXPECT_EQ(r2->WriteEntityChunks(&chunk, 1, FALSE, TRUE, &sent), S_OK);  // v1 through v2
  EXPECT_EQ(r2->WriteEntityChunks(&chunk, 1, FALSE, TRUE, nullptr, nullptr, &sent), S_OK);
  ASSERT_EQ(response.writes.size(), 2u);
  EXPECT_EQ(response.writes[0].version, 1);
  EXPECT_EQ(response.writes[1].version, 2);
  EXPECT_EQ(sent, 3u);
  EXPECT_EQ(r2->Flush(FALSE, TRUE, &sent), S_OK);
  EXPECT_EQ(r2->Flush(FALSE, TRUE, nullptr, nullptr, &sent), S_OK);
  EXPECT_EQ(response.flush_v1_calls, 1);
  EXPECT_EQ(response.flush_v2_calls, 1);

  // IHttpRequest3 re-exports the v1 ReadEntityBody.
  FakeRequest request;
  IHttpRequest3* q3 = &request;
  char buffer[8];
  DWORD received = 99;
  EXPECT_EQ(q3->ReadEntityBody(buffer, sizeof(buffer), FALSE, &received),
            HRESULT_FROM_WIN32(ERROR_HANDLE_EOF));
  EXPECT_EQ(q3->ReadEntityBody(buffer, sizeof(buffer), FALSE, nullptr, nullptr, &received),
            HRESULT_FROM_WIN32(ERROR_HANDLE_EOF));
  EXPECT_EQ(request.read_v1_calls, 2);
  EXPECT_EQ(request.read_v3_calls, 1);
  EXPECT_EQ(received, 0u);

  // const and non-const twins bind by the object's constness.
  const IHttpRequest& const_request = request;
  EXPECT_TRUE((std::is_same_v<decltype(const_request.GetRawHttpRequest()), const HTTP_REQUEST*>));
  EXPECT_TRUE((std::is_same_v<decltype(request.GetRawHttpRequest()), HTTP_REQUEST*>));
}

// ---------------------------------------------------------------------------------------------
// Default notification handlers log and return CONTINUE (spec 3.3).
// ---------------------------------------------------------------------------------------------

class EmptyModule : public CHttpModule {};

class EmptyGlobalModule : public CGlobalModule {
 public:
  VOID Terminate() override { delete this; }
};

TEST(HeaderLayout, DefaultHandlersLogAndContinue) {
  headers_test::clear_log_records();
  CHttpModule* module = new EmptyModule;
  headers_test::FakeEventProvider provider;
  EXPECT_EQ(module->OnBeginRequest(nullptr, &provider), RQ_NOTIFICATION_CONTINUE);
  EXPECT_EQ(module->OnPostEndRequest(nullptr, &provider), RQ_NOTIFICATION_CONTINUE);
  EXPECT_EQ(module->OnSendResponse(nullptr, nullptr), RQ_NOTIFICATION_CONTINUE);
  EXPECT_EQ(module->OnAsyncCompletion(nullptr, RQ_BEGIN_REQUEST, FALSE, &provider, nullptr),
            RQ_NOTIFICATION_CONTINUE);
  module->Dispose();

  CGlobalModule* global = new EmptyGlobalModule;
  EXPECT_EQ(global->OnGlobalPreBeginRequest(nullptr), GL_NOTIFICATION_CONTINUE);
  EXPECT_EQ(global->OnGlobalCacheCleanup(), GL_NOTIFICATION_CONTINUE);
  EXPECT_EQ(global->OnSuspendProcess(nullptr), GL_NOTIFICATION_CONTINUE);
  global->Terminate();

  auto records = headers_test::take_log_records();
  ASSERT_EQ(records.size(), 7u);
  EXPECT_EQ(records[0].level, HTTPSERV_LOG_WARNING);
  EXPECT_EQ(records[0].message, "module subscribed to OnBeginRequest but did not override it");
  EXPECT_EQ(records[1].message, "module subscribed to OnPostEndRequest but did not override it");
  EXPECT_EQ(records[4].message,
            "module subscribed to OnGlobalPreBeginRequest but did not override it");
  EXPECT_EQ(records[6].message, "module subscribed to OnSuspendProcess but did not override it");
}

}  // namespace
