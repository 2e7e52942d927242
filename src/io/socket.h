#pragma once
// Socket helpers: address parsing, listening sockets with SO_REUSEPORT (one per worker), accept.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hs::io {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t len = 0;

  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  uint16_t port() const;
  void set_port(uint16_t port);
  // "127.0.0.1:8080" or "[::1]:8080".
  std::string to_string() const;
  // Numeric host only, e.g. "127.0.0.1" or "::1".
  std::string host_string() const;
};

// Parses "IP:PORT", "[IPv6]:PORT", "*:PORT" (all IPv4 interfaces) or ":PORT". Numeric only.
std::optional<SocketAddress> parse_socket_address(std::string_view text);

// Creates a non-blocking listening socket bound to `addr` with SO_REUSEADDR and SO_REUSEPORT.
// Returns the fd, or -1 with errno set.
int listen_on(const SocketAddress& addr, int backlog);
std::optional<SocketAddress> local_address(int fd);
std::optional<SocketAddress> peer_address(int fd);

void set_nodelay(int fd);

}  // namespace hs::io
