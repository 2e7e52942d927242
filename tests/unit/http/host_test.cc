// http::is_valid_host (the Host field, RFC 9112 §3.2 / RFC 3986 §3.2.2), by table.
#include "http/host.h"

#include <gtest/gtest.h>

#include <string>

namespace hs::http {
namespace {

struct HostCase {
  std::string value;
  bool valid;
};

void PrintTo(const HostCase& c, std::ostream* os) {
  *os << '"' << c.value << "\" " << (c.valid ? "valid" : "invalid");
}

class ValidHost : public ::testing::TestWithParam<HostCase> {};

TEST_P(ValidHost, Classifies) {
  EXPECT_EQ(is_valid_host(GetParam().value), GetParam().valid);
}

INSTANTIATE_TEST_SUITE_P(
    Accepted, ValidHost,
    ::testing::Values(HostCase{"example.com", true}, HostCase{"EXAMPLE.com.", true},
                      HostCase{"a", true}, HostCase{"example.com:8080", true},
                      HostCase{"example.com:", true},  // RFC 3986: port = *DIGIT
                      HostCase{"127.0.0.1", true}, HostCase{"127.0.0.1:80", true},
                      HostCase{"xn--bcher-kva.example", true}, HostCase{"my_host-1~x", true},
                      HostCase{"b%C3%BCcher.example", true}, HostCase{"a!$&'()*+;=b", true},
                      HostCase{"[::1]", true}, HostCase{"[::1]:8080", true},
                      HostCase{"[2001:db8::1]", true}, HostCase{"[::ffff:192.0.2.1]:443", true},
                      HostCase{"[v7.fe80::1+eth0]", true}, HostCase{"[V1a.x:y]", true}));

INSTANTIATE_TEST_SUITE_P(
    Refused, ValidHost,
    ::testing::Values(HostCase{"", false}, HostCase{":80", false}, HostCase{"exa mple", false},
                      HostCase{"exa mple/evil", false}, HostCase{"127.0.0.1:8080/path", false},
                      HostCase{"example.com/", false}, HostCase{"user@host", false},
                      HostCase{"user:pw@host", false}, HostCase{"a,b", false},
                      HostCase{"a, b", false}, HostCase{"example.com:80a", false},
                      HostCase{"example.com:-1", false}, HostCase{"example.com:80:81", false},
                      HostCase{"a?b", false}, HostCase{"a#b", false}, HostCase{"a\\b", false},
                      HostCase{"a\tb", false}, HostCase{std::string("a\0b", 3), false},
                      HostCase{"a\x7f", false},
                      HostCase{"b\xc3\xbc"
                               "cher",
                               false},
                      HostCase{"a%", false}, HostCase{"a%4", false}, HostCase{"a%zz", false},
                      HostCase{"a\"b", false}, HostCase{"a<b>", false}, HostCase{"[::1", false},
                      HostCase{"::1", false}, HostCase{"[::1]x", false}, HostCase{"[::1]:x", false},
                      HostCase{"[]", false}, HostCase{"[1.2.3.4]", false}, HostCase{"[::g]", false},
                      HostCase{"[fe80::1%25eth0]", false}, HostCase{"[::1]]", false},
                      HostCase{"[v.x]", false}, HostCase{"[v1.]", false}, HostCase{"[v1x]", false},
                      HostCase{"[v1.a,b]", false}, HostCase{"[a]b]", false}));

TEST(AuthorityForAddress, BracketsIpv6AndAddsANonDefaultPort) {
  EXPECT_EQ(authority_for_address("127.0.0.1", 80), "127.0.0.1");
  EXPECT_EQ(authority_for_address("127.0.0.1", 8080), "127.0.0.1:8080");
  EXPECT_EQ(authority_for_address("::1", 80), "[::1]");
  EXPECT_EQ(authority_for_address("::1", 8080), "[::1]:8080");
  EXPECT_EQ(authority_for_address("fe80::1", 443, 443), "[fe80::1]");
  EXPECT_EQ(authority_for_address("10.0.0.1", 80, 443), "10.0.0.1:80");
  // What it builds is a valid Host.
  EXPECT_TRUE(is_valid_host(authority_for_address("2001:db8::1", 8443)));
}

}  // namespace
}  // namespace hs::http
