#pragma once
// The module context container (spec 3.5): one IHttpStoredContext slot per HTTP_MODULE_ID.
// Used for IHttpServer::DispenseContainer (heap-allocated, freed by ReleaseContainer) and, as a
// member, for the per-request container of IHttpContext (the owner calls cleanup() when the
// request ends; the destructor does it too if nobody did).
//
// The container owns what is stored in it: cleanup() calls CleanupStoredContext exactly once on
// every stored context. Thread-safe (a module may use a dispensed container from its own
// threads); the lock is never held while module code runs, so a CleanupStoredContext that
// touches the container again does not deadlock.
#include <httpserv.h>

#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace hs::iis {

class ModuleRegistry;

class ModuleContextContainer final : public IDispensedHttpModuleContextContainer {
 public:
  // `registry` (optional, not owned) only names modules in error logs.
  explicit ModuleContextContainer(const ModuleRegistry* registry = nullptr) : registry_(registry) {}
  ~ModuleContextContainer() override;
  ModuleContextContainer(const ModuleContextContainer&) = delete;
  ModuleContextContainer& operator=(const ModuleContextContainer&) = delete;

  // IHttpModuleContextContainer.
  IHttpStoredContext* GetModuleContext(HTTP_MODULE_ID moduleId) override;
  // NULL → HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER); a slot already taken →
  // HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED); out of memory → ERROR_NOT_ENOUGH_MEMORY.
  HRESULT SetModuleContext(IHttpStoredContext* ppStoredContext, HTTP_MODULE_ID moduleId) override;

  // IDispensedHttpModuleContextContainer: cleanup(), then `delete this`. Only for containers
  // created with `new` (IHttpServer::DispenseContainer).
  VOID ReleaseContainer() override;

  // Calls CleanupStoredContext once on every stored context (in the order they were stored)
  // and empties the container. Contexts stored by a cleanup callback are cleaned up too. A
  // context that throws is logged and skipped. Idempotent.
  void cleanup();
  // Calls CleanupStoredContext on the context stored for `moduleId`, if any, and frees its
  // slot (used when one module is abandoned before the scope ends, e.g. a request timeout).
  void cleanup_module(HTTP_MODULE_ID moduleId);

  size_t size() const;

 private:
  std::string module_name(HTTP_MODULE_ID id) const;

  const ModuleRegistry* registry_;
  mutable std::mutex mu_;
  std::vector<std::pair<HTTP_MODULE_ID, IHttpStoredContext*>> slots_;  // few modules: linear
};

}  // namespace hs::iis
