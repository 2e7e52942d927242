// Winsock TCP/IP extensions over the Linux resolver headers: getaddrinfo, inet_pton and
// inet_ntop are the POSIX functions; only the Windows type names are added.

#ifndef HTTPSERV_COMPAT_WS2TCPIP_H_
#define HTTPSERV_COMPAT_WS2TCPIP_H_

#include <netdb.h>

#include "winsock2.h"

// ADDRINFO, ADDRINFOA and getaddrinfo come from winsock2.h (ws2def.h on Windows).

#ifndef INET_ADDRSTRLEN
#define INET_ADDRSTRLEN 16
#endif
#ifndef INET6_ADDRSTRLEN
#define INET6_ADDRSTRLEN 46
#endif

#endif  // HTTPSERV_COMPAT_WS2TCPIP_H_
