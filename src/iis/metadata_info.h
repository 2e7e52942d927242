#pragma once
// IHttpContext::GetMetadata (spec-2 §2.3): the configuration path of a request and a module
// context container shared by every request with that path, where modules such as iislua and
// iisnode cache the configuration they read through IAppHostAdminManager.
//
// GRANULARITY (decision, docs/iis-compat.md): the meta path is
// MACHINE/WEBROOT/APPHOST/<site name><prefix>, where <prefix> is the deepest configuration level
// that applies to the URL: the longest <location path="Site/prefix"> or virtual directory that
// contains it ("" for the site root). Requests under the same level have the same configuration,
// so modules that cache per metadata object cache exactly once per distinct configuration, and
// the number of objects is bounded by the configuration file (a path per URL would grow with
// every new URL a client invents). GetAdminSection(section, GetMetaPath()) reads what applies to
// the request.
//
// LIFETIME. One object per meta path, created on first use and kept as long as the site (the
// configuration of a process never changes: a reload is a new process). The container is
// synchronized (ModuleContextContainer); CleanupStoredContext runs on every stored context when
// the site is destroyed, before the modules are terminated.
//
// THREADING. MetadataStore::get may be called from every worker at once.
#include <httpserv.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "iis/context_container.h"

namespace hs::iis {

class IisHandler;

class MetadataInfoImpl final : public IReferencedMetadataInfo {
 public:
  MetadataInfoImpl(std::wstring meta_path, std::wstring vr_path, const ModuleRegistry* registry);
  PCWSTR GetMetaPath() const override { return meta_path_.c_str(); }
  PCWSTR GetVrPath() const override { return vr_path_.c_str(); }
  IHttpTokenEntry* GetVrToken() override { return nullptr; }  // no Windows tokens on Linux
  IHttpModuleContextContainer* GetModuleContextContainer() override { return &container_; }
  // The store owns the object; references only count (the object lives as long as the site).
  VOID ReferenceMetadata() override { refs_.fetch_add(1, std::memory_order_relaxed); }
  VOID DereferenceMetadata() override { refs_.fetch_sub(1, std::memory_order_relaxed); }

 private:
  std::wstring meta_path_, vr_path_;
  ModuleContextContainer container_;
  std::atomic<long> refs_{1};
};

// The metadata objects of one site, by configuration level.
class MetadataStore {
 public:
  MetadataStore(std::string_view site_name, const ModuleRegistry* registry);
  ~MetadataStore();
  // The object for the level `prefix` ("" or "/app"), created on first use with `vr_path` (the
  // physical directory of the virtual directory serving it). Null only when out of memory.
  MetadataInfoImpl* get(std::string_view prefix, std::string_view vr_path);

 private:
  std::wstring base_;  // MACHINE/WEBROOT/APPHOST/<site>
  const ModuleRegistry* registry_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<MetadataInfoImpl>, std::less<>> by_prefix_;
};

// GetMetadata() of a request for the decoded, normalised `url_path` on `owner`'s site (also
// IHttpServer2::GetMetadata's answer for that site). Null only when out of memory.
MetadataInfoImpl* metadata_for(IisHandler& owner, std::string_view url_path);

}  // namespace hs::iis
