#include "iis/metadata_info.h"

#include <new>

#include "iis/iis_handler.h"
#include "iis/wide.h"

namespace hs::iis {

MetadataInfoImpl::MetadataInfoImpl(std::wstring meta_path, std::wstring vr_path,
                                   const ModuleRegistry* registry)
    : meta_path_(std::move(meta_path)), vr_path_(std::move(vr_path)), container_(registry) {}

MetadataStore::MetadataStore(std::string_view site_name, const ModuleRegistry* registry)
    : base_(widen(std::string("MACHINE/WEBROOT/APPHOST/") + std::string(site_name))),
      registry_(registry) {}

MetadataStore::~MetadataStore() {
  // Stored contexts are cleaned up (CleanupStoredContext) by each container's destructor.
  std::lock_guard<std::mutex> lock(mu_);
  by_prefix_.clear();
}

MetadataInfoImpl* MetadataStore::get(std::string_view prefix, std::string_view vr_path) {
  try {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_prefix_.find(prefix);
    if (it != by_prefix_.end()) return it->second.get();
    auto info =
        std::make_unique<MetadataInfoImpl>(base_ + widen(prefix), widen(vr_path), registry_);
    MetadataInfoImpl* raw = info.get();
    by_prefix_.emplace(std::string(prefix), std::move(info));
    return raw;
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

MetadataInfoImpl* metadata_for(IisHandler& owner, std::string_view url_path) {
  std::string prefix = owner.settings_for(url_path).prefix;
  const IisHandler::VirtualDirectory* vdir = owner.virtual_directory_for(url_path);
  if (vdir != nullptr && vdir->prefix.size() > prefix.size()) prefix = vdir->prefix;
  const std::string& physical = vdir != nullptr ? vdir->physical_path : owner.root();
  return owner.site().metadata().get(prefix, physical);
}

}  // namespace hs::iis
