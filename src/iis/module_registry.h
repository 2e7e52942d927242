#pragma once
// The loaded IIS native modules (spec §3): dlopen + RegisterModule, the registration-info
// object modules subscribe through, priority ordering of subscribers, and shutdown
// (Terminate + dlclose).
//
// LIFECYCLE. load()/add_builtin() run on one thread at startup, in configuration order; then
// freeze(). After freeze() the registry is read-only and subscribers()/global_subscribers()/
// find() may be called from any thread. terminate() (or the destructor) runs after every
// request has ended: it calls Terminate on every factory and global module and unloads the
// images.
//
// No C++ exception crosses into or out of module code: RegisterModule and Terminate are called
// inside try/catch, and the registration-info methods a module calls never throw.
#include <httpserv.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hs::iis {

// Priority ranks: smaller runs earlier (for RQ_SEND_RESPONSE the order is reversed).
inline constexpr int kPriorityFirst = 0;
inline constexpr int kPriorityHigh = 1;
inline constexpr int kPriorityMedium = 2;  // the default
inline constexpr int kPriorityLow = 3;
inline constexpr int kPriorityLast = 4;

// The rank of a PRIORITY_ALIAS_* string (ASCII case-insensitive), -1 for null or an unknown
// alias.
int priority_rank(PCWSTR alias);

// Notification bits the registration API accepts.
inline constexpr DWORD kRequestNotificationBits = 0x00000FFF | RQ_SEND_RESPONSE_STATUS_AND_HEADERS |
                                                  RQ_CUSTOM_NOTIFICATION | RQ_SEND_RESPONSE |
                                                  RQ_READ_ENTITY | RQ_MAP_PATH;
inline constexpr DWORD kPostRequestNotificationBits = 0x00000FFF;  // the 12 pipeline stages
inline constexpr DWORD kGlobalNotificationBits = 0x0003FFF6;       // GL_STOP_LISTENING..SUSPEND

struct ModuleRegistration {
  std::string name;             // UTF-8, as configured
  std::wstring wname;           // IHttpModuleRegistrationInfo::GetName() returns wname.c_str()
  std::string image;            // path of the .so ("<built-in>" for add_builtin)
  HTTP_MODULE_ID id = nullptr;  // unique per registry, never reused, never null
  size_t order = 0;             // load order (= configuration order) = index in modules()
  IHttpModuleFactory* factory = nullptr;
  DWORD request_mask = 0, post_request_mask = 0;
  CGlobalModule* global = nullptr;
  DWORD global_mask = 0;
  std::map<DWORD, int> request_priority, post_request_priority, global_priority;  // bit → rank
  void* dl_handle = nullptr;  // dlopen handle; null for built-ins and after terminate()
  // Until then (loop milliseconds), calls into this module hand their loop off as they start:
  // one was handed off while it blocked (request_context.cc, ModuleRegion).
  mutable std::atomic<int64_t> blocks_until_ms{0};
  // A built-in module whose calls are short: they run without a region (ModuleRegion does
  // nothing for them), and the module opens one itself around work that may block.
  bool runs_inline = false;

  int request_rank(DWORD notification) const;  // kPriorityMedium unless set
  int post_request_rank(DWORD notification) const;
  int global_rank(DWORD notification) const;
};

class RegistrationInfoImpl;

class ModuleRegistry {
 public:
  // The dwServerVersion passed to RegisterModule (the IIS major version we present).
  static constexpr DWORD kServerVersion = 10;
  // ModuleRegistration::image of built-in modules.
  static constexpr std::string_view kBuiltinImage = "<built-in>";

  ModuleRegistry();
  ~ModuleRegistry();  // terminate()
  ModuleRegistry(const ModuleRegistry&) = delete;
  ModuleRegistry& operator=(const ModuleRegistry&) = delete;

  // dlopen(image, RTLD_NOW | RTLD_LOCAL), dlsym("RegisterModule"), and calls it with
  // kServerVersion, an IHttpModuleRegistrationInfo2 and `server`. On failure returns false and
  // sets *error (may be null) to one line naming the module and the image. A module that
  // registers nothing is accepted with a warning (IIS allows it). Refused after freeze(). A
  // registered image is never unmapped (RTLD_NODELETE, set once RegisterModule succeeded).
  bool load(std::string_view name, const std::string& image, IHttpServer* server,
            std::string* error);

  // A module implemented inside the server: no dlopen; `register_fn` plays RegisterModule.
  // `runs_inline`: see ModuleRegistration::runs_inline.
  bool add_builtin(std::string_view name, PFN_REGISTERMODULE register_fn, IHttpServer* server,
                   std::string* error, bool runs_inline = false);

  const std::vector<std::unique_ptr<ModuleRegistration>>& modules() const { return modules_; }
  // ASCII case-insensitive (IIS module names are case-insensitive); null if absent.
  const ModuleRegistration* find(std::string_view name) const;
  const ModuleRegistration* find(HTTP_MODULE_ID id) const;

  // Ends loading: afterwards the registry is read-only (load/add_builtin fail) and safe to
  // read from any thread. The subscriber lists are kept up to date by every load anyway.
  void freeze();
  bool frozen() const { return frozen_; }

  // Modules subscribed to `notification` (one RQ_ bit), pre or post, by rank then load
  // order; for RQ_SEND_RESPONSE the whole order is reversed (spec §3.2: FIRST runs last).
  // Only modules with a factory. Empty for anything but a single bit, and after terminate().
  const std::vector<const ModuleRegistration*>& subscribers(DWORD notification, bool post) const;
  // Global modules subscribed to `gl_notification` (one GL_ bit), by rank then load order.
  const std::vector<const ModuleRegistration*>& global_subscribers(DWORD gl_notification) const;

  // Calls IHttpModuleFactory::Terminate and CGlobalModule::Terminate once per module, in
  // reverse load order (each guarded; an object that is both is terminated once), then
  // dlclose()s every image, also those whose RegisterModule failed. Afterwards factory/global
  // are null and the subscriber lists empty. Idempotent; run by the destructor. Call it only
  // when no request is running.
  void terminate();
  bool terminated() const { return terminated_; }

 private:
  bool check_name(std::string_view name, std::string_view image, std::string* error) const;
  bool register_module(std::string_view name, std::string_view image, void* handle,
                       PFN_REGISTERMODULE fn, IHttpServer* server, std::string* error,
                       bool runs_inline = false);
  void rebuild();

  std::vector<std::unique_ptr<ModuleRegistration>> modules_;
  // Registration-info objects, closed after RegisterModule returned, kept alive because a
  // module may keep the pointer (its calls then get E_UNEXPECTED).
  std::vector<std::unique_ptr<RegistrationInfoImpl>> infos_;
  // Images whose RegisterModule failed or threw: module code may still be referenced (objects
  // it registered, threads it started), so they stay mapped until terminate().
  std::vector<void*> failed_handles_;
  std::array<std::vector<const ModuleRegistration*>, 32> pre_, post_, global_;
  uintptr_t next_id_ = 1;
  bool frozen_ = false;
  bool terminated_ = false;
};

}  // namespace hs::iis
