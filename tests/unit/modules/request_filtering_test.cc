#include "modules/request_filtering.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "config/sections.h"
#include "modules/settings.h"

namespace hs::modules {
namespace {

class FakeRequest final : public FilterRequest {
 public:
  FakeRequest(std::string method, std::string target, std::string url)
      : method_(std::move(method)), target_(std::move(target)), url_(std::move(url)) {}
  std::string_view method() const override { return method_; }
  std::string_view raw_target() const override { return target_; }
  std::string_view url() const override { return url_; }
  bool url_decoded() const override { return true; }
  const std::string* header(std::string_view name) const override {
    auto it = headers_.find(std::string(name));
    return it == headers_.end() ? nullptr : &it->second;
  }
  void for_each_header(
      const std::function<void(std::string_view, std::string_view)>& f) const override {
    for (const auto& [n, v] : headers_)
      f(n, v);
  }
  std::map<std::string, std::string> headers_;

 private:
  std::string method_, target_, url_;
};

FilteringOptions defaults() {
  PathOptions p;
  std::vector<config::Diagnostic> diags;
  config::ConfigPath path;
  path.site = "S";
  EXPECT_TRUE(read_path_options(empty_config(), builtin_schemas(), path, &p, &diags));
  EXPECT_TRUE(diags.empty());
  return p.filtering;
}

USHORT sub(const FilteringOptions& f, std::string target, std::string url = "",
           std::string method = "GET") {
  if (url.empty()) url = target.substr(0, target.find('?'));
  return filter_request(f, FakeRequest(method, target, url)).substatus;
}

TEST(RequestFiltering, IisDefaults) {
  FilteringOptions f = defaults();
  EXPECT_EQ(sub(f, "/index.html"), 0);
  EXPECT_EQ(sub(f, "/"), 0);
  EXPECT_EQ(sub(f, "/web.config"), 8);
  EXPECT_EQ(sub(f, "/Web.Config"), 8);
  EXPECT_EQ(sub(f, "/a/BIN/x.txt"), 8);
  EXPECT_EQ(sub(f, "/App_Data"), 8);
  EXPECT_EQ(sub(f, "/binary/x.txt"), 0);  // whole segments only
  EXPECT_EQ(sub(f, "/x.cs"), 7);
  EXPECT_EQ(sub(f, "/x.CS"), 7);
  EXPECT_EQ(sub(f, "/x.config/y.txt"), 7);
  EXPECT_EQ(sub(f, "/x.csx"), 0);
  EXPECT_EQ(sub(f, "/a+b.txt"), 11);
  EXPECT_EQ(sub(f, "/a%2541", "/a%41"), 11);
  EXPECT_EQ(sub(f, "/a%25zz", "/a%zz"), 0);  // not an escape any more
  EXPECT_EQ(sub(f, "/x.txt?a+b"), 0);        // '+' in the query is fine
  EXPECT_EQ(sub(f, "/x.txt", "", "PROPFIND"), 0);
}

TEST(RequestFiltering, ListsAndLimits) {
  FilteringOptions f;
  f.verbs_allow_unlisted = false;
  f.verbs = {{"GET", true}, {"TRACE", false}};
  EXPECT_EQ(sub(f, "/x"), 0);
  EXPECT_EQ(sub(f, "/x", "", "POST"), 6);
  EXPECT_EQ(sub(f, "/x", "", "TRACE"), 6);
  EXPECT_EQ(sub(f, "/x", "", "get"), 6);  // methods are case-sensitive

  FilteringOptions e;
  e.extensions_allow_unlisted = false;
  e.extensions = {{".", true}, {".txt", true}};  // sorted, as read_path_options keeps them
  EXPECT_EQ(sub(e, "/a.txt"), 0);
  EXPECT_EQ(sub(e, "/dir/"), 0);  // "." allows URLs without an extension
  EXPECT_EQ(sub(e, "/a.md"), 7);

  FilteringOptions s;
  s.deny_url_sequences = {".."};
  s.deny_query_sequences = {"<script"};
  s.always_allowed_urls = {"/ok/a..b"};
  EXPECT_EQ(sub(s, "/x/../y", "/y"), 5);  // what the client sent
  EXPECT_EQ(sub(s, "/ok/a..b"), 0);
  EXPECT_EQ(sub(s, "/x?q=%3CSCRIPT"), 18);
  s.unescape_query_string = false;
  EXPECT_EQ(sub(s, "/x?q=%3CSCRIPT"), 0);
  EXPECT_EQ(sub(s, "/x?q=<SCRIPT"), 18);

  FilteringOptions h;
  h.header_limits = {{"X-A", 3}, {"X-B", 0}};
  FakeRequest r("GET", "/", "/");
  EXPECT_EQ(filter_request(h, r).substatus, 0);
  r.headers_["X-A"] = "abc";
  EXPECT_EQ(filter_request(h, r).substatus, 0);
  r.headers_["X-A"] = "abcd";
  EXPECT_EQ(filter_request(h, r).substatus, 10);
  r.headers_.erase("X-A");
  r.headers_["X-B"] = "";
  EXPECT_EQ(filter_request(h, r).substatus, 10);
}

TEST(RequestFiltering, Rules) {
  FilteringOptions f;
  FilteringOptions::Rule rule;
  rule.scan_url = true;
  rule.applies_to = {".asp"};
  rule.deny_strings = {"select"};
  f.rules.push_back(rule);
  EXPECT_EQ(sub(f, "/select.asp"), 19);
  EXPECT_EQ(sub(f, "/select.txt"), 0);
  f.rules[0].applies_to.clear();
  f.rules[0].scan_url = false;
  f.rules[0].scan_all_raw = true;
  FakeRequest r("GET", "/x", "/x");
  r.headers_["Cookie"] = "a=SELECT";
  EXPECT_EQ(filter_request(f, r).substatus, 19);
}

TEST(ServerDefaults, ParseCleanlyAndCanBeRemoved) {
  config::LoadResult r = config::parse_config(config::server_defaults_text(), "defaults");
  EXPECT_TRUE(r.ok);
  EXPECT_TRUE(r.diagnostics.empty());
  config::LoadResult file = config::parse_config(R"(<configuration>
  <system.webServer><security><requestFiltering>
    <hiddenSegments><remove segment="BIN" /></hiddenSegments>
    <fileExtensions><clear /></fileExtensions>
  </requestFiltering></security></system.webServer>
</configuration>)",
                                                 "f.config");
  ASSERT_TRUE(file.ok);
  PathOptions p;
  std::vector<config::Diagnostic> diags;
  config::ConfigPath path;
  path.site = "S";
  ASSERT_TRUE(read_path_options(file.config, builtin_schemas(), path, &p, &diags));
  EXPECT_TRUE(p.filtering.extensions.empty());
  EXPECT_EQ(sub(p.filtering, "/bin/x.txt"), 0);
  EXPECT_EQ(sub(p.filtering, "/App_Data/x.txt"), 8);
  EXPECT_EQ(sub(p.filtering, "/x.cs"), 0);
}

}  // namespace
}  // namespace hs::modules
