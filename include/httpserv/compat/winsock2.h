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
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <vector>

#include "httpserv_handles.h"
#include "httpserv_unicode.h"
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

// getaddrinfo's struct under its Windows names (ws2def.h).
typedef struct addrinfo ADDRINFOA;
typedef struct addrinfo* PADDRINFOA;
typedef struct addrinfo ADDRINFO;
typedef struct addrinfo* LPADDRINFO;
typedef struct addrinfo* PADDRINFO;

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

// ---------------------------------------------------------------------------------------------
// Winsock functions that have no POSIX name (docs/iis-headers.md, "Winsock").
// ---------------------------------------------------------------------------------------------

#define WSADESCRIPTION_LEN 256
#define WSASYS_STATUS_LEN 128
struct WSADATA {
  WORD wVersion;
  WORD wHighVersion;
  unsigned short iMaxSockets;
  unsigned short iMaxUdpDg;
  char* lpVendorInfo;
  char szDescription[WSADESCRIPTION_LEN + 1];
  char szSystemStatus[WSASYS_STATUS_LEN + 1];
};
typedef WSADATA* LPWSADATA;

// Nothing to start: fills *lpWSAData (version 2.2 whatever was asked for, as long as it is at
// least 1.0) and returns 0. WSACleanup returns 0.
inline int WSAStartup(WORD wVersionRequested, LPWSADATA lpWSAData) {
  if (lpWSAData == nullptr) return WSAEFAULT;
  if (LOBYTE(wVersionRequested) < 1) return WSAVERNOTSUPPORTED;
  std::memset(lpWSAData, 0, sizeof(*lpWSAData));
  lpWSAData->wVersion = MAKEWORD(2, 2);
  lpWSAData->wHighVersion = MAKEWORD(2, 2);
  std::snprintf(lpWSAData->szDescription, sizeof(lpWSAData->szDescription), "%s",
                "httpserv POSIX sockets");
  std::snprintf(lpWSAData->szSystemStatus, sizeof(lpWSAData->szSystemStatus), "%s", "Running");
  return 0;
}
inline int WSACleanup() {
  return 0;
}

namespace httpserv::compat {
// The WSA error code of a POSIX errno value (socket calls set errno; WSAGetLastError maps it).
inline int wsa_error_from_errno(int err) {
  switch (err) {
    case 0:
      return 0;
    case EINTR:
      return WSAEINTR;
    case EBADF:
      return WSAEBADF;
    case EACCES:
      return WSAEACCES;
    case EFAULT:
      return WSAEFAULT;
    case EINVAL:
      return WSAEINVAL;
    case EMFILE:
      return WSAEMFILE;
    case EAGAIN:
      return WSAEWOULDBLOCK;
    case EINPROGRESS:
      return WSAEINPROGRESS;
    case EALREADY:
      return WSAEALREADY;
    case ENOTSOCK:
      return WSAENOTSOCK;
    case EDESTADDRREQ:
      return WSAEDESTADDRREQ;
    case EMSGSIZE:
      return WSAEMSGSIZE;
    case EPROTOTYPE:
      return WSAEPROTOTYPE;
    case ENOPROTOOPT:
      return WSAENOPROTOOPT;
    case EPROTONOSUPPORT:
      return WSAEPROTONOSUPPORT;
    case EOPNOTSUPP:
      return WSAEOPNOTSUPP;
    case EAFNOSUPPORT:
      return WSAEAFNOSUPPORT;
    case EADDRINUSE:
      return WSAEADDRINUSE;
    case EADDRNOTAVAIL:
      return WSAEADDRNOTAVAIL;
    case ENETDOWN:
      return WSAENETDOWN;
    case ENETUNREACH:
      return WSAENETUNREACH;
    case ENETRESET:
      return WSAENETRESET;
    case ECONNABORTED:
      return WSAECONNABORTED;
    case ECONNRESET:
      return WSAECONNRESET;
    case ENOBUFS:
      return WSAENOBUFS;
    case EISCONN:
      return WSAEISCONN;
    case ENOTCONN:
      return WSAENOTCONN;
    case ESHUTDOWN:
      return WSAESHUTDOWN;
    case ETIMEDOUT:
      return WSAETIMEDOUT;
    case ECONNREFUSED:
      return WSAECONNREFUSED;
    case EHOSTUNREACH:
      return WSAEHOSTUNREACH;
    default:
      return err;
  }
}
struct WsaLastError {
  int value = 0;
  int errno_then = 0;  // errno when WSASetLastError ran: a later failing call changes errno
};
inline WsaLastError& wsa_last_error() {
  static thread_local WsaLastError slot;
  return slot;
}
}  // namespace httpserv::compat

// The error of the calling thread's last failed socket call: errno mapped to WSA* codes
// (EAGAIN -> WSAEWOULDBLOCK, ECONNRESET -> WSAECONNRESET, ...), or the value WSASetLastError
// stored, as long as errno has not changed since.
inline int WSAGetLastError() {
  const auto& slot = httpserv::compat::wsa_last_error();
  if (slot.value != 0 && slot.errno_then == errno) return slot.value;
  return httpserv::compat::wsa_error_from_errno(errno);
}
inline void WSASetLastError(int iError) {
  auto& slot = httpserv::compat::wsa_last_error();
  slot.value = iError;
  slot.errno_then = errno;
}

// ioctlsocket: FIONBIO (non-blocking on/off) and FIONREAD (bytes readable).
#ifndef FIONBIO
#define FIONBIO 0x5421
#endif
inline int ioctlsocket(SOCKET s, long cmd, ULONG* argp) {  // NOLINT(runtime/int)
  if (argp == nullptr) return SOCKET_ERROR;
  if (cmd == static_cast<long>(FIONBIO)) {  // NOLINT(runtime/int)
    int flags = ::fcntl(s, F_GETFL, 0);
    if (flags < 0) return SOCKET_ERROR;
    flags = *argp != 0 ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    return ::fcntl(s, F_SETFL, flags) == 0 ? 0 : SOCKET_ERROR;
  }
  int value = 0;
  if (::ioctl(s, static_cast<unsigned long>(cmd), &value) != 0) return SOCKET_ERROR;  // NOLINT
  *argp = static_cast<ULONG>(value);
  return 0;
}

// inet_pton / inet_ntop under their Windows names (A and W forms); 1 on success, 0 for text
// that is not an address, -1 (WSAEAFNOSUPPORT) for another family.
inline INT InetPtonA(INT Family, PCSTR pszAddrString, PVOID pAddrBuf) {
  return ::inet_pton(Family, pszAddrString, pAddrBuf);
}
inline INT InetPtonW(INT Family, PCWSTR pszAddrString, PVOID pAddrBuf) {
  if (pszAddrString == nullptr) return 0;
  return ::inet_pton(Family, httpserv::compat::wide_to_utf8(pszAddrString).c_str(), pAddrBuf);
}
inline PCSTR InetNtopA(INT Family, const VOID* pAddr, PSTR pStringBuf, size_t StringBufSize) {
  return ::inet_ntop(Family, pAddr, pStringBuf, static_cast<socklen_t>(StringBufSize));
}
inline PCWSTR InetNtopW(INT Family, const VOID* pAddr, PWSTR pStringBuf, size_t StringBufSize) {
  char narrow[INET6_ADDRSTRLEN];
  if (pStringBuf == nullptr ||
      ::inet_ntop(Family, pAddr, narrow, static_cast<socklen_t>(sizeof(narrow))) == nullptr) {
    return nullptr;
  }
  size_t n = std::strlen(narrow);
  if (StringBufSize <= n) {
    errno = ENOSPC;
    return nullptr;
  }
  for (size_t i = 0; i <= n; ++i)
    pStringBuf[i] = static_cast<wchar_t>(narrow[i]);
  return pStringBuf;
}
#define inet_pton_w InetPtonW

// "a.b.c.d:port" or "[v6]:port" (the port only when it is not 0; IPv6 scope as %id), as
// WSAAddressToString prints it. *lpdwAddressStringLength: in, the buffer's characters; out, the
// characters written including the terminator (or needed, with WSAEFAULT).
inline INT WSAAddressToStringA(LPSOCKADDR lpsaAddress, DWORD dwAddressLength, void* lpProtocolInfo,
                               LPSTR lpszAddressString, LPDWORD lpdwAddressStringLength) {
  (void)lpProtocolInfo;
  if (lpsaAddress == nullptr || lpdwAddressStringLength == nullptr) {
    WSASetLastError(WSAEFAULT);
    return SOCKET_ERROR;
  }
  char host[INET6_ADDRSTRLEN] = {};
  char text[INET6_ADDRSTRLEN + 32];
  if (lpsaAddress->sa_family == AF_INET && dwAddressLength >= sizeof(sockaddr_in)) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(lpsaAddress);
    ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    if (a->sin_port != 0) {
      std::snprintf(text, sizeof(text), "%s:%u", host, ntohs(a->sin_port));
    } else {
      std::snprintf(text, sizeof(text), "%s", host);
    }
  } else if (lpsaAddress->sa_family == AF_INET6 && dwAddressLength >= sizeof(sockaddr_in6)) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(lpsaAddress);
    ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    char scope[16] = "";
    if (a->sin6_scope_id != 0) std::snprintf(scope, sizeof(scope), "%%%u", a->sin6_scope_id);
    if (a->sin6_port != 0) {
      std::snprintf(text, sizeof(text), "[%s%s]:%u", host, scope, ntohs(a->sin6_port));
    } else {
      std::snprintf(text, sizeof(text), "%s%s", host, scope);
    }
  } else {
    WSASetLastError(WSAEINVAL);
    return SOCKET_ERROR;
  }
  const DWORD needed = static_cast<DWORD>(std::strlen(text) + 1);
  if (lpszAddressString == nullptr || *lpdwAddressStringLength < needed) {
    *lpdwAddressStringLength = needed;
    WSASetLastError(WSAEFAULT);
    return SOCKET_ERROR;
  }
  std::memcpy(lpszAddressString, text, needed);
  *lpdwAddressStringLength = needed;
  return 0;
}
inline INT WSAAddressToStringW(LPSOCKADDR lpsaAddress, DWORD dwAddressLength, void* lpProtocolInfo,
                               LPWSTR lpszAddressString, LPDWORD lpdwAddressStringLength) {
  if (lpdwAddressStringLength == nullptr) {
    WSASetLastError(WSAEFAULT);
    return SOCKET_ERROR;
  }
  char narrow[INET6_ADDRSTRLEN + 32];
  DWORD n = sizeof(narrow);
  if (WSAAddressToStringA(lpsaAddress, dwAddressLength, lpProtocolInfo, narrow, &n) != 0)
    return SOCKET_ERROR;
  if (lpszAddressString == nullptr || *lpdwAddressStringLength < n) {
    *lpdwAddressStringLength = n;
    WSASetLastError(WSAEFAULT);
    return SOCKET_ERROR;
  }
  for (DWORD i = 0; i < n; ++i)
    lpszAddressString[i] = static_cast<wchar_t>(narrow[i]);
  *lpdwAddressStringLength = n;
  return 0;
}

#ifdef UNICODE
#define WSAAddressToString WSAAddressToStringW
#define InetNtop InetNtopW
#define InetPton InetPtonW
#else
#define WSAAddressToString WSAAddressToStringA
#define InetNtop InetNtopA
#define InetPton InetPtonA
#endif

// ---------------------------------------------------------------------------------------------
// The WSA event API. A WSAEVENT is a manual-reset event (httpserv_handles.h). WSAEventSelect
// associates a socket with it (and makes the socket non-blocking, as Windows does);
// WSAWaitForMultipleEvents waits for SetEvent or network activity on the associated sockets
// (poll(2) on the sockets and the events' eventfds); WSAEnumNetworkEvents reports and clears
// what happened. Network events are level-triggered except FD_WRITE and FD_CONNECT, which are
// reported once per WSAEventSelect (Windows re-arms FD_WRITE after a WSAEWOULDBLOCK send; here
// call WSAEventSelect again, or just try the send).
// ---------------------------------------------------------------------------------------------

typedef HANDLE WSAEVENT;
typedef HANDLE* LPWSAEVENT;
#define WSA_INVALID_EVENT ((WSAEVENT) nullptr)
#define WSA_MAXIMUM_WAIT_EVENTS MAXIMUM_WAIT_OBJECTS
#define WSA_WAIT_EVENT_0 WAIT_OBJECT_0
#define WSA_WAIT_IO_COMPLETION WAIT_IO_COMPLETION
#define WSA_WAIT_TIMEOUT WAIT_TIMEOUT
#define WSA_WAIT_FAILED WAIT_FAILED
#define WSA_INFINITE INFINITE

#define FD_READ_BIT 0
#define FD_READ (1 << FD_READ_BIT)
#define FD_WRITE_BIT 1
#define FD_WRITE (1 << FD_WRITE_BIT)
#define FD_OOB_BIT 2
#define FD_OOB (1 << FD_OOB_BIT)
#define FD_ACCEPT_BIT 3
#define FD_ACCEPT (1 << FD_ACCEPT_BIT)
#define FD_CONNECT_BIT 4
#define FD_CONNECT (1 << FD_CONNECT_BIT)
#define FD_CLOSE_BIT 5
#define FD_CLOSE (1 << FD_CLOSE_BIT)
#define FD_MAX_EVENTS 10
#define FD_ALL_EVENTS ((1 << FD_MAX_EVENTS) - 1)

struct WSANETWORKEVENTS {
  long lNetworkEvents;  // NOLINT(runtime/int): Windows' long is 32 bits; the value fits either
  int iErrorCode[FD_MAX_EVENTS];
};
typedef WSANETWORKEVENTS* LPWSANETWORKEVENTS;

inline WSAEVENT WSACreateEvent() {
  HANDLE h = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  if (h == nullptr) WSASetLastError(WSA_NOT_ENOUGH_MEMORY);
  return h;
}
inline BOOL WSACloseEvent(WSAEVENT hEvent) {
  if (!CloseHandle(hEvent)) {
    WSASetLastError(WSA_INVALID_HANDLE);
    return FALSE;
  }
  return TRUE;
}
inline BOOL WSASetEvent(WSAEVENT hEvent) {
  return SetEvent(hEvent);
}
inline BOOL WSAResetEvent(WSAEVENT hEvent) {
  return ResetEvent(hEvent);
}

namespace httpserv::compat {
inline EventObject* wsa_event(WSAEVENT h) {
  return object_as<EventObject>(h, KernelObject::Kind::kEvent);
}
// With e->mu held: the eventfd SetEvent writes to (created on first use). False on failure.
inline bool ensure_wake_fd(EventObject* e) {
  if (e->wake_fd >= 0) return true;
  e->wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  return e->wake_fd >= 0;
}
// With e->mu held: polls the associated sockets once and turns what is ready into pending
// network events; signals the event if any is pending.
inline void collect_network_events(EventObject* e) {
  bool any = false;
  for (auto& w : e->sockets) {
    pollfd p{w.fd, static_cast<short>(POLLIN | POLLOUT | POLLPRI | POLLRDHUP), 0};
    if (::poll(&p, 1, 0) <= 0) {
      any = any || (w.pending & w.requested) != 0;
      continue;
    }
    int listening = 0;
    socklen_t len = sizeof(listening);
    ::getsockopt(w.fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
    long ev = 0;  // NOLINT(runtime/int)
    if ((p.revents & POLLIN) != 0) {
      if (listening != 0) {
        ev |= FD_ACCEPT;
      } else {
        char byte;
        ssize_t n = ::recv(w.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        ev |= n == 0 ? FD_CLOSE : FD_READ;
      }
    }
    if ((p.revents & (POLLHUP | POLLRDHUP | POLLERR)) != 0 && listening == 0) ev |= FD_CLOSE;
    if ((p.revents & POLLPRI) != 0) ev |= FD_OOB;
    if ((p.revents & POLLOUT) != 0 && listening == 0) {
      if (!w.connect_reported) {
        ev |= FD_CONNECT;
        w.connect_reported = true;
      }
      if (!w.write_reported) {
        ev |= FD_WRITE;
        w.write_reported = true;
      }
    }
    w.pending |= ev & w.requested;
    any = any || (w.pending & w.requested) != 0;
  }
  if (any) e->set_locked(true);
}
}  // namespace httpserv::compat

// Associates socket s with hEventObject for the FD_* events in lNetworkEvents (0 removes the
// association) and makes s non-blocking. 0, or SOCKET_ERROR (WSAENOTSOCK, WSA_INVALID_HANDLE).
inline int WSAEventSelect(SOCKET s, WSAEVENT hEventObject, long lNetworkEvents) {  // NOLINT
  using namespace httpserv::compat;
  EventObject* e = wsa_event(hEventObject);
  if (e == nullptr) {
    WSASetLastError(WSA_INVALID_HANDLE);
    return SOCKET_ERROR;
  }
  int type = 0;
  socklen_t len = sizeof(type);
  if (::getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &len) != 0) {
    WSASetLastError(WSAENOTSOCK);
    return SOCKET_ERROR;
  }
  int flags = ::fcntl(s, F_GETFL, 0);
  if (flags >= 0) ::fcntl(s, F_SETFL, flags | O_NONBLOCK);
  std::lock_guard<std::mutex> lock(e->mu);
  if (!ensure_wake_fd(e)) {
    WSASetLastError(WSAENOBUFS);
    return SOCKET_ERROR;
  }
  auto it = std::find_if(e->sockets.begin(), e->sockets.end(),
                         [&](const EventObject::SocketWatch& w) { return w.fd == s; });
  if (lNetworkEvents == 0) {
    if (it != e->sockets.end()) e->sockets.erase(it);
    return 0;
  }
  if (it == e->sockets.end()) {
    e->sockets.push_back({s, lNetworkEvents, 0, false, false});
  } else {
    *it = {s, lNetworkEvents, 0, false, false};
  }
  collect_network_events(e);
  return 0;
}

// The network events recorded for s since the last call (and clears them); resets hEventObject
// when given (as Windows does). iErrorCode entries are 0 (errors show in the next recv/send).
inline int WSAEnumNetworkEvents(SOCKET s, WSAEVENT hEventObject,
                                LPWSANETWORKEVENTS lpNetworkEvents) {
  using namespace httpserv::compat;
  if (lpNetworkEvents == nullptr) {
    WSASetLastError(WSAEFAULT);
    return SOCKET_ERROR;
  }
  std::memset(lpNetworkEvents, 0, sizeof(*lpNetworkEvents));
  EventObject* e = wsa_event(hEventObject);
  if (e == nullptr) {
    WSASetLastError(WSA_INVALID_HANDLE);
    return SOCKET_ERROR;
  }
  std::lock_guard<std::mutex> lock(e->mu);
  collect_network_events(e);
  for (auto& w : e->sockets) {
    if (w.fd == s) {
      lpNetworkEvents->lNetworkEvents = w.pending & w.requested;
      w.pending = 0;
    }
  }
  e->set_locked(false);
  return 0;
}

// Waits for one (fWaitAll FALSE: WSA_WAIT_EVENT_0 + its index) or all of the events, up to
// dwTimeout ms; network activity on associated sockets signals their event. Up to 64 events.
inline DWORD WSAWaitForMultipleEvents(DWORD cEvents, const WSAEVENT* lphEvents, BOOL fWaitAll,
                                      DWORD dwTimeout, BOOL fAlertable) {
  (void)fAlertable;
  using namespace httpserv::compat;
  if (cEvents == 0 || cEvents > WSA_MAXIMUM_WAIT_EVENTS || lphEvents == nullptr) {
    WSASetLastError(WSA_INVALID_PARAMETER);
    return WSA_WAIT_FAILED;
  }
  EventObject* events[WSA_MAXIMUM_WAIT_EVENTS];
  for (DWORD i = 0; i < cEvents; ++i) {
    events[i] = wsa_event(lphEvents[i]);
    if (events[i] == nullptr) {
      WSASetLastError(WSA_INVALID_HANDLE);
      return WSA_WAIT_FAILED;
    }
    std::lock_guard<std::mutex> lock(events[i]->mu);
    if (!ensure_wake_fd(events[i])) {
      WSASetLastError(WSA_NOT_ENOUGH_MEMORY);
      return WSA_WAIT_FAILED;
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(dwTimeout);
  for (;;) {
    std::vector<pollfd> fds;
    for (DWORD i = 0; i < cEvents; ++i) {
      std::lock_guard<std::mutex> lock(events[i]->mu);
      collect_network_events(events[i]);
      fds.push_back({events[i]->wake_fd, POLLIN, 0});
      for (const auto& w : events[i]->sockets)
        fds.push_back(
            {w.fd,
             static_cast<short>(POLLIN | POLLPRI | POLLRDHUP | (w.write_reported ? 0 : POLLOUT)),
             0});
    }
    DWORD r = WaitForMultipleObjects(cEvents, lphEvents, fWaitAll, 0);
    if (r != WAIT_TIMEOUT) return r;
    int timeout = -1;
    if (dwTimeout != WSA_INFINITE) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) return WSA_WAIT_TIMEOUT;
      timeout = static_cast<int>(std::min<long long>(left, INT_MAX));  // NOLINT(runtime/int)
    }
    if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
      WSASetLastError(wsa_error_from_errno(errno));
      return WSA_WAIT_FAILED;
    }
    for (DWORD i = 0; i < cEvents; ++i) {  // drain the eventfds; the state is in the events
      uint64_t counter;
      ssize_t n = ::read(events[i]->wake_fd, &counter, sizeof(counter));
      (void)n;
    }
  }
}

#endif  // HTTPSERV_COMPAT_WINSOCK2_H_
