// The compat headers must work when C++/POSIX headers come first (spec: module sources often
// include <string>, <vector> or socket headers before <windows.h>).

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <cwchar>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// clang-format off
#include <windows.h>
#include <sal.h>
#include <httpserv.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <specstrings.h>
// clang-format on

#include "coexist.h"

int coexist_std_first() {
  // min/max must still be the std templates, not macros.
  std::vector<int> values = {3, 1, 2};
  const int smallest = std::min(values[0], values[1]);
  const int largest = (std::max)(values[1], values[2]);
  std::string text(MAX_PATH > 0 ? "ok" : "");
  char buffer[16];
  sprintf_s(buffer, "%d%d", smallest, largest);
  return std::strcmp(buffer, "12") == 0 && text == "ok" ? 1 : 0;
}
