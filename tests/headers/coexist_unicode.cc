// Windows-build switches that sample modules commonly define before <windows.h>.

#define UNICODE
#define _UNICODE
#define WIN32_LEAN_AND_MEAN
#define NOMINMAX
#define _WINSOCKAPI_

// clang-format off
#include <windows.h>
#include <sal.h>
#include <httpserv.h>
// clang-format on

#include <type_traits>

#include "coexist.h"

static_assert(std::is_same_v<TCHAR, wchar_t>, "UNICODE selects wide TCHAR");
static_assert(std::is_same_v<decltype(&ReportEvent), decltype(&ReportEventW)>,
              "UNICODE selects ReportEventW");
static_assert(std::is_same_v<decltype(&OutputDebugString), decltype(&OutputDebugStringW)>,
              "UNICODE selects OutputDebugStringW");

int coexist_unicode() {
  const TCHAR* text = TEXT("wide");
  // httpserv.h still sees the socket types although _WINSOCKAPI_ is defined.
  PSOCKADDR address = nullptr;
  return text[0] == L'w' && address == nullptr ? 1 : 0;
}
