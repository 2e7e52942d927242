#include "iis/site_objects.h"

#include "base/log.h"
#include "iis/wide.h"

namespace hs::iis {

SiteImpl::SiteImpl(DWORD id, std::string_view name, const ModuleRegistry* registry)
    : id_(id), name_(widen(name)), metadata_(name, registry) {}

ApplicationImpl::ApplicationImpl(DWORD site_id, std::string_view site_name,
                                 std::string_view physical_path)
    : physical_path_(widen(physical_path)),
      id_(L"/LM/W3SVC/" + std::to_wstring(site_id) + L"/ROOT"),
      config_path_(L"MACHINE/WEBROOT/APPHOST/" + widen(site_name)) {}

HRESULT AnonymousUser::IsInRole(PCWSTR, BOOL* pfInRole) {
  if (pfInRole) *pfInRole = FALSE;
  return E_NOTIMPL;
}

AnonymousUser& AnonymousUser::instance() {
  static AnonymousUser user;
  return user;
}

ConnectionContainer::~ConnectionContainer() {
  cleanup();
}

IHttpConnectionStoredContext* ConnectionContainer::GetConnectionModuleContext(HTTP_MODULE_ID id) {
  auto it = connection_.find(id);
  return it == connection_.end() ? nullptr : it->second;
}

HRESULT ConnectionContainer::SetConnectionModuleContext(IHttpConnectionStoredContext* ctx,
                                                        HTTP_MODULE_ID id) {
  if (ctx == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  if (connection_.count(id) != 0) return HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED);
  connection_[id] = ctx;
  return S_OK;
}

void ConnectionContainer::notify_disconnect() {
  for (auto& [id, ctx] : connection_) {
    try {
      ctx->NotifyDisconnect();
    } catch (...) {
      HS_LOG_ERROR("a module's NotifyDisconnect threw");
    }
  }
}

void ConnectionState::connection_closed() {
  if (closed_.exchange(true, std::memory_order_acq_rel)) return;  // once
  container_.notify_disconnect();
}

void ConnectionContainer::cleanup() {
  auto all = std::move(connection_);
  connection_.clear();
  for (auto& [id, ctx] : all) {
    try {
      ctx->CleanupStoredContext();
    } catch (...) {
      HS_LOG_ERROR("a module's CleanupStoredContext threw");
    }
  }
  base_.cleanup();
}

}  // namespace hs::iis
