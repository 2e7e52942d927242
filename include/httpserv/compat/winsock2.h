// Winsock names over the Linux socket headers.
//
// The server hands modules Linux socket addresses (IHttpRequest::GetLocalAddress /
// GetRemoteAddress return a `struct sockaddr*` whose sa_family is the Linux AF_INET or
// AF_INET6). Windows code usually casts that pointer to SOCKADDR_IN* and reads
// sin_addr.S_un.S_addr, so SOCKADDR_IN and IN_ADDR below are Windows-shaped structs with the
// same 16-/4-byte layout as Linux sockaddr_in / in_addr:
//   - ((SOCKADDR_IN*)p)->sin_addr.S_un.S_addr, .S_un.S_un_b.s_b1..4, .S_un.S_un_w.s_w1..2 and
//     .s_addr all work;
//   - the Linux `struct sockaddr_in` itself is untouched, so `sockaddr_in::sin_addr.S_un`
//     does NOT compile; use SOCKADDR_IN (upper case) when you need S_un;
//   - SOCKADDR_IN6 / IN6_ADDR are the Linux types: use sin6_addr.s6_addr, not u.Byte.
// The guard is not _WINSOCKAPI_, so the common `#define _WINSOCKAPI_` before <windows.h>
// has no effect here.

#ifndef HTTPSERV_COMPAT_WINSOCK2_H_
#define HTTPSERV_COMPAT_WINSOCK2_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "windef.h"
#include "winerror.h"

typedef USHORT ADDRESS_FAMILY;

typedef struct sockaddr SOCKADDR;
typedef struct sockaddr* PSOCKADDR;
typedef struct sockaddr* LPSOCKADDR;
typedef struct sockaddr_storage SOCKADDR_STORAGE;
typedef struct sockaddr_storage* PSOCKADDR_STORAGE;
typedef struct sockaddr_storage* LPSOCKADDR_STORAGE;
typedef struct sockaddr_in6 SOCKADDR_IN6;
typedef struct sockaddr_in6* PSOCKADDR_IN6;
typedef struct sockaddr_in6* LPSOCKADDR_IN6;
typedef struct in6_addr IN6_ADDR;
typedef struct in6_addr* PIN6_ADDR;
typedef struct in6_addr* LPIN6_ADDR;

// The three views of an IPv4 address in network byte order.
struct IN_ADDR_BYTES {
  UCHAR s_b1, s_b2, s_b3, s_b4;
};
struct IN_ADDR_WORDS {
  USHORT s_w1, s_w2;
};
union IN_ADDR_S_UN {
  IN_ADDR_BYTES S_un_b;
  IN_ADDR_WORDS S_un_w;
  ULONG S_addr;
};

// Windows-shaped IPv4 address; layout-compatible with Linux `struct in_addr`.
struct IN_ADDR {
  union {
    IN_ADDR_S_UN S_un;
    ULONG s_addr;
  };
};
typedef IN_ADDR* PIN_ADDR;
typedef IN_ADDR* LPIN_ADDR;

// Windows-shaped IPv4 socket address; layout-compatible with Linux `struct sockaddr_in`.
struct SOCKADDR_IN {
  ADDRESS_FAMILY sin_family;
  USHORT sin_port;
  IN_ADDR sin_addr;
  CHAR sin_zero[8];
};
typedef SOCKADDR_IN* PSOCKADDR_IN;
typedef SOCKADDR_IN* LPSOCKADDR_IN;

static_assert(sizeof(IN_ADDR) == sizeof(struct in_addr), "IN_ADDR must match in_addr");
static_assert(sizeof(SOCKADDR_IN) == sizeof(struct sockaddr_in), "SOCKADDR_IN must match");
static_assert(offsetof(SOCKADDR_IN, sin_addr) == offsetof(struct sockaddr_in, sin_addr),
              "SOCKADDR_IN::sin_addr must match sockaddr_in::sin_addr");

// Sockets are file descriptors.
typedef int SOCKET;
#ifndef INVALID_SOCKET
#define INVALID_SOCKET (-1)
#endif
#ifndef SOCKET_ERROR
#define SOCKET_ERROR (-1)
#endif

// Closes a socket descriptor; returns 0 or SOCKET_ERROR.
inline int closesocket(SOCKET s) {
  return ::close(s) == 0 ? 0 : SOCKET_ERROR;
}

// inet_ntoa for the Windows-shaped address (the Linux overload takes struct in_addr).
inline char* inet_ntoa(IN_ADDR in) {
  struct in_addr linux_addr;
  linux_addr.s_addr = in.s_addr;
  return ::inet_ntoa(linux_addr);
}

#endif  // HTTPSERV_COMPAT_WINSOCK2_H_
