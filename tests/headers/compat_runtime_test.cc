// Run-time behaviour of the compat shim (include/httpserv/compat): secure CRT functions,
// conversions, Interlocked*, time and thread helpers, event log and debug output reaching
// HttpservLogWrite (captured by test_log_capture.cc), winsock shapes.

#include <gtest/gtest.h>
#include <sal.h>
#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>

#include <cerrno>
#include <cstring>
#include <cwchar>
#include <string>
#include <thread>
#include <vector>

#include "test_log_capture.h"

namespace {

using headers_test::clear_log_records;
using headers_test::contains_log;
using headers_test::take_log_records;

// ---------------------------------------------------------------------------------------------
// Formatted output.
// ---------------------------------------------------------------------------------------------

TEST(CompatCrt, SprintfS) {
  char buf[8];
  EXPECT_EQ(sprintf_s(buf, sizeof(buf), "%d-%s", 12, "ab"), 5);
  EXPECT_STREQ(buf, "12-ab");
  EXPECT_EQ(sprintf_s(buf, sizeof(buf), "%s", "1234567"), 7);  // Exactly fills with the NUL.
  EXPECT_STREQ(buf, "1234567");

  clear_log_records();
  errno = 0;
  std::memset(buf, 'x', sizeof(buf));
  EXPECT_EQ(sprintf_s(buf, sizeof(buf), "%s", "12345678"), -1);  // One too many.
  EXPECT_EQ(buf[0], '\0');
  EXPECT_EQ(errno, ERANGE);
  EXPECT_TRUE(contains_log(take_log_records(), HTTPSERV_LOG_WARNING, "crt", "sprintf_s"));

  char arr[4];
  EXPECT_EQ(sprintf_s(arr, "%u", 123u), 3);  // Template form takes the size from the array.
  EXPECT_STREQ(arr, "123");
  EXPECT_EQ(sprintf_s(arr, "%u", 1234u), -1);
  EXPECT_STREQ(arr, "");

  errno = 0;
  EXPECT_EQ(sprintf_s(nullptr, 4, "x"), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST(CompatCrt, Snprintf) {
  char buf[6];
  EXPECT_EQ(_snprintf(buf, sizeof(buf), "%s", "abc"), 3);
  EXPECT_STREQ(buf, "abc");

  // Exactly `count` characters: all stored, no NUL, returns count.
  std::memset(buf, '#', sizeof(buf));
  EXPECT_EQ(_snprintf(buf, 5, "%s", "abcde"), 5);
  EXPECT_EQ(std::string(buf, 6), "abcde#");

  // Longer: `count` characters stored, no NUL, returns -1.
  std::memset(buf, '#', sizeof(buf));
  EXPECT_EQ(_snprintf(buf, 5, "%s", "abcdefgh"), -1);
  EXPECT_EQ(std::string(buf, 6), "abcde#");

  // _snprintf_s with _TRUNCATE keeps what fits, NUL-terminates, returns -1.
  EXPECT_EQ(_snprintf_s(buf, sizeof(buf), _TRUNCATE, "%s", "abcdefgh"), -1);
  EXPECT_STREQ(buf, "abcde");
  EXPECT_EQ(_snprintf_s(buf, sizeof(buf), 3, "%s", "abcdefgh"), -1);
  EXPECT_STREQ(buf, "abc");
  EXPECT_EQ(_snprintf_s(buf, _TRUNCATE, "%d", 42), 2);
  EXPECT_STREQ(buf, "42");
  errno = 0;
  EXPECT_EQ(_snprintf_s(buf, sizeof(buf), 10, "%s", "abcdefgh"), -1);
  EXPECT_STREQ(buf, "");
  EXPECT_EQ(errno, ERANGE);
}

TEST(CompatCrt, SwprintfS) {
  wchar_t buf[16];
  EXPECT_EQ(swprintf_s(buf, 16, L"%d-%ls", 7, L"w\u00e9"), 4);
  EXPECT_EQ(std::wstring(buf), L"7-w\u00e9");
  wchar_t small[3];
  EXPECT_EQ(swprintf_s(small, L"%ls", L"abc"), -1);
  EXPECT_EQ(small[0], L'\0');
}

// ---------------------------------------------------------------------------------------------
// String copy.
// ---------------------------------------------------------------------------------------------

TEST(CompatCrt, StrcpyS) {
  char buf[4];
  EXPECT_EQ(strcpy_s(buf, sizeof(buf), "abc"), 0);
  EXPECT_STREQ(buf, "abc");

  std::memset(buf, 'x', sizeof(buf));
  EXPECT_EQ(strcpy_s(buf, sizeof(buf), "abcd"), ERANGE);
  EXPECT_STREQ(buf, "");

  EXPECT_EQ(strcpy_s(buf, sizeof(buf), nullptr), EINVAL);
  EXPECT_STREQ(buf, "");
  EXPECT_EQ(strcpy_s(nullptr, 4, "a"), EINVAL);
  EXPECT_EQ(strcpy_s(buf, "xy"), 0);  // Template form.
  EXPECT_STREQ(buf, "xy");
}

TEST(CompatCrt, StrcatSAndStrncpyS) {
  char buf[6] = "ab";
  EXPECT_EQ(strcat_s(buf, sizeof(buf), "cd"), 0);
  EXPECT_STREQ(buf, "abcd");
  EXPECT_EQ(strcat_s(buf, sizeof(buf), "ef"), ERANGE);
  EXPECT_STREQ(buf, "");
  EXPECT_EQ(strcat_s(buf, "x"), 0);
  EXPECT_STREQ(buf, "x");

  EXPECT_EQ(strncpy_s(buf, sizeof(buf), "abcdef", 3), 0);
  EXPECT_STREQ(buf, "abc");
  EXPECT_EQ(strncpy_s(buf, sizeof(buf), "abcdefgh", _TRUNCATE), STRUNCATE);
  EXPECT_STREQ(buf, "abcde");
  EXPECT_EQ(strncpy_s(buf, sizeof(buf), "abcdefgh", 7), ERANGE);
  EXPECT_STREQ(buf, "");
  EXPECT_EQ(strncpy_s(buf, "hello", 2), 0);
  EXPECT_STREQ(buf, "he");
}

TEST(CompatCrt, WideCopy) {
  wchar_t buf[5];
  EXPECT_EQ(wcscpy_s(buf, 5, L"abc"), 0);
  EXPECT_EQ(wcscat_s(buf, 5, L"d"), 0);
  EXPECT_EQ(std::wstring(buf), L"abcd");
  EXPECT_EQ(wcscat_s(buf, L"e"), ERANGE);
  EXPECT_EQ(buf[0], L'\0');
  EXPECT_EQ(wcscpy_s(buf, L"abcde"), ERANGE);
  EXPECT_EQ(wcsncpy_s(buf, L"abcdef", _TRUNCATE), STRUNCATE);
  EXPECT_EQ(std::wstring(buf), L"abcd");
}

TEST(CompatCrt, MemcpyS) {
  char dst[4] = "xyz";
  EXPECT_EQ(memcpy_s(dst, sizeof(dst), "ab", 2), 0);
  EXPECT_EQ(std::string(dst, 3), "abz");
  EXPECT_EQ(memcpy_s(dst, 2, "abc", 3), ERANGE);
  EXPECT_EQ(dst[0], '\0');
}

// ---------------------------------------------------------------------------------------------
// Case-insensitive compare and integer formatting.
// ---------------------------------------------------------------------------------------------

TEST(CompatCrt, CaseInsensitiveCompare) {
  EXPECT_EQ(_stricmp("Content-Type", "content-TYPE"), 0);
  EXPECT_LT(_stricmp("abc", "ABD"), 0);
  EXPECT_GT(_stricmp("b", "A"), 0);
  EXPECT_LT(_stricmp("ab", "abc"), 0);
  EXPECT_EQ(_strnicmp("HTTP/1.1", "http/2", 5), 0);
  EXPECT_NE(_strnicmp("HTTP/1.1", "http/2", 6), 0);
  EXPECT_EQ(_wcsicmp(L"GzIp", L"gzip"), 0);
  EXPECT_LT(_wcsicmp(L"a", L"B"), 0);
  EXPECT_EQ(_wcsnicmp(L"ABCx", L"abcy", 3), 0);
}

TEST(CompatCrt, IntegerToText) {
  char buf[40];
  EXPECT_STREQ(_itoa(-123, buf, 10), "-123");
  EXPECT_STREQ(_itoa(255, buf, 16), "ff");
  EXPECT_STREQ(_itoa(5, buf, 2), "101");
  EXPECT_STREQ(_itoa(35, buf, 36), "z");
  EXPECT_STREQ(_itoa(-1, buf, 16), "ffffffff");  // Non-decimal radix: two's complement bits.
  EXPECT_STREQ(_itoa(0, buf, 10), "0");
  EXPECT_STREQ(_ltoa(-2147483647 - 1, buf, 10), "-2147483648");
  EXPECT_STREQ(_ultoa(4294967295u, buf, 10), "4294967295");
  EXPECT_STREQ(_i64toa(-1, buf, 16), "ffffffffffffffff");
  EXPECT_STREQ(_ui64toa(18446744073709551615ull, buf, 10), "18446744073709551615");

  char small[4];
  EXPECT_EQ(_itoa_s(999, small, sizeof(small), 10), 0);
  EXPECT_STREQ(small, "999");
  EXPECT_EQ(_itoa_s(1000, small, sizeof(small), 10), ERANGE);
  EXPECT_STREQ(small, "");
  EXPECT_EQ(_itoa_s(-10, small, 10), 0);  // Template form.
  EXPECT_STREQ(small, "-10");
  EXPECT_EQ(_itoa_s(1, small, sizeof(small), 1), EINVAL);
  EXPECT_EQ(_itoa_s(1, small, sizeof(small), 37), EINVAL);
}

// ---------------------------------------------------------------------------------------------
// Conversions (UTF-8 on the narrow side).
// ---------------------------------------------------------------------------------------------

TEST(CompatCrt, WcstombsS) {
  char out[16];
  size_t converted = 0;
  EXPECT_EQ(wcstombs_s(&converted, out, sizeof(out), L"h\u00e9llo", _TRUNCATE), 0);
  EXPECT_STREQ(out, "h\xc3\xa9llo");
  EXPECT_EQ(converted, 7u);  // 6 bytes + NUL.

  EXPECT_EQ(wcstombs_s(&converted, nullptr, 0, L"\u20ac!", 0), 0);  // Size query.
  EXPECT_EQ(converted, 5u);

  char tiny[4];
  EXPECT_EQ(wcstombs_s(&converted, tiny, sizeof(tiny), L"abcdef", 10), ERANGE);
  EXPECT_STREQ(tiny, "");
  EXPECT_EQ(wcstombs_s(&converted, tiny, L"abcdef", _TRUNCATE), STRUNCATE);
  EXPECT_STREQ(tiny, "abc");
  EXPECT_EQ(converted, 4u);
  EXPECT_EQ(wcstombs_s(&converted, out, sizeof(out), L"abcdef", 2), 0);  // count limits.
  EXPECT_STREQ(out, "ab");

  const wchar_t bad[] = {L'a', static_cast<wchar_t>(0xD800), L'\0'};
  EXPECT_EQ(wcstombs_s(&converted, out, sizeof(out), bad, _TRUNCATE), EILSEQ);
  EXPECT_STREQ(out, "");
}

TEST(CompatCrt, MbstowcsS) {
  wchar_t out[8];
  size_t converted = 0;
  EXPECT_EQ(mbstowcs_s(&converted, out, 8, "gr\xc3\xbc\xc3\x9f", _TRUNCATE), 0);
  EXPECT_EQ(std::wstring(out), L"gr\u00fc\u00df");
  EXPECT_EQ(converted, 5u);
  EXPECT_EQ(mbstowcs_s(&converted, nullptr, 0, "\xe2\x82\xac", 0), 0);
  EXPECT_EQ(converted, 2u);
  EXPECT_EQ(mbstowcs_s(&converted, out, "bad\xff", _TRUNCATE), EILSEQ);
  wchar_t tiny[3];
  EXPECT_EQ(mbstowcs_s(&converted, tiny, "abcd", _TRUNCATE), STRUNCATE);
  EXPECT_EQ(std::wstring(tiny), L"ab");
}

TEST(CompatCrt, CodePageConversion) {
  const char* utf8 = "caf\xc3\xa9";
  int needed = MultiByteToWideChar(CP_UTF8, 0, utf8, -1, nullptr, 0);
  ASSERT_EQ(needed, 5);  // 4 characters + NUL.
  std::vector<wchar_t> wide(static_cast<size_t>(needed));
  EXPECT_EQ(MultiByteToWideChar(CP_UTF8, 0, utf8, -1, wide.data(), needed), needed);
  EXPECT_EQ(std::wstring(wide.data()), L"caf\u00e9");

  int bytes = WideCharToMultiByte(CP_UTF8, 0, wide.data(), -1, nullptr, 0, nullptr, nullptr);
  ASSERT_EQ(bytes, 6);
  std::vector<char> back(static_cast<size_t>(bytes));
  EXPECT_EQ(WideCharToMultiByte(CP_UTF8, 0, wide.data(), -1, back.data(), bytes, nullptr, nullptr),
            bytes);
  EXPECT_STREQ(back.data(), utf8);

  wchar_t one[1];
  EXPECT_EQ(MultiByteToWideChar(CP_UTF8, 0, "ab", 2, one, 1), 0);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));
  EXPECT_EQ(MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, "\xff", 1, one, 1), 0);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NO_UNICODE_TRANSLATION));
  EXPECT_EQ(MultiByteToWideChar(1252, 0, "a", 1, one, 1), 0);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
}

// ---------------------------------------------------------------------------------------------
// Interlocked, threads, time, memory.
// ---------------------------------------------------------------------------------------------

TEST(CompatBase, Interlocked) {
  volatile LONG value = 5;
  EXPECT_EQ(InterlockedIncrement(&value), 6);
  EXPECT_EQ(InterlockedDecrement(&value), 5);
  EXPECT_EQ(InterlockedExchange(&value, 10), 5);
  EXPECT_EQ(InterlockedCompareExchange(&value, 20, 11), 10);  // No match: unchanged.
  EXPECT_EQ(static_cast<LONG>(value), 10);
  EXPECT_EQ(InterlockedCompareExchange(&value, 20, 10), 10);
  EXPECT_EQ(static_cast<LONG>(value), 20);
  EXPECT_EQ(InterlockedExchangeAdd(&value, -5), 20);
  EXPECT_EQ(static_cast<LONG>(value), 15);

  ULONG unsigned_value = 0;
  EXPECT_EQ(InterlockedDecrement(&unsigned_value), 0xFFFFFFFFu);

  LONG64 big = 0x100000000LL;
  EXPECT_EQ(InterlockedIncrement64(&big), 0x100000001LL);
  EXPECT_EQ(InterlockedExchangeAdd64(&big, 0x100000000LL), 0x100000001LL);
  EXPECT_EQ(InterlockedCompareExchange64(&big, 1, 0x200000001LL), 0x200000001LL);
  EXPECT_EQ(big, 1);
  EXPECT_EQ(InterlockedExchange64(&big, 7), 1);

  long plain_long = 41;  // A `long` counter as ported code often has.
  EXPECT_EQ(InterlockedIncrement(&plain_long), 42);

  int a = 1;
  int b = 2;
  PVOID volatile slot = &a;
  EXPECT_EQ(InterlockedExchangePointer(&slot, &b), static_cast<void*>(&a));
  EXPECT_EQ(InterlockedCompareExchangePointer(&slot, &a, &b), static_cast<void*>(&b));
  EXPECT_EQ(static_cast<void*>(slot), static_cast<void*>(&a));

  volatile LONG shared = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&shared] {
      for (int i = 0; i < 10000; ++i)
        InterlockedIncrement(&shared);
    });
  }
  for (std::thread& t : threads)
    t.join();
  EXPECT_EQ(static_cast<LONG>(shared), 40000);
}

TEST(CompatBase, ThreadAndTime) {
  EXPECT_EQ(GetCurrentProcessId(), static_cast<DWORD>(getpid()));
  const DWORD main_tid = GetCurrentThreadId();
  EXPECT_NE(main_tid, 0u);
  DWORD other_tid = 0;
  std::thread([&other_tid] { other_tid = GetCurrentThreadId(); }).join();
  EXPECT_NE(other_tid, main_tid);

  const ULONGLONG start = GetTickCount64();
  Sleep(30);
  const ULONGLONG elapsed = GetTickCount64() - start;
  EXPECT_GE(elapsed, 25u);
  EXPECT_LT(elapsed, 5000u);
  const DWORD tick32 = GetTickCount();
  const ULONGLONG tick64 = GetTickCount64();
  EXPECT_LE(static_cast<DWORD>(tick64) - tick32, 1000u);  // Same clock, truncated.
}

TEST(CompatBase, LastError) {
  SetLastError(ERROR_ACCESS_DENIED);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
  DWORD in_thread = 1;
  std::thread([&in_thread] { in_thread = GetLastError(); }).join();
  EXPECT_EQ(in_thread, static_cast<DWORD>(ERROR_SUCCESS));  // Per thread.
  EXPECT_EQ(HRESULT_FROM_WIN32(GetLastError()), E_ACCESSDENIED);
}

TEST(CompatBase, MemoryMacros) {
  char buf[8];
  FillMemory(buf, sizeof(buf), 'x');
  ZeroMemory(buf, 4);
  EXPECT_EQ(std::string(buf, 8), std::string("\0\0\0\0xxxx", 8));
  CopyMemory(buf, "abcd", 4);
  EXPECT_EQ(std::string(buf, 8), "abcdxxxx");
  EXPECT_EQ(SecureZeroMemory(buf, sizeof(buf)), buf);
  EXPECT_EQ(std::string(buf, 8), std::string(8, '\0'));
  int unused = 0;
  UNREFERENCED_PARAMETER(unused);
  EXPECT_EQ(_countof(buf), 8u);
}

// ---------------------------------------------------------------------------------------------
// Event log, debug output.
// ---------------------------------------------------------------------------------------------

TEST(CompatBase, ReportEventReachesServerLog) {
  clear_log_records();
  HANDLE source = RegisterEventSource(nullptr, "TestSource");  // Narrow: UNICODE is not set.
  ASSERT_NE(source, nullptr);

  LPCSTR strings[] = {"first", "second"};
  EXPECT_TRUE(ReportEvent(source, EVENTLOG_ERROR_TYPE, 0, 42, nullptr, 2, 0, strings, nullptr));
  EXPECT_TRUE(ReportEventA(source, EVENTLOG_WARNING_TYPE, 0, 0, nullptr, 1, 0, strings, nullptr));
  EXPECT_TRUE(
      ReportEventA(source, EVENTLOG_INFORMATION_TYPE, 0, 7, nullptr, 1, 0, strings + 1, nullptr));
  EXPECT_TRUE(DeregisterEventSource(source));

  HANDLE wide_source = RegisterEventSourceW(nullptr, L"W\u00e9b");
  LPCWSTR wide_strings[] = {L"caf\u00e9"};
  EXPECT_TRUE(ReportEventW(wide_source, EVENTLOG_AUDIT_FAILURE, 0, 0, nullptr, 1, 0, wide_strings,
                           nullptr));
  EXPECT_TRUE(DeregisterEventSource(wide_source));

  auto records = take_log_records();
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].level, HTTPSERV_LOG_ERROR);
  EXPECT_EQ(records[0].source, "TestSource");
  EXPECT_EQ(records[0].message, "[event 42] first second");
  EXPECT_EQ(records[1].level, HTTPSERV_LOG_WARNING);
  EXPECT_EQ(records[1].message, "first");
  EXPECT_EQ(records[2].level, HTTPSERV_LOG_INFO);
  EXPECT_EQ(records[2].message, "[event 7] second");
  EXPECT_EQ(records[3].level, HTTPSERV_LOG_WARNING);
  EXPECT_EQ(records[3].source,
            "W\xc3\xa9"
            "b");
  EXPECT_EQ(records[3].message, "caf\xc3\xa9");

  EXPECT_FALSE(ReportEventA(nullptr, EVENTLOG_ERROR_TYPE, 0, 0, nullptr, 0, 0, nullptr, nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
  EXPECT_FALSE(DeregisterEventSource(nullptr));
}

TEST(CompatBase, DebugOutput) {
  clear_log_records();
  OutputDebugString("trace line\r\n");
  OutputDebugStringW(L"wide \u00e9\n");
  DebugBreak();  // Must not trap.
  auto records = take_log_records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].level, HTTPSERV_LOG_DEBUG);
  EXPECT_EQ(records[0].source, "OutputDebugString");
  EXPECT_EQ(records[0].message, "trace line");
  EXPECT_EQ(records[1].message, "wide \xc3\xa9");
  EXPECT_EQ(records[2].level, HTTPSERV_LOG_WARNING);
  EXPECT_EQ(records[2].source, "DebugBreak");
}

// ---------------------------------------------------------------------------------------------
// Winsock shapes and handle convention.
// ---------------------------------------------------------------------------------------------

TEST(CompatWinsock, SockaddrInViewOfLinuxAddress) {
  struct sockaddr_in linux_addr;
  std::memset(&linux_addr, 0, sizeof(linux_addr));
  linux_addr.sin_family = AF_INET;
  linux_addr.sin_port = htons(8080);
  ASSERT_EQ(inet_pton(AF_INET, "192.168.1.20", &linux_addr.sin_addr), 1);

  PSOCKADDR generic = reinterpret_cast<PSOCKADDR>(&linux_addr);  // What GetRemoteAddress returns.
  ASSERT_EQ(generic->sa_family, AF_INET);
  const SOCKADDR_IN* win = reinterpret_cast<const SOCKADDR_IN*>(generic);
  EXPECT_EQ(ntohs(win->sin_port), 8080);
  EXPECT_EQ(win->sin_addr.S_un.S_addr, linux_addr.sin_addr.s_addr);
  EXPECT_EQ(win->sin_addr.s_addr, linux_addr.sin_addr.s_addr);
  EXPECT_EQ(win->sin_addr.S_un.S_un_b.s_b1, 192);
  EXPECT_EQ(win->sin_addr.S_un.S_un_b.s_b2, 168);
  EXPECT_EQ(win->sin_addr.S_un.S_un_b.s_b3, 1);
  EXPECT_EQ(win->sin_addr.S_un.S_un_b.s_b4, 20);
  EXPECT_STREQ(inet_ntoa(win->sin_addr), "192.168.1.20");

  char text[INET6_ADDRSTRLEN];
  EXPECT_STREQ(inet_ntop(AF_INET, &win->sin_addr, text, sizeof(text)), "192.168.1.20");
}

TEST(CompatWinsock, HandleCarriesFd) {
  EXPECT_EQ(HttpservFdFromHandle(HttpservHandleFromFd(42)), 42);
  EXPECT_EQ(HttpservHandleFromFd(-1), INVALID_HANDLE_VALUE);
  EXPECT_EQ(HttpservHandleFromFd(3), reinterpret_cast<HANDLE>(static_cast<intptr_t>(3)));
}

}  // namespace
