#pragma once
// The objects behind IHttpContext::GetSite/GetApplication/GetUser/GetConnection. Modules commonly
// dereference them without checking (ANCM calls GetSite()->GetSiteId(), modules poll
// GetConnection()->IsConnected()), so they always exist.
#include <httpserv.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "http/exchange.h"
#include "iis/context_container.h"
#include "iis/metadata_info.h"

namespace hs::iis {

// One per served site (each <site> of the configuration, or the one default site).
class SiteImpl final : public IHttpSite {
 public:
  // `registry` (optional) only names modules in the logs of the metadata containers.
  SiteImpl(DWORD id, std::string_view name, const ModuleRegistry* registry = nullptr);
  DWORD GetSiteId() const override { return id_; }
  PCWSTR GetSiteName() const override { return name_.c_str(); }
  IHttpModuleContextContainer* GetModuleContextContainer() override { return &container_; }
  IHttpPerfCounterInfo* GetPerfCounterInfo() override { return nullptr; }
  // The IMetadataInfo objects of the site's configuration levels (metadata_info.h).
  MetadataStore& metadata() { return metadata_; }

 private:
  DWORD id_;
  std::wstring name_;
  ModuleContextContainer container_;
  MetadataStore metadata_;
};

// The site's root application ("/").
class ApplicationImpl final : public IHttpApplication2 {
 public:
  ApplicationImpl(DWORD site_id, std::string_view site_name, std::string_view physical_path);
  PCWSTR GetApplicationPhysicalPath() const override { return physical_path_.c_str(); }
  PCWSTR GetApplicationId() const override { return id_.c_str(); }
  PCWSTR GetAppConfigPath() const override { return config_path_.c_str(); }
  IHttpModuleContextContainer* GetModuleContextContainer() override { return &container_; }
  VOID BeginApplicationWarmup() override {}
  VOID EndApplicationWarmup() override {}
  BOOL QueryIsWarmingUp() override { return FALSE; }

 private:
  std::wstring physical_path_, id_, config_path_;
  ModuleContextContainer container_;
};

// The anonymous user every request has until authentication modules arrive.
class AnonymousUser final : public IHttpUser {
 public:
  PCWSTR GetRemoteUserName() override { return L""; }
  PCWSTR GetUserName() override { return L""; }
  PCWSTR GetAuthenticationType() override { return L""; }
  PCWSTR GetPassword() override { return L""; }
  HANDLE GetImpersonationToken() override { return nullptr; }  // no Windows tokens on Linux
  HANDLE GetPrimaryToken() override { return nullptr; }
  VOID ReferenceUser() override {}  // static lifetime
  VOID DereferenceUser() override {}
  BOOL SupportsIsInRole() override { return FALSE; }
  HRESULT IsInRole(PCWSTR, BOOL* pfInRole) override;
  PVOID GetUserVariable(PCSTR) override { return nullptr; }
  static AnonymousUser& instance();
};

// IHttpConnectionModuleContextContainer of one connection (inside ConnectionState).
class ConnectionContainer final : public IHttpConnectionModuleContextContainer {
 public:
  explicit ConnectionContainer(const ModuleRegistry* registry) : base_(registry) {}
  ~ConnectionContainer() override;
  IHttpStoredContext* GetModuleContext(HTTP_MODULE_ID id) override {
    return base_.GetModuleContext(id);
  }
  HRESULT SetModuleContext(IHttpStoredContext* ctx, HTTP_MODULE_ID id) override {
    return base_.SetModuleContext(ctx, id);
  }
  IHttpConnectionStoredContext* GetConnectionModuleContext(HTTP_MODULE_ID id) override;
  HRESULT SetConnectionModuleContext(IHttpConnectionStoredContext* ctx, HTTP_MODULE_ID id) override;
  void notify_disconnect();
  void cleanup();

 private:
  ModuleContextContainer base_;
  std::map<HTTP_MODULE_ID, IHttpConnectionStoredContext*> connection_;
};

// The IIS layer's state of one client connection, kept in the exchange's connection slot
// (http::Exchange::connection_data), so every request of a keep-alive connection shares it.
// Each request holds a reference too (its LOG/END may run after the connection closed). When the
// connection closes, whatever the cause and even while a request is PENDING, connected() turns
// false and NotifyDisconnect runs on every stored connection context; CleanupStoredContext runs
// when the last reference goes (the connection is closed and its last request has ended).
class ConnectionState final : public http::ConnectionData {
 public:
  explicit ConnectionState(const ModuleRegistry* registry) : container_(registry) {}
  void connection_closed() override;
  bool connected() const { return !closed_.load(std::memory_order_acquire); }
  ConnectionContainer& container() { return container_; }

 private:
  std::atomic<bool> closed_{false};  // modules may poll IsConnected from their own threads
  ConnectionContainer container_;
};

}  // namespace hs::iis
