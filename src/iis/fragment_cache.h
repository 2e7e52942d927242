#pragma once
// The server's fragment cache: named, immutable byte blobs shared by every worker. It backs
// IHttpServer::AddFragmentToCache / ReadFragmentFromCache / RemoveFragmentFromCache and the
// HttpDataChunkFromFragmentCache[Ex] chunk types of WriteEntityChunks (spec §2.1, §7.3).
//
// CONTRACT.
//   - Bounded: the bytes of the entries held never exceed the capacity. Inserting evicts the
//     least recently used entries until the new one fits; a blob larger than max_entry (or than
//     the capacity) is refused, nothing is evicted for it, and an entry it was meant to replace
//     is removed (never left stale). Capacity 0 disables the cache (every insertion is refused).
//   - Like HTTP.sys's cache, nothing is pinned: an entry may be evicted or replaced at any time,
//     so a module must be ready for a miss.
//   - Immutable blobs: replacing a name installs a new blob. A reader keeps the Blob it got (a
//     response being sent holds one per fragment chunk), so eviction or replacement never pulls
//     bytes from under a send; the memory of such an evicted blob is freed with the last send
//     that uses it (bounded by the responses in flight, not counted in bytes()).
//   - Names are compared exactly (code unit by code unit, case-sensitive), like HTTP.sys's
//     URL-prefix-like names; the empty name is invalid.
//
// THREADING. Every method is thread-safe. One mutex guards the map and the LRU list; the
// critical sections are a hash lookup and a list splice (the copy of an inserted blob is made
// before taking the lock), so workers contend only for those few instructions.
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hs::iis {

class FragmentCache {
 public:
  using Blob = std::shared_ptr<const std::string>;

  struct Stats {
    uint64_t hits = 0;          // lookups that found their entry
    uint64_t misses = 0;        // lookups of absent names
    uint64_t insertions = 0;    // entries added (new names)
    uint64_t replacements = 0;  // entries overwritten under an existing name
    uint64_t evictions = 0;     // entries dropped to make room
    uint64_t removals = 0;      // entries removed by name
    uint64_t rejections = 0;    // insertions refused (too large, or the cache is disabled)
    uint64_t entries = 0;       // held now
    uint64_t bytes = 0;         // blob bytes held now
    uint64_t capacity = 0;
    uint64_t max_entry = 0;
  };

  // Defaults: 64 MiB in all; one entry at most 256 KiB, HTTP.sys's default per-entry limit
  // (UriMaxUriBytes).
  static constexpr uint64_t kDefaultCapacity = 64ull << 20;
  static constexpr uint64_t kDefaultMaxEntry = 256ull << 10;

  explicit FragmentCache(uint64_t capacity = kDefaultCapacity,
                         uint64_t max_entry = kDefaultMaxEntry);
  FragmentCache(const FragmentCache&) = delete;
  FragmentCache& operator=(const FragmentCache&) = delete;

  // Changes the limits; entries over the new ones are evicted at once.
  void set_limits(uint64_t capacity, uint64_t max_entry);

  enum class PutResult { kAdded, kReplaced, kTooLarge, kInvalidName };
  // Stores `data` under `name` (the most recently used entry afterwards).
  PutResult put(std::wstring_view name, std::string data);
  // Whether a blob of `size` bytes is within the limits; false counts a rejection. Lets a caller
  // refuse before it copies a large blob only to have put() refuse it.
  bool admits(uint64_t size);
  // The blob named `name`, or null. A hit makes the entry the most recently used.
  Blob get(std::wstring_view name);
  // True if an entry was removed.
  bool remove(std::wstring_view name);
  Stats stats() const;

 private:
  struct Entry {
    std::wstring name;
    Blob blob;
  };
  using Lru = std::list<Entry>;  // front = most recently used
  // Evicts from the LRU end until `need` more bytes fit. Caller holds mu_.
  void make_room(uint64_t need);
  void erase(Lru::iterator it);

  mutable std::mutex mu_;
  Lru lru_;
  // Keys view the names stored in the list nodes, which never move.
  std::unordered_map<std::wstring_view, Lru::iterator> index_;
  Stats stats_;
};

}  // namespace hs::iis
