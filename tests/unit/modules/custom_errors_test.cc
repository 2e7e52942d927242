#include "modules/custom_errors.h"

#include <gtest/gtest.h>

namespace hs::modules {
namespace {

TEST(CustomErrors, DetailedPageEscapesEverything) {
  ErrorPageInfo info;
  info.status = 404;
  info.substatus = 8;
  info.url = "http://x/<script>alert('x')</script>";
  info.physical_path = "/srv/\"a\"&b";
  info.handler = "H<1>";
  info.more_information_link = "https://example.test/?a=1&b=<2>";
  std::string page = detailed_error_page(info);
  EXPECT_NE(page.find("<h3>HTTP Error 404.8 - Not Found</h3>"), std::string::npos);
  EXPECT_NE(page.find("RequestFilteringModule"), std::string::npos);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.find("/srv/&quot;a&quot;&amp;b"), std::string::npos);
  EXPECT_NE(page.find("H&lt;1&gt;"), std::string::npos);
  EXPECT_NE(page.find("b=&lt;2&gt;&amp;IIS70Error=404,8,0x00000000"), std::string::npos);
}

TEST(CustomErrors, DescriptionsFallBackToTheStatus) {
  EXPECT_EQ(error_description(404, 3).substr(0, 22), "The page you are reque");
  EXPECT_EQ(error_description(404, 99), error_description(404, 0));
  EXPECT_EQ(error_description(599, 0), "The server could not complete the request.");
  std::string page = builtin_error_page(503, 0, "");
  EXPECT_NE(page.find("503 - Service Unavailable."), std::string::npos);
}

}  // namespace
}  // namespace hs::modules
