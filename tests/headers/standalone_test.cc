// Links the generated one-header-per-file objects (so the build fails if any public header
// is not self-contained or warns under -Wall -Wextra -Wpedantic -Werror) and the include-order
// translation units. This binary does NOT define HttpservLogWrite, so it also checks the
// stderr fallback of the weak logging hook.

#include <gtest/gtest.h>
#include <httpserv.h>

#include <string>

#include "coexist.h"

namespace {

TEST(HeaderStandalone, IncludeOrders) {
  EXPECT_EQ(coexist_std_first(), 1);
  EXPECT_EQ(coexist_compat_first(), 1);
  EXPECT_EQ(coexist_unicode(), 1);
}

class EmptyModule : public CHttpModule {};

TEST(HeaderStandalone, LogFallsBackToStderrWithoutHost) {
  // No strong HttpservLogWrite in this binary: the weak reference is null.
  EXPECT_TRUE(HttpservLogWrite == nullptr);

  testing::internal::CaptureStderr();
  httpserv::log_write(HTTPSERV_LOG_ERROR, "unit", "first line");
  CHttpModule* module = new EmptyModule;
  EXPECT_EQ(module->OnEndRequest(nullptr, nullptr), RQ_NOTIFICATION_CONTINUE);
  module->Dispose();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("httpserv error [unit] first line\n"), std::string::npos) << err;
  EXPECT_NE(err.find("httpserv warning [httpserv-module] module subscribed to OnEndRequest but "
                     "did not override it\n"),
            std::string::npos)
      << err;
}

}  // namespace
