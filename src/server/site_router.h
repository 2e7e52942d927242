#pragma once
// Virtual hosts: picks the site whose binding matches a request's local address, local port and
// Host header, as HTTP.sys does for IIS bindings ("IP:port:host"). Protocol-agnostic: it reads
// only the Exchange's addresses and its Host header.
//
// Precedence among the bindings on the request's port (first match wins):
//   1. the exact host name, on the local IP;     2. the exact host name, on any IP ("*");
//   3. a wildcard host ("*.example.com", longest suffix first), on the local IP, then any IP;
//   4. no host name, on the local IP;            5. no host name, on any IP.
// Host names compare case-insensitively, without the port and a trailing dot. A request that no
// binding takes gets 400 ("Invalid Hostname", as HTTP.sys answers).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/exchange.h"

namespace hs::server {

struct SiteBinding {
  std::string ip;     // "" = any address; otherwise numeric, canonical (inet_ntop) form
  uint16_t port = 0;  // 0 = any port
  std::string host;   // "" = any host; lower case; "*.suffix" for a wildcard
};

class SiteRouter final : public http::Handler {
 public:
  // `site` is not owned and outlives the router. Sites are added before serving.
  void add_site(std::vector<SiteBinding> bindings, http::Handler* site);

  // The site for a request, or null. `host` is the Host header's value as received.
  http::Handler* route(std::string_view local_ip, uint16_t local_port, std::string_view host) const;

  void handle(http::Exchange& ex) override;

  // "Host: www.Example.com.:8080" → "www.example.com"; "[::1]:80" → "::1".
  static std::string normalize_host(std::string_view host);

 private:
  struct Entry {
    SiteBinding binding;
    http::Handler* site;
  };
  std::vector<Entry> entries_;
};

}  // namespace hs::server
