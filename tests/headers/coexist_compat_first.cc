// The compat headers must leave the C++/POSIX headers usable when they come first.

// clang-format off
#include <windows.h>
#include <sal.h>
#include <httpserv.h>
#include <winsock2.h>
#include <ws2tcpip.h>
// clang-format on

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <cwchar>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "coexist.h"

int coexist_compat_first() {
  std::vector<std::wstring> names = {PRIORITY_ALIAS_LAST, PRIORITY_ALIAS_FIRST};
  std::sort(names.begin(), names.end());
  std::ostringstream out;
  out << std::max(1, 2) << names.size();
  struct sockaddr_in address;
  std::memset(&address, 0, sizeof(address));
  address.sin_family = AF_INET;
  return out.str() == "22" && names[0] == L"FIRST" && address.sin_family == AF_INET ? 1 : 0;
}
