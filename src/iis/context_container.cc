#include "iis/context_container.h"

#include <cstdio>
#include <exception>
#include <new>

#include "base/log.h"
#include "iis/module_registry.h"

namespace hs::iis {

ModuleContextContainer::~ModuleContextContainer() {
  cleanup();
}

IHttpStoredContext* ModuleContextContainer::GetModuleContext(HTTP_MODULE_ID moduleId) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, ctx] : slots_) {
    if (id == moduleId) return ctx;
  }
  return nullptr;
}

HRESULT ModuleContextContainer::SetModuleContext(IHttpStoredContext* ppStoredContext,
                                                 HTTP_MODULE_ID moduleId) {
  if (ppStoredContext == nullptr) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& slot : slots_) {
    if (slot.first == moduleId) return HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED);
  }
  try {
    slots_.emplace_back(moduleId, ppStoredContext);
  } catch (const std::bad_alloc&) {
    return HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY);
  }
  return S_OK;
}

VOID ModuleContextContainer::ReleaseContainer() {
  delete this;  // the destructor runs cleanup()
}

void ModuleContextContainer::cleanup() {
  // Bounded: a context that re-stores itself on every cleanup must not loop forever.
  for (int round = 0; round < 16; ++round) {
    std::vector<std::pair<HTTP_MODULE_ID, IHttpStoredContext*>> taken;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (slots_.empty()) return;
      taken.swap(slots_);
    }
    for (const auto& [id, ctx] : taken) {
      try {
        ctx->CleanupStoredContext();
      } catch (const std::exception& e) {
        HS_LOG_ERROR("module %s: CleanupStoredContext threw: %s", module_name(id).c_str(),
                     e.what());
      } catch (...) {
        HS_LOG_ERROR("module %s: CleanupStoredContext threw", module_name(id).c_str());
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!slots_.empty()) {
    HS_LOG_ERROR(
        "context container: stored contexts keep re-adding themselves on cleanup; "
        "%zu left uncleaned",
        slots_.size());
    slots_.clear();
  }
}

void ModuleContextContainer::cleanup_module(HTTP_MODULE_ID moduleId) {
  IHttpStoredContext* ctx = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = slots_.begin(); it != slots_.end(); ++it) {
      if (it->first == moduleId) {
        ctx = it->second;
        slots_.erase(it);
        break;
      }
    }
  }
  if (ctx == nullptr) return;
  try {
    ctx->CleanupStoredContext();
  } catch (...) {
    HS_LOG_ERROR("module %s: CleanupStoredContext threw", module_name(moduleId).c_str());
  }
}

std::string ModuleContextContainer::module_name(HTTP_MODULE_ID id) const {
  if (registry_ != nullptr) {
    if (const ModuleRegistration* reg = registry_->find(id)) return reg->name;
  }
  char buf[32];
  (void)snprintf(buf, sizeof(buf), "id %p", id);
  return buf;
}

size_t ModuleContextContainer::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return slots_.size();
}

}  // namespace hs::iis
