#pragma once
// IIS's DirectoryListingModule (<system.webServer><directoryBrowse enabled showFlags>). Off by
// default as in IIS; registered only when some part of the configuration enables it
// (settings.h Needs::browse).
//
// IIS runs it as part of the StaticFile handler. Here the static handler keeps deciding what a
// directory URL gets (its default document, or 403.14 when it has none), and this module turns
// that 403.14 into the listing where browsing is enabled: in RQ_SEND_RESPONSE, when the headers
// are about to go (priority FIRST and registered after CustomErrorModule, so it runs before it),
// a GET or HEAD answered 403.14 becomes 200 with an HTML page in IIS's format: "host - /path/", a
// link to the parent directory, then one line per entry sorted by name — date (LongDate: with the
// weekday and month name), time, size or <dir>, name — as showFlags asks (Extension off: names
// without their extension). Names starting with '.' and the hidden segments of request filtering
// are left out; at most kMaxEntries are listed (the page says so when there are more). Names and
// links are HTML-escaped and percent-encoded. Native modules' OnSendResponse with a lower priority
// see the 403.14 (see docs/iis-compat.md).
#include <httpserv.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hs::modules {

struct ListingEntry {
  std::string name;
  bool directory = false;
  uint64_t size = 0;
  int64_t mtime = 0;  // Unix seconds
};

inline constexpr size_t kMaxEntries = 10000;

// The page for `url` (the directory's URL path, ending in '/') on `host`; entries in any order.
std::string directory_listing_page(std::string_view host, std::string_view url,
                                   std::vector<ListingEntry> entries, uint32_t show_flags,
                                   bool truncated);

HRESULT register_directory_listing(DWORD version, IHttpModuleRegistrationInfo* info,
                                   IHttpServer* server);

}  // namespace hs::modules
