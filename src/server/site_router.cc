#include "server/site_router.h"

#include "base/log.h"
#include "base/metrics.h"
#include "core/simple_response.h"
#include "http/headers.h"

namespace hs::server {
namespace {

// Ranks of the precedence list in site_router.h; lower wins. -1: no match.
int rank(const SiteBinding& b, std::string_view ip, uint16_t port, std::string_view host) {
  if (b.port != 0 && b.port != port) return -1;
  bool ip_exact = !b.ip.empty() && b.ip == ip;
  if (!b.ip.empty() && !ip_exact) return -1;
  if (b.host.empty()) return ip_exact ? 4 : 5;
  if (b.host.size() > 1 && b.host[0] == '*' && b.host[1] == '.') {
    std::string_view suffix = std::string_view(b.host).substr(1);  // ".example.com"
    if (host.size() <= suffix.size() || host.substr(host.size() - suffix.size()) != suffix) {
      return -1;
    }
    return 3;
  }
  if (b.host != host) return -1;
  return ip_exact ? 1 : 2;
}

}  // namespace

void SiteRouter::add_site(std::vector<SiteBinding> bindings, http::Handler* site) {
  for (SiteBinding& b : bindings)
    entries_.push_back({std::move(b), site});
}

std::string SiteRouter::normalize_host(std::string_view host) {
  std::string_view h = host;
  while (!h.empty() && (h.front() == ' ' || h.front() == '\t'))
    h.remove_prefix(1);
  while (!h.empty() && (h.back() == ' ' || h.back() == '\t'))
    h.remove_suffix(1);
  if (!h.empty() && h.front() == '[') {
    size_t close = h.find(']');
    h = close == std::string_view::npos ? h.substr(1) : h.substr(1, close - 1);
  } else {
    size_t colon = h.find(':');
    if (colon != std::string_view::npos) h = h.substr(0, colon);
  }
  if (!h.empty() && h.back() == '.') h.remove_suffix(1);
  std::string out(h);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

http::Handler* SiteRouter::route(std::string_view local_ip, uint16_t local_port,
                                 std::string_view host) const {
  std::string h = normalize_host(host);
  http::Handler* best = nullptr;
  int best_rank = 99;
  size_t best_len = 0;  // among wildcards: the longest suffix
  for (const Entry& e : entries_) {
    int r = rank(e.binding, local_ip, local_port, h);
    if (r < 0) continue;
    bool ip_exact = !e.binding.ip.empty();
    // Wildcards: longest suffix first, then the local IP before any IP.
    size_t len = r == 3 ? e.binding.host.size() * 2 + (ip_exact ? 1 : 0) : 0;
    if (r < best_rank || (r == best_rank && r == 3 && len > best_len)) {
      best = e.site;
      best_rank = r;
      best_len = len;
    }
  }
  return best;
}

void SiteRouter::handle(http::Exchange& ex) {
  // The request's authority: Host on HTTP/1, :authority on HTTP/2 (validated by the codec alike).
  std::string_view host = ex.request().authority;
  http::Handler* site = route(ex.local_address(), ex.local_port(), host);
  if (site == nullptr) {
    HS_LOG_INFO("%.*s:%u: no site is bound to host '%.*s' on %.*s:%u: 400",
                static_cast<int>(ex.remote_address().size()), ex.remote_address().data(),
                ex.remote_port(), static_cast<int>(host.size()), host.data(),
                static_cast<int>(ex.local_address().size()), ex.local_address().data(),
                ex.local_port());
    base::metrics::count_response(0, 400);  // no site answered it
    core::send_simple_response(ex, 400);
    return;
  }
  // Over TLS the certificate (and whether a client certificate was asked for) was chosen by the
  // SNI name: a request for another site on that connection would get around the other site's
  // TLS settings, so it is misdirected (RFC 9110 §15.5.20), as nginx and h2o answer it.
  const http::ConnectionInfo& tls = ex.connection_info();
  if (tls.secure && !tls.server_name.empty() &&
      route(ex.local_address(), ex.local_port(), tls.server_name) != site) {
    HS_LOG_INFO("%.*s:%u: TLS server name '%.*s' and host '%.*s' name different sites: 421",
                static_cast<int>(ex.remote_address().size()), ex.remote_address().data(),
                ex.remote_port(), static_cast<int>(tls.server_name.size()), tls.server_name.data(),
                static_cast<int>(host.size()), host.data());
    core::send_simple_response(ex, 421);
    return;
  }
  site->handle(ex);
}

}  // namespace hs::server
