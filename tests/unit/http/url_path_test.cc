#include "http/url_path.h"

#include <gtest/gtest.h>

#include <string>

namespace hs::http {
namespace {

// ---------------------------------------------------------------------------------------------
// split_target

struct SplitCase {
  const char* target;
  const char* path;
  const char* query;
  bool has_query;
  const char* authority;
};

TEST(SplitTarget, ValidForms) {
  const SplitCase cases[] = {
      // origin-form
      {"/", "/", "", false, ""},
      {"/a/b", "/a/b", "", false, ""},
      {"/a/b?x=1&y=2", "/a/b", "x=1&y=2", true, ""},
      {"/a?", "/a", "", true, ""},
      {"/?x", "/", "x", true, ""},
      {"/a?b?c", "/a", "b?c", true, ""},
      {"/a%20b?q=%2F", "/a%20b", "q=%2F", true, ""},
      {"//a", "//a", "", false, ""},
      {"/caf\xc3\xa9", "/caf\xc3\xa9", "", false, ""},
      // absolute-form
      {"http://example.com/a?x", "/a", "x", true, "example.com"},
      {"http://example.com:8080/a/b", "/a/b", "", false, "example.com:8080"},
      {"https://example.com/", "/", "", false, "example.com"},
      {"HTTP://Example.COM/a", "/a", "", false, "Example.COM"},
      {"HtTpS://h/a", "/a", "", false, "h"},
      {"http://example.com", "/", "", false, "example.com"},
      {"http://example.com?x", "/", "x", true, "example.com"},
      {"http://example.com?", "/", "", true, "example.com"},
      {"http://[::1]:80/a", "/a", "", false, "[::1]:80"},
      {"http://h//a", "//a", "", false, "h"},
      // asterisk-form
      {"*", "*", "", false, ""},
  };
  for (const auto& c : cases) {
    const auto t = split_target(c.target);
    ASSERT_TRUE(t.has_value()) << c.target;
    EXPECT_EQ(t->path, c.path) << c.target;
    EXPECT_EQ(t->query, c.query) << c.target;
    EXPECT_EQ(t->has_query, c.has_query) << c.target;
    EXPECT_EQ(t->authority, c.authority) << c.target;
  }
}

TEST(SplitTarget, ViewsPointIntoTheTarget) {
  const std::string target = "/a/b?q";
  const auto t = split_target(target);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->path.data(), target.data());
  EXPECT_EQ(t->query.data(), target.data() + 5);
}

TEST(SplitTarget, RejectedForms) {
  const char* const invalid[] = {
      "",
      "a/b",                    // relative
      "example.com:443",        // authority-form
      "example.com",            //
      "ftp://example.com/a",    // other scheme
      "httpx://example.com/a",  //
      "http:/example.com/a",    //
      "http:example.com",       //
      "://example.com/a",       //
      "http://",                // empty authority
      "http:///a",              //
      "http://?x",              //
      "http://user@host/a",     // userinfo
      "http://user:pw@host/",   //
      "**",                     //
      "*?x",                    //
      "*/a",                    //
      "/a b",                   // SP
      "/a\tb",                  // CTL
      "/a\r\n",                 //
      "/a\x7f",                 //
      "/a#frag",                // fragment
      "http://h/a#frag",        //
      "?x",                     //
  };
  for (const char* target : invalid) {
    EXPECT_FALSE(split_target(target).has_value()) << '"' << target << '"';
  }
  EXPECT_FALSE(split_target(std::string_view("/a\0b", 4)).has_value());
}

// ---------------------------------------------------------------------------------------------
// percent_decode

TEST(PercentDecode, Valid) {
  struct Case {
    std::string_view in;
    std::string_view out;
  };
  const Case cases[] = {
      {"", ""},
      {"abc", "abc"},
      {"%41%42%43", "ABC"},
      {"a%2fb%2Fc", "a/b/c"},
      {"%e2%82%ac", "\xe2\x82\xac"},
      {"%E2%82%AC", "\xe2\x82\xac"},
      {"a+b", "a+b"},
      {"%25", "%"},
      {"%2525", "%25"},  // decoded once only
      {"%00", std::string_view("\0", 1)},
      {"%ff%FF%fF", "\xff\xff\xff"},
      {"100%25", "100%"},
  };
  for (const auto& c : cases) {
    std::string out = "previous contents";
    ASSERT_TRUE(percent_decode(c.in, out)) << c.in;
    EXPECT_EQ(out, c.out) << c.in;
  }
}

TEST(PercentDecode, BadEscapes) {
  for (const char* in :
       {"%", "%4", "a%", "a%4", "%zz", "%4g", "%g4", "%%41", "%-1", "% 41", "%+1", "abc%2"}) {
    std::string out;
    EXPECT_FALSE(percent_decode(in, out)) << in;
  }
}

// ---------------------------------------------------------------------------------------------
// normalize_path

struct NormCase {
  std::string_view raw;
  std::string_view normalized;
};

TEST(NormalizePath, Valid) {
  const NormCase cases[] = {
      {"/", "/"},
      {"/a", "/a"},
      {"/a/b", "/a/b"},
      {"/a/b/", "/a/b/"},
      {"//", "/"},
      {"///a///b///", "/a/b/"},
      {"/a//b", "/a/b"},
      {"/a/./b//c/", "/a/b/c/"},
      {"/.", "/"},
      {"/./", "/"},
      {"/./a", "/a"},
      {"/a/.", "/a/"},
      {"/a/..", "/"},
      {"/a/../", "/"},
      {"/a/b/..", "/a/"},
      {"/a/b/../c", "/a/c"},
      {"/a/b/../../c", "/c"},
      {"/a/b/c/../../../", "/"},
      {"/a/./../b", "/b"},
      {"/a//../b", "/b"},  // empty segments vanish before ".." applies
      {"/a/%2e%2e/b", "/b"},
      {"/a/%2E%2e/b", "/b"},
      {"/a/.%2e/b", "/b"},
      {"/a/%2e/b", "/a/b"},
      {"/a/%2e", "/a/"},
      {"/...", "/..."},
      {"/a/.../b", "/a/.../b"},
      {"/..a/b..", "/..a/b.."},
      {"/.hidden", "/.hidden"},
      {"/a%20b", "/a b"},
      {"/%41%42", "/AB"},
      {"/100%25", "/100%"},
      {"/%252e%252e/x", "/%2e%2e/x"},  // single decoding: "%2e%2e" is an ordinary name
      {"/a?b", "/a?b"},                // the caller split the query off already
      {"/a%3Fb", "/a?b"},
      {"/caf\xc3\xa9", "/caf\xc3\xa9"},  // non-ASCII passes through
      {"/%c3%a9/%ff", "/\xc3\xa9/\xff"},
      {"/a:b@c;d=e,f+g", "/a:b@c;d=e,f+g"},
  };
  for (const auto& c : cases) {
    std::string out = "junk";
    ASSERT_EQ(normalize_path(c.raw, out), PathStatus::kOk) << c.raw;
    EXPECT_EQ(out, c.normalized) << c.raw;
  }
}

TEST(NormalizePath, Rejected) {
  const std::string_view cases[] = {
      "",
      "a/b",  // not starting with '/'
      "*",
      "%2F",
      // traversal above the root
      "/..",
      "/../",
      "/../etc/passwd",
      "/a/../..",
      "/a/../../b",
      "/a/b/../../../etc/passwd",
      "/%2e%2e",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/%2E%2E/x",
      "/.%2e/x",
      "/%2e./x",
      "/./../x",
      // encoded separators
      "/a/%2F..",
      "/a%2fb",
      "/a%2Fb",
      "/%2F",
      "/a%5cb",
      "/a%5Cb",
      "/..%5c..%5cwindows",
      // literal backslash
      "/a\\b",
      "/a\\..\\b",
      "/\\",
      // bad escapes
      "/%zz",
      "/%4",
      "/%",
      "/a%",
      "/%4/",
      "/%/41",
      "/a%g0",
      "/%%30",
      // control characters
      "/%00",
      "/a%00.html",
      "/%0a",
      "/%0D%0A",
      "/%1f",
      "/%7f",
      "/%7F",
      "/a\tb",
      "/a\x01",
      "/a\x7f",
  };
  for (const auto raw : cases) {
    std::string out;
    EXPECT_EQ(normalize_path(raw, out), PathStatus::kBadRequest) << '"' << raw << '"';
  }
  std::string out;
  EXPECT_EQ(normalize_path(std::string_view("/a\0b", 4), out), PathStatus::kBadRequest);
}

TEST(NormalizePath, EscapeMayNotSpanASegmentBoundary) {
  std::string out;
  EXPECT_EQ(normalize_path("/%2/a", out), PathStatus::kBadRequest);
  EXPECT_EQ(normalize_path("/a%/2e", out), PathStatus::kBadRequest);
}

TEST(NormalizePath, OutputIsIdempotentForSafeResults) {
  // Normalising a normalised path (without '%') changes nothing.
  const std::string_view inputs[] = {"/a/./b//c/", "/a/b/../c", "/x/y/z/..", "/", "/a%20b"};
  for (const auto raw : inputs) {
    std::string once;
    ASSERT_EQ(normalize_path(raw, once), PathStatus::kOk) << raw;
    std::string twice;
    ASSERT_EQ(normalize_path(once, twice), PathStatus::kOk) << once;
    EXPECT_EQ(once, twice);
  }
}

}  // namespace
}  // namespace hs::http
