// HttpRedirectionModule's Location rules and DirectoryListingModule's page, without a server
// (tests/integration/test_protocol.py runs both through curl).
#include <gtest/gtest.h>

#include "modules/directory_listing.h"
#include "modules/http_redirect.h"

namespace hs::modules {
namespace {

TEST(WildcardMatch, Globs) {
  EXPECT_TRUE(wildcard_match("*.php", "index.php"));
  EXPECT_TRUE(wildcard_match("*.PHP", "index.php"));
  EXPECT_FALSE(wildcard_match("*.php", "index.php5"));
  EXPECT_TRUE(wildcard_match("/a/*/c*", "/a/b/c.txt"));
  EXPECT_TRUE(wildcard_match("*", ""));
  EXPECT_FALSE(wildcard_match("a", ""));
  EXPECT_TRUE(wildcard_match("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaab"));
  EXPECT_FALSE(wildcard_match("*a*a*a*b", std::string(5000, 'a')));
}

TEST(RedirectLocation, RelativeExactChildOnly) {
  RedirectOptions o;
  EXPECT_EQ(redirect_location(o, "/old", "/old/x", ""), "");  // disabled
  o.enabled = true;
  o.destination = "http://h/new/";
  EXPECT_EQ(redirect_location(o, "/old", "/old/a/b.txt", "q=1"), "http://h/new/a/b.txt?q=1");
  EXPECT_EQ(redirect_location(o, "/old", "/old", ""), "http://h/new/");
  EXPECT_EQ(redirect_location(o, "", "/x.txt", ""), "http://h/new/x.txt");
  o.child_only = true;
  EXPECT_EQ(redirect_location(o, "/old", "/old/x.txt", ""), "http://h/new/x.txt");
  EXPECT_EQ(redirect_location(o, "/old", "/old/sub/x.txt", ""), "");
  o.child_only = false;
  o.exact_destination = true;
  EXPECT_EQ(redirect_location(o, "/old", "/old/a/b.txt", "q=1"), "http://h/new/");
}

TEST(RedirectLocation, WildcardsAndVariables) {
  RedirectOptions o;
  o.enabled = true;
  o.wildcards = {{"*.asp", "/new.aspx$Q"}, {"/docs/*", "https://d$S|$V|$P|$$"}};
  EXPECT_EQ(redirect_location(o, "/docs", "/docs/a/page.asp", "x=1"), "/new.aspx?x=1");
  EXPECT_EQ(redirect_location(o, "/docs", "/docs/a.txt", "x=1"),
            "https://d/a.txt|/docs/a.txt|x=1|$$");
  EXPECT_EQ(redirect_location(o, "/docs", "/other.txt", ""), "");  // no destination
}

TEST(DirectoryListing, PageFormat) {
  std::vector<ListingEntry> e = {{"b<x>.txt", false, 1234, 1700000000},
                                 {"a dir", true, 0, 0},
                                 {"c.tar.gz", false, 5, 1700000000}};
  std::string page = directory_listing_page("h<", "/p q/", e, 2 | 4 | 8 | 16, false);
  EXPECT_NE(page.find("<title>h&lt; - /p q/</title>"), std::string::npos);
  EXPECT_NE(page.find("<A HREF=\"/\">[To Parent Directory]</A>"), std::string::npos);
  EXPECT_NE(page.find("&lt;dir&gt; <A HREF=\"/p%20q/a%20dir/\">a dir</A>"), std::string::npos);
  EXPECT_NE(page.find("11/14/2023 10:13 PM         1234 <A HREF=\"/p%20q/b%3Cx%3E.txt\">"
                      "b&lt;x&gt;.txt</A>"),
            std::string::npos)
      << page;
  EXPECT_LT(page.find("a dir"), page.find("b&lt;x"));
  // Extension off: the last extension goes from the name shown, not from the link.
  page = directory_listing_page("h", "/", e, 8, true);
  EXPECT_NE(page.find("c.tar.gz\">c.tar</A>"), std::string::npos) << page;
  EXPECT_EQ(page.find("[To Parent Directory]"), std::string::npos);
  EXPECT_EQ(page.find(" PM"), std::string::npos);
  EXPECT_NE(page.find("only the first"), std::string::npos);
}

}  // namespace
}  // namespace hs::modules
