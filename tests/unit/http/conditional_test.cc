#include "http/conditional.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <string>

namespace hs::http {
namespace {

constexpr int64_t kModified = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
constexpr const char* kAtModified = "Sun, 06 Nov 1994 08:49:37 GMT";
constexpr const char* kBeforeModified = "Sun, 06 Nov 1994 08:49:36 GMT";
constexpr const char* kAfterModified = "Sun, 06 Nov 1994 08:49:38 GMT";

constexpr Precondition kProceed = Precondition::kProceed;
constexpr Precondition k304 = Precondition::kNotModified;
constexpr Precondition k412 = Precondition::kPreconditionFailed;

constexpr Validators kStrong{"\"v1\"", kModified};

// ---------------------------------------------------------------------------------------------
// make_etag

TEST(MakeEtag, NginxShape) {
  EXPECT_EQ(make_etag(0, 0), "\"0-0\"");
  EXPECT_EQ(make_etag(0x5e0f3c2a, 0x1a2b), "\"5e0f3c2a-1a2b\"");
  EXPECT_EQ(make_etag(1700000000, 13), "\"6553f100-d\"");
  EXPECT_EQ(make_etag(15, 16), "\"f-10\"");
  EXPECT_EQ(make_etag(-1, 0), "\"ffffffffffffffff-0\"");
  EXPECT_EQ(make_etag(std::numeric_limits<int64_t>::max(), std::numeric_limits<uint64_t>::max()),
            "\"7fffffffffffffff-ffffffffffffffff\"");
  EXPECT_EQ(make_etag(-1, std::numeric_limits<uint64_t>::max()).size(), kMaxEtagLength);
}

TEST(MakeEtag, BufferVariantRespectsCapacity) {
  char buf[kMaxEtagLength + 1];
  std::memset(buf, '#', sizeof(buf));
  ASSERT_EQ(make_etag(0x5e0f3c2a, 0x1a2b, buf, 15), 15u);
  EXPECT_EQ(std::string(buf, 15), "\"5e0f3c2a-1a2b\"");
  EXPECT_EQ(buf[15], '#');

  std::memset(buf, '#', sizeof(buf));
  EXPECT_EQ(make_etag(0x5e0f3c2a, 0x1a2b, buf, 14), 0u);
  EXPECT_EQ(std::string(buf, sizeof(buf)), std::string(sizeof(buf), '#'));
  EXPECT_EQ(make_etag(1, 1, nullptr, 100), 0u);
  EXPECT_EQ(make_etag(1, 1, buf, 0), 0u);

  ASSERT_EQ(make_etag(-1, std::numeric_limits<uint64_t>::max(), buf, kMaxEtagLength),
            kMaxEtagLength);
  EXPECT_EQ(std::string(buf, kMaxEtagLength), "\"ffffffffffffffff-ffffffffffffffff\"");
}

// ---------------------------------------------------------------------------------------------
// evaluate_preconditions

struct Case {
  const char* name;
  bool get_or_head;
  std::optional<std::string_view> if_match;
  std::optional<std::string_view> if_none_match;
  std::optional<std::string_view> if_modified_since;
  std::optional<std::string_view> if_unmodified_since;
  Precondition expected;
};

void run_cases(const std::vector<Case>& cases, const Validators& validators) {
  for (const auto& c : cases) {
    Conditionals conditionals;
    conditionals.if_match = c.if_match;
    conditionals.if_none_match = c.if_none_match;
    conditionals.if_modified_since = c.if_modified_since;
    conditionals.if_unmodified_since = c.if_unmodified_since;
    EXPECT_EQ(evaluate_preconditions(c.get_or_head, conditionals, validators), c.expected)
        << c.name;
  }
}

constexpr auto kNone = std::nullopt;

TEST(Preconditions, NoConditionals) {
  run_cases({{"GET", true, kNone, kNone, kNone, kNone, kProceed},
             {"PUT", false, kNone, kNone, kNone, kNone, kProceed}},
            kStrong);
}

TEST(Preconditions, IfMatchUsesStrongComparison) {
  run_cases(
      {
          {"same tag", true, "\"v1\"", kNone, kNone, kNone, kProceed},
          {"same tag, PUT", false, "\"v1\"", kNone, kNone, kNone, kProceed},
          {"other tag", true, "\"v2\"", kNone, kNone, kNone, k412},
          {"other tag, PUT", false, "\"v2\"", kNone, kNone, kNone, k412},
          {"weak request tag", true, "W/\"v1\"", kNone, kNone, kNone, k412},
          {"wildcard", true, "*", kNone, kNone, kNone, kProceed},
          {"wildcard with OWS", false, " * ", kNone, kNone, kNone, kProceed},
          {"list, match last", true, "\"v0\", \"v2\" ,\t\"v1\"", kNone, kNone, kNone, kProceed},
          {"list, no match", true, "\"v0\", \"v2\"", kNone, kNone, kNone, k412},
          {"empty value", true, "", kNone, kNone, kNone, k412},
          {"only commas", true, " , ,", kNone, kNone, kNone, k412},
          {"unquoted", true, "v1", kNone, kNone, kNone, k412},
          {"case of quotes content", true, "\"V1\"", kNone, kNone, kNone, k412},
          {"wildcard inside a list", true, "*, \"v2\"", kNone, kNone, kNone, k412},
          {"wildcard inside a list, match", true, "*, \"v1\"", kNone, kNone, kNone, kProceed},
      },
      kStrong);
}

TEST(Preconditions, IfMatchAgainstWeakOrMissingEtag) {
  const Validators weak{"W/\"v1\"", kModified};
  run_cases({{"strong request", true, "\"v1\"", kNone, kNone, kNone, k412},
             {"weak request", true, "W/\"v1\"", kNone, kNone, kNone, k412},
             {"wildcard", true, "*", kNone, kNone, kNone, kProceed}},
            weak);
  const Validators none{"", kModified};
  run_cases({{"tag", true, "\"v1\"", kNone, kNone, kNone, k412},
             {"empty tag", true, "\"\"", kNone, kNone, kNone, k412},
             {"wildcard", true, "*", kNone, kNone, kNone, kProceed}},
            none);
  const Validators malformed{"v1", kModified};
  run_cases({{"tag", true, "\"v1\"", kNone, kNone, kNone, k412},
             {"bare", true, "v1", kNone, kNone, kNone, k412}},
            malformed);
}

TEST(Preconditions, IfNoneMatchUsesWeakComparison) {
  run_cases(
      {
          {"same tag", true, kNone, "\"v1\"", kNone, kNone, k304},
          {"same tag, unsafe method", false, kNone, "\"v1\"", kNone, kNone, k412},
          {"weak request tag", true, kNone, "W/\"v1\"", kNone, kNone, k304},
          {"other tag", true, kNone, "\"v2\"", kNone, kNone, kProceed},
          {"other tag, unsafe method", false, kNone, "\"v2\"", kNone, kNone, kProceed},
          {"wildcard", true, kNone, "*", kNone, kNone, k304},
          {"wildcard, unsafe method", false, kNone, "*", kNone, kNone, k412},
          {"list", true, kNone, "\"a\", W/\"b\", \"v1\"", kNone, kNone, k304},
          {"list without match", true, kNone, "\"a\", W/\"b\"", kNone, kNone, kProceed},
          {"empty value", true, kNone, "", kNone, kNone, kProceed},
          {"empty members", true, kNone, ", ,\"v1\",", kNone, kNone, k304},
          {"double comma", true, kNone, "\"v0\",,  \"v1\"", kNone, kNone, k304},
          {"tabs", true, kNone, "\t\"v0\"\t,\t\"v1\"\t", kNone, kNone, k304},
      },
      kStrong);
  const Validators weak{"W/\"v1\"", kModified};
  run_cases({{"strong request vs weak etag", true, kNone, "\"v1\"", kNone, kNone, k304},
             {"weak vs weak", true, kNone, "W/\"v1\"", kNone, kNone, k304},
             {"other", true, kNone, "W/\"v2\"", kNone, kNone, kProceed}},
            weak);
  const Validators none{"", kModified};
  run_cases({{"tag", true, kNone, "\"v1\"", kNone, kNone, kProceed},
             {"wildcard", true, kNone, "*", kNone, kNone, k304}},
            none);
}

TEST(Preconditions, MalformedListMembersAreSkipped) {
  run_cases(
      {
          {"garbage then match", true, kNone, "garbage, \"v1\"", kNone, kNone, k304},
          {"unterminated", true, kNone, "\"v1", kNone, kNone, kProceed},
          {"unterminated then match", true, kNone, "\"v0, \"v1\"", kNone, kNone, k304},
          {"trailing junk", true, kNone, "\"v1\"junk", kNone, kNone, kProceed},
          {"trailing junk then match", true, kNone, "\"v1\"x, \"v1\"", kNone, kNone, k304},
          {"SP inside quotes", true, kNone, "\"v 1\"", kNone, kNone, kProceed},
          {"space after W/", true, kNone, "W/ \"v1\"", kNone, kNone, kProceed},
          {"lower-case w/", true, kNone, "w/\"v1\"", kNone, kNone, kProceed},
          {"lone quote", true, kNone, "\"", kNone, kNone, kProceed},
          {"lone W/", true, kNone, "W/", kNone, kNone, kProceed},
          {"control char inside", true, kNone, "\"v\x01\"", kNone, kNone, kProceed},
          {"comma-split garbage", true, kNone, "\"a, b\", \"v1\"", kNone, kNone, k304},
          {"malformed If-Match", true, "\"v1", kNone, kNone, kNone, k412},
          {"malformed If-Match then match", true, "x, \"v1\"", kNone, kNone, kNone, kProceed},
      },
      kStrong);
}

TEST(Preconditions, OpaqueTagsWithCommasAndObsText) {
  const Validators comma{"\"a,b\"", kModified};
  run_cases({{"comma in tag", true, kNone, "\"x\", \"a,b\"", kNone, kNone, k304},
             {"split halves", true, kNone, "\"a\", \"b\"", kNone, kNone, kProceed},
             {"if-match", true, "\"a,b\"", kNone, kNone, kNone, kProceed}},
            comma);
  const Validators obs{"\"caf\xc3\xa9\"", kModified};
  run_cases({{"obs-text", true, kNone, "\"caf\xc3\xa9\"", kNone, kNone, k304}}, obs);
  const Validators empty_opaque{"\"\"", kModified};
  run_cases({{"empty opaque", true, kNone, "\"\"", kNone, kNone, k304},
             {"empty opaque vs other", true, kNone, "\"x\"", kNone, kNone, kProceed}},
            empty_opaque);
}

TEST(Preconditions, IfModifiedSince) {
  run_cases(
      {
          {"equal date", true, kNone, kNone, kAtModified, kNone, k304},
          {"later date", true, kNone, kNone, kAfterModified, kNone, k304},
          {"earlier date", true, kNone, kNone, kBeforeModified, kNone, kProceed},
          {"asctime", true, kNone, kNone, "Sun Nov  6 08:49:37 1994", kNone, k304},
          {"invalid date is ignored", true, kNone, kNone, "yesterday", kNone, kProceed},
          {"a list of dates is invalid", true, kNone, kNone,
           "Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT", kNone, kProceed},
          {"empty is ignored", true, kNone, kNone, "", kNone, kProceed},
          {"ignored for unsafe methods", false, kNone, kNone, kAtModified, kNone, kProceed},
      },
      kStrong);
  const Validators no_date{"\"v1\"", kModified, false};
  run_cases({{"no Last-Modified", true, kNone, kNone, kAfterModified, kNone, kProceed}}, no_date);
}

TEST(Preconditions, IfUnmodifiedSince) {
  run_cases(
      {
          {"equal date", true, kNone, kNone, kNone, kAtModified, kProceed},
          {"later date", false, kNone, kNone, kNone, kAfterModified, kProceed},
          {"earlier date", true, kNone, kNone, kNone, kBeforeModified, k412},
          {"earlier date, unsafe method", false, kNone, kNone, kNone, kBeforeModified, k412},
          {"invalid date is ignored", false, kNone, kNone, kNone, "Sun, 06 Nov", kProceed},
      },
      kStrong);
  const Validators no_date{"\"v1\"", kModified, false};
  run_cases({{"no Last-Modified", false, kNone, kNone, kNone, kBeforeModified, kProceed}}, no_date);
}

// RFC 9110 §13.2.2 evaluation order.
TEST(Preconditions, EvaluationOrder) {
  run_cases(
      {
          // Step 1 before step 2: a present If-Match makes If-Unmodified-Since irrelevant.
          {"If-Match true, IUS false", false, "\"v1\"", kNone, kNone, kBeforeModified, kProceed},
          {"If-Match false, IUS true", false, "\"v2\"", kNone, kNone, kAfterModified, k412},
          {"If-Match *, IUS false", true, "*", kNone, kNone, kBeforeModified, kProceed},
          // Steps 1-2 before step 3: 412 wins over 304.
          {"If-Match false, INM false", true, "\"v2\"", "\"v1\"", kNone, kNone, k412},
          {"IUS false, INM false", true, kNone, "\"v1\"", kNone, kBeforeModified, k412},
          {"IUS false, IMS false", true, kNone, kNone, kAtModified, kBeforeModified, k412},
          {"If-Match true, INM false", true, "\"v1\"", "\"v1\"", kNone, kNone, k304},
          {"If-Match true, INM false, PUT", false, "\"v1\"", "\"v1\"", kNone, kNone, k412},
          {"IUS true, IMS false", true, kNone, kNone, kAtModified, kAfterModified, k304},
          // Step 3 before step 4: a present If-None-Match makes If-Modified-Since irrelevant.
          {"INM true, IMS false", true, kNone, "\"v2\"", kAtModified, kNone, kProceed},
          {"INM false, IMS true", true, kNone, "\"v1\"", kBeforeModified, kNone, k304},
          {"INM true (malformed), IMS false", true, kNone, "junk", kAtModified, kNone, kProceed},
          {"INM empty, IMS false", true, kNone, "", kAtModified, kNone, kProceed},
          // Step 4 applies only to GET/HEAD.
          {"INM absent, IMS false, PUT", false, kNone, kNone, kAtModified, kNone, kProceed},
          // Invalid date in IUS does not stop the later steps.
          {"IUS invalid, INM false", true, kNone, "\"v1\"", kNone, "bogus", k304},
          // All four present and true.
          {"all true", true, "\"v1\"", "\"v2\"", kBeforeModified, kAfterModified, kProceed},
          // All four present, only IMS false: IMS is ignored because INM is present.
          {"all but IMS true", true, "\"v1\"", "\"v2\"", kAtModified, kAfterModified, kProceed},
      },
      kStrong);
}

// ---------------------------------------------------------------------------------------------
// if_range_matches

TEST(IfRange, EntityTags) {
  EXPECT_TRUE(if_range_matches("\"v1\"", kStrong));
  EXPECT_TRUE(if_range_matches(" \"v1\"\t", kStrong));
  EXPECT_FALSE(if_range_matches("\"v2\"", kStrong));
  EXPECT_FALSE(if_range_matches("W/\"v1\"", kStrong));
  EXPECT_FALSE(if_range_matches("\"v1\", \"v2\"", kStrong));
  EXPECT_FALSE(if_range_matches("\"v1\"x", kStrong));
  EXPECT_FALSE(if_range_matches("\"v1", kStrong));
  EXPECT_FALSE(if_range_matches("*", kStrong));
  EXPECT_FALSE(if_range_matches("", kStrong));
  EXPECT_FALSE(if_range_matches("v1", kStrong));

  const Validators weak{"W/\"v1\"", kModified};
  EXPECT_FALSE(if_range_matches("\"v1\"", weak));
  EXPECT_FALSE(if_range_matches("W/\"v1\"", weak));
  const Validators none{"", kModified};
  EXPECT_FALSE(if_range_matches("\"v1\"", none));
  EXPECT_FALSE(if_range_matches("\"\"", none));
}

TEST(IfRange, Dates) {
  EXPECT_TRUE(if_range_matches(kAtModified, kStrong));
  EXPECT_TRUE(if_range_matches("Sun Nov  6 08:49:37 1994", kStrong));
  EXPECT_TRUE(if_range_matches("  Sun, 06 Nov 1994 08:49:37 GMT ", kStrong));
  EXPECT_FALSE(if_range_matches(kBeforeModified, kStrong));
  EXPECT_FALSE(if_range_matches(kAfterModified, kStrong));
  EXPECT_FALSE(if_range_matches("Sun, 06 Nov 1994 08:49:37", kStrong));
  EXPECT_FALSE(if_range_matches("784111777", kStrong));

  const Validators no_date{"\"v1\"", kModified, false};
  EXPECT_FALSE(if_range_matches(kAtModified, no_date));
  EXPECT_TRUE(if_range_matches("\"v1\"", no_date));

  const Validators epoch{"\"v1\"", 0};
  EXPECT_TRUE(if_range_matches("Thu, 01 Jan 1970 00:00:00 GMT", epoch));
  EXPECT_FALSE(if_range_matches("garbage", epoch));
}

}  // namespace
}  // namespace hs::http
