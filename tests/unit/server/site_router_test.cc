// SiteRouter's binding precedence (server/site_router.h), without sockets: route() is given the
// local address, port and Host value a connection would have.
#include "server/site_router.h"

#include <gtest/gtest.h>

#include "fake_exchange.h"
#include "manual_executor.h"

namespace hs::server {
namespace {

// Counts the requests it is given.
class Counting final : public http::Handler {
 public:
  void handle(http::Exchange&) override { ++calls; }
  int calls = 0;
};

// Distinct handlers only to tell the sites apart; never called.
class Site final : public http::Handler {
 public:
  void handle(http::Exchange&) override { ADD_FAILURE() << "not called here"; }
};

TEST(SiteRouter, NormalizesHost) {
  EXPECT_EQ(SiteRouter::normalize_host(" WWW.Example.COM.:8080 "), "www.example.com");
  EXPECT_EQ(SiteRouter::normalize_host("[::1]:80"), "::1");
  EXPECT_EQ(SiteRouter::normalize_host("[::1"), "::1");
  EXPECT_EQ(SiteRouter::normalize_host(""), "");
}

TEST(SiteRouter, PrecedenceFollowsSpecificity) {
  Site exact_ip, exact_any, wild_short, wild_long_ip, ip_only, any;
  SiteRouter r;
  r.add_site({{"10.0.0.1", 80, "www.a.com"}}, &exact_ip);
  r.add_site({{"", 80, "www.a.com"}}, &exact_any);
  r.add_site({{"", 80, "*.a.com"}}, &wild_short);
  r.add_site({{"10.0.0.1", 80, "*.b.a.com"}}, &wild_long_ip);
  r.add_site({{"10.0.0.1", 80, ""}}, &ip_only);
  r.add_site({{"", 80, ""}}, &any);

  EXPECT_EQ(r.route("10.0.0.1", 80, "www.a.com"), &exact_ip);
  EXPECT_EQ(r.route("10.0.0.2", 80, "WWW.A.COM:80"), &exact_any);
  EXPECT_EQ(r.route("10.0.0.1", 80, "x.b.a.com"), &wild_long_ip);  // longest suffix
  EXPECT_EQ(r.route("10.0.0.2", 80, "x.b.a.com"), &wild_short);    // not on this IP
  EXPECT_EQ(r.route("10.0.0.1", 80, "a.com"), &ip_only);           // "*.a.com" needs a label
  EXPECT_EQ(r.route("10.0.0.1", 80, "other.org"), &ip_only);
  EXPECT_EQ(r.route("10.0.0.2", 80, "other.org"), &any);
  EXPECT_EQ(r.route("10.0.0.2", 80, ""), &any);
  EXPECT_EQ(r.route("10.0.0.1", 81, "www.a.com"), nullptr);  // no binding on that port
}

TEST(SiteRouter, NoFallbackMeansNoSite) {
  Site only;
  SiteRouter r;
  r.add_site({{"", 8080, "only.example"}, {"", 8080, "alias.example"}}, &only);
  EXPECT_EQ(r.route("127.0.0.1", 8080, "alias.example"), &only);
  EXPECT_EQ(r.route("127.0.0.1", 8080, "only.example"), &only);
  EXPECT_EQ(r.route("127.0.0.1", 8080, "nope.example"), nullptr);
  EXPECT_EQ(r.route("127.0.0.1", 8080, ""), nullptr);
}

TEST(SiteRouter, PortZeroBindingsMatchAnyPort) {
  // --listen replaces the bindings' addresses: port 0 and any IP.
  Site a, b;
  SiteRouter r;
  r.add_site({{"", 0, "a.example"}}, &a);
  r.add_site({{"", 0, ""}}, &b);
  EXPECT_EQ(r.route("127.0.0.1", 4321, "a.example"), &a);
  EXPECT_EQ(r.route("127.0.0.1", 4321, "c.example"), &b);
}

// handle() routes by the request's authority (Host on HTTP/1, :authority on HTTP/2), through a
// FakeExchange: no protocol involved. Unbound authorities get a 400.
TEST(SiteRouter, RoutesByAuthority) {
  Counting a, b;
  SiteRouter r;
  r.add_site({{"", 80, "a.example"}}, &a);
  r.add_site({{"", 80, "b.example"}}, &b);
  test::ManualExecutor exec;
  test::FakeExchange ex1(exec);
  ex1.head().authority = "B.example:80";
  r.handle(ex1);
  EXPECT_EQ(b.calls, 1);
  EXPECT_EQ(a.calls, 0);
  test::FakeExchange ex2(exec);
  ex2.head().authority = "c.example";
  r.handle(ex2);
  EXPECT_EQ(a.calls + b.calls, 1);
  ASSERT_EQ(ex2.sends.size(), 1u);
  EXPECT_EQ(ex2.response().status, 400);
  EXPECT_TRUE(ex2.sends[0].last);
}

}  // namespace
}  // namespace hs::server
