#include "iis/fragment_cache.h"

#include <algorithm>
#include <utility>

namespace hs::iis {

namespace {
// A blob is sent as one memory chunk, whose length is a ULONG.
constexpr uint64_t kMaxBlob = 0xFFFFFFFFull;
}  // namespace

FragmentCache::FragmentCache(uint64_t capacity, uint64_t max_entry) {
  stats_.capacity = capacity;
  stats_.max_entry = std::min(max_entry, kMaxBlob);
}

void FragmentCache::set_limits(uint64_t capacity, uint64_t max_entry) {
  std::lock_guard lock(mu_);
  stats_.capacity = capacity;
  stats_.max_entry = max_entry = std::min(max_entry, kMaxBlob);
  for (auto it = lru_.begin(); it != lru_.end();) {
    auto next = std::next(it);
    if (it->blob->size() > max_entry) {
      erase(it);
      ++stats_.evictions;
    }
    it = next;
  }
  make_room(0);
}

void FragmentCache::erase(Lru::iterator it) {
  stats_.bytes -= it->blob->size();
  --stats_.entries;
  index_.erase(std::wstring_view(it->name));
  lru_.erase(it);
}

void FragmentCache::make_room(uint64_t need) {
  while (!lru_.empty() && stats_.bytes + need > stats_.capacity) {
    erase(std::prev(lru_.end()));
    ++stats_.evictions;
  }
}

FragmentCache::PutResult FragmentCache::put(std::wstring_view name, std::string data) {
  if (name.empty()) return PutResult::kInvalidName;
  // Allocate outside the lock: only the bookkeeping below is serialised.
  auto blob = std::make_shared<const std::string>(std::move(data));
  std::wstring owned_name(name);
  std::lock_guard lock(mu_);
  uint64_t size = blob->size();
  if (size > stats_.max_entry || size > stats_.capacity) {
    // The caller meant to replace what the name held: serving the old bytes would be stale.
    if (auto found = index_.find(name); found != index_.end()) erase(found->second);
    ++stats_.rejections;
    return PutResult::kTooLarge;
  }
  PutResult result = PutResult::kAdded;
  if (auto found = index_.find(name); found != index_.end()) {
    // Replace: the old blob stays alive for readers that hold it.
    erase(found->second);
    result = PutResult::kReplaced;
  }
  make_room(size);
  lru_.push_front(Entry{std::move(owned_name), std::move(blob)});
  index_.emplace(std::wstring_view(lru_.front().name), lru_.begin());
  stats_.bytes += size;
  ++stats_.entries;
  ++(result == PutResult::kAdded ? stats_.insertions : stats_.replacements);
  return result;
}

bool FragmentCache::admits(uint64_t size) {
  std::lock_guard lock(mu_);
  if (size <= stats_.max_entry && size <= stats_.capacity) return true;
  ++stats_.rejections;
  return false;
}

FragmentCache::Blob FragmentCache::get(std::wstring_view name) {
  std::lock_guard lock(mu_);
  auto found = index_.find(name);
  if (found == index_.end()) {
    ++stats_.misses;
    return nullptr;
  }
  ++stats_.hits;
  lru_.splice(lru_.begin(), lru_, found->second);  // iterators stay valid
  return found->second->blob;
}

bool FragmentCache::remove(std::wstring_view name) {
  std::lock_guard lock(mu_);
  auto found = index_.find(name);
  if (found == index_.end()) return false;
  erase(found->second);
  ++stats_.removals;
  return true;
}

FragmentCache::Stats FragmentCache::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace hs::iis
