#pragma once
// IHttpUrlInfo (spec-2 §3.2) and IHttpCachePolicy2 (§3.3).
//
// URL INFO. One entry per site and URL (the path, without query), process-wide, bounded (least
// recently used out; evicted entries clean their module contexts up when the last request using
// them ends). A request counts as a hit on its URL when it first asks for its IHttpUrlInfo
// (IHttpContext::GetUrlInfo): the server does not pay the table's lock for requests whose
// modules never ask, and a module that asks does so for every request. IsFrequentlyHit: at least
// serverRuntime frequentHitThreshold hits (default 2), the current one included, within the last
// frequentHitTimePeriod (default 10 s), a sliding window: so the second request for a URL within
// 10 s is frequently hit, as IIS's documentation says.
//
// CACHE POLICY. Per response; there is no output cache, so the object keeps what modules set and
// reads it back (both policies start as {HttpCachePolicyNocache, 0}; vary lists are comma-
// separated, "" when empty; the one-way flags stay set).
#include <httpserv.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "iis/context_container.h"

namespace hs::iis {

struct UrlHitSettings {
  uint32_t threshold = 2;     // serverRuntime frequentHitThreshold
  int64_t period_ms = 10000;  // serverRuntime frequentHitTimePeriod
};

// The shared entry of one URL: its hits and its module context container (synchronized: any
// request's thread may use it).
class UrlInfoImpl {
 public:
  IHttpModuleContextContainer* GetModuleContextContainer() { return &container_; }
  // Records a hit at `now_ms`; true if the URL is frequently hit now. Thread-safe.
  bool hit(int64_t now_ms, const UrlHitSettings& settings);

 private:
  std::mutex mu_;
  std::deque<int64_t> hits_;  // within the window, oldest first
  ModuleContextContainer container_;
};

// What a request gets from GetUrlInfo: the shared entry, with this request's answer to
// IsFrequentlyHit (another request's later hit does not change it under the module).
class UrlInfoView final : public IHttpUrlInfo {
 public:
  UrlInfoView(std::shared_ptr<UrlInfoImpl> entry, bool frequent)
      : entry_(std::move(entry)), frequent_(frequent) {}
  IHttpModuleContextContainer* GetModuleContextContainer() override {
    return entry_->GetModuleContextContainer();
  }
  BOOL IsFrequentlyHit() const override { return frequent_ ? TRUE : FALSE; }

 private:
  std::shared_ptr<UrlInfoImpl> entry_;
  bool frequent_;
};

class UrlInfoTable {
 public:
  static constexpr size_t kMaxEntries = 4096;
  static UrlInfoTable& instance();
  // The entry for (site, url), created on first use, and whether this hit makes it frequent.
  std::shared_ptr<UrlInfoImpl> hit(uint32_t site, const std::string& url, int64_t now_ms,
                                   const UrlHitSettings& settings, bool* frequent);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  using Key = std::string;  // "<site>:<url>"
  std::list<Key> lru_;
  struct Slot {
    std::shared_ptr<UrlInfoImpl> entry;
    std::list<Key>::iterator at;
  };
  std::unordered_map<Key, Slot> map_;
};

class CachePolicyImpl final : public IHttpCachePolicy2 {
 public:
  CachePolicyImpl();
  HTTP_CACHE_POLICY* GetKernelCachePolicy() override { return &kernel_; }
  VOID SetKernelCacheInvalidatorSet() override { invalidator_ = true; }
  HTTP_CACHE_POLICY* GetUserCachePolicy() override { return &user_; }
  HRESULT AppendVaryByHeader(PCSTR pszHeader) override;
  PCSTR GetVaryByHeaders() const override { return vary_headers_.c_str(); }
  HRESULT AppendVaryByQueryString(PCSTR pszParam) override;
  PCSTR GetVaryByQueryStrings() const override { return vary_query_.c_str(); }
  HRESULT SetVaryByValue(PCSTR pszValue) override;
  PCSTR GetVaryByValue() const override { return vary_value_.c_str(); }
  BOOL IsUserCacheEnabled() const override { return user_cache_ ? TRUE : FALSE; }
  VOID DisableUserCache() override { user_cache_ = false; }
  BOOL IsCached() const override { return cached_ ? TRUE : FALSE; }
  VOID SetIsCached() override { cached_ = true; }
  BOOL GetKernelCacheInvalidatorSet() const override { return invalidator_ ? TRUE : FALSE; }
  BOOL IsForceUpdateSet() const override { return force_update_ ? TRUE : FALSE; }
  VOID SetForceUpdate() override { force_update_ = true; }

  static constexpr size_t kMaxVaryValue = 4096;

 private:
  HTTP_CACHE_POLICY kernel_{};
  HTTP_CACHE_POLICY user_{};
  std::string vary_headers_, vary_query_, vary_value_;
  bool invalidator_ = false, user_cache_ = true, cached_ = false, force_update_ = false;
};

}  // namespace hs::iis
