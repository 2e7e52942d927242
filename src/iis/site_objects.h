#pragma once
// The objects behind IHttpContext::GetSite/GetApplication/GetUser/GetConnection. Modules commonly
// dereference them without checking (ANCM calls GetSite()->GetSiteId(), modules poll
// GetConnection()->IsConnected()), so they always exist.
#include <httpserv.h>

#include <map>
#include <memory>
#include <string>

#include "iis/context_container.h"

namespace hs::iis {

// One per served site (today: the first site of the configuration, or the default site).
class SiteImpl final : public IHttpSite {
 public:
  SiteImpl(DWORD id, std::string_view name);
  DWORD GetSiteId() const override { return id_; }
  PCWSTR GetSiteName() const override { return name_.c_str(); }
  IHttpModuleContextContainer* GetModuleContextContainer() override { return &container_; }
  IHttpPerfCounterInfo* GetPerfCounterInfo() override { return nullptr; }

 private:
  DWORD id_;
  std::wstring name_;
  ModuleContextContainer container_;
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

// IHttpConnectionModuleContextContainer. Lives with the request for now (the exchange does not
// expose connection lifetime yet): NotifyDisconnect runs when the connection fails, and
// CleanupStoredContext when the request ends.
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

}  // namespace hs::iis
