#include "iis/url_info.h"

#include <cstring>

namespace hs::iis {

bool UrlInfoImpl::hit(int64_t now_ms, const UrlHitSettings& settings) {
  std::lock_guard<std::mutex> lock(mu_);
  while (!hits_.empty() && hits_.front() <= now_ms - settings.period_ms)
    hits_.pop_front();
  hits_.push_back(now_ms);
  // Only the last `threshold` hits matter: the window never needs more.
  while (hits_.size() > settings.threshold && hits_.size() > 1)
    hits_.pop_front();
  return hits_.size() >= settings.threshold;
}

UrlInfoTable& UrlInfoTable::instance() {
  static UrlInfoTable* table = new UrlInfoTable();  // entries may outlive static destructors
  return *table;
}

size_t UrlInfoTable::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return map_.size();
}

std::shared_ptr<UrlInfoImpl> UrlInfoTable::hit(uint32_t site, const std::string& url,
                                               int64_t now_ms, const UrlHitSettings& settings,
                                               bool* frequent) {
  std::shared_ptr<UrlInfoImpl> entry;
  std::shared_ptr<UrlInfoImpl> evicted;  // released outside the lock (module cleanup code)
  {
    std::lock_guard<std::mutex> lock(mu_);
    Key key = std::to_string(site) + ":" + url;
    auto it = map_.find(key);
    if (it != map_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.at);
      entry = it->second.entry;
    } else {
      entry = std::make_shared<UrlInfoImpl>();
      lru_.push_front(key);
      map_.emplace(std::move(key), Slot{entry, lru_.begin()});
      if (map_.size() > kMaxEntries) {
        auto last = map_.find(lru_.back());
        evicted = std::move(last->second.entry);
        map_.erase(last);
        lru_.pop_back();
      }
    }
  }
  *frequent = entry->hit(now_ms, settings);
  return entry;
}

CachePolicyImpl::CachePolicyImpl() {
  kernel_.Policy = HttpCachePolicyNocache;
  user_.Policy = HttpCachePolicyNocache;
}

namespace {

HRESULT append_item(std::string* list, PCSTR item) {
  if (item == nullptr) return S_OK;  // documented: a no-op
  if (strchr(item, ',') != nullptr) return E_INVALIDARG;
  if (strlen(item) > CachePolicyImpl::kMaxVaryValue) {
    return HRESULT_FROM_WIN32(ERROR_ARITHMETIC_OVERFLOW);
  }
  if (!list->empty()) list->push_back(',');
  list->append(item);
  return S_OK;
}

}  // namespace

HRESULT CachePolicyImpl::AppendVaryByHeader(PCSTR header) {
  return append_item(&vary_headers_, header);
}

HRESULT CachePolicyImpl::AppendVaryByQueryString(PCSTR param) {
  return append_item(&vary_query_, param);
}

HRESULT CachePolicyImpl::SetVaryByValue(PCSTR value) {
  if (value == nullptr) return E_INVALIDARG;
  if (strlen(value) > kMaxVaryValue) return HRESULT_FROM_WIN32(ERROR_ARITHMETIC_OVERFLOW);
  vary_value_ = value;
  return S_OK;
}

}  // namespace hs::iis
