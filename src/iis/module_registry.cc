#include "iis/module_registry.h"

#include <dlfcn.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <exception>
#include <mutex>
#include <new>

#include "base/log.h"
#include "iis/wide.h"

namespace hs::iis {
namespace {

const std::vector<const ModuleRegistration*>& no_subscribers() {
  static const std::vector<const ModuleRegistration*> empty;
  return empty;
}

wchar_t ascii_upper(wchar_t c) {
  return (c >= L'a' && c <= L'z') ? static_cast<wchar_t>(c - L'a' + L'A') : c;
}

bool alias_equals(PCWSTR alias, const wchar_t* upper) {
  for (; *alias != L'\0' && *upper != L'\0'; ++alias, ++upper) {
    if (ascii_upper(*alias) != *upper) return false;
  }
  return *alias == L'\0' && *upper == L'\0';
}

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// Index of a single notification bit, or -1.
int bit_index(DWORD notification) {
  if (!std::has_single_bit(notification)) return -1;
  return std::countr_zero(notification);
}

int rank_in(const std::map<DWORD, int>& priorities, DWORD notification) {
  auto it = priorities.find(notification);
  return it == priorities.end() ? kPriorityMedium : it->second;
}

std::string describe(std::string_view name, std::string_view image) {
  std::string s = "module '";
  s.append(name);
  s.append("' (image ");
  s.append(image);
  s.append(")");
  return s;
}

void set_error(std::string* error, std::string text) {
  if (error != nullptr) *error = std::move(text);
}

}  // namespace

int priority_rank(PCWSTR alias) {
  if (alias == nullptr) return -1;
  if (alias_equals(alias, PRIORITY_ALIAS_FIRST)) return kPriorityFirst;
  if (alias_equals(alias, PRIORITY_ALIAS_HIGH)) return kPriorityHigh;
  if (alias_equals(alias, PRIORITY_ALIAS_MEDIUM)) return kPriorityMedium;
  if (alias_equals(alias, PRIORITY_ALIAS_LOW)) return kPriorityLow;
  if (alias_equals(alias, PRIORITY_ALIAS_LAST)) return kPriorityLast;
  return -1;
}

int ModuleRegistration::request_rank(DWORD notification) const {
  return rank_in(request_priority, notification);
}
int ModuleRegistration::post_request_rank(DWORD notification) const {
  return rank_in(post_request_priority, notification);
}
int ModuleRegistration::global_rank(DWORD notification) const {
  return rank_in(global_priority, notification);
}

// ---------------------------------------------------------------------------------------------
// The IHttpModuleRegistrationInfo2 handed to RegisterModule. It writes into the module's
// ModuleRegistration while RegisterModule runs; close() detaches it, after which every setter
// returns E_UNEXPECTED (GetName/GetId keep working: they read the object's own copies). Never
// throws: it is called from module code.
// ---------------------------------------------------------------------------------------------
class RegistrationInfoImpl final : public IHttpModuleRegistrationInfo2 {
 public:
  RegistrationInfoImpl(ModuleRegistration* target, std::string label)
      : target_(target), wname_(target->wname), id_(target->id), label_(std::move(label)) {}

  void close() {
    std::lock_guard<std::mutex> lock(mu_);
    target_ = nullptr;
  }

  PCWSTR GetName() const override { return wname_.c_str(); }
  HTTP_MODULE_ID GetId() const override { return id_; }

  HRESULT SetRequestNotifications(IHttpModuleFactory* pModuleFactory, DWORD dwRequestNotifications,
                                  DWORD dwPostRequestNotifications) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (target_ == nullptr) return refused("SetRequestNotifications");
    if (request_set_) return HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS);
    if (pModuleFactory == nullptr && (dwRequestNotifications | dwPostRequestNotifications) != 0) {
      return E_INVALIDARG;
    }
    const DWORD pre = known_bits(dwRequestNotifications, kRequestNotificationBits, "request");
    const DWORD post =
        known_bits(dwPostRequestNotifications, kPostRequestNotificationBits, "post-request");
    request_set_ = true;
    target_->factory = pModuleFactory;
    target_->request_mask = pre;
    target_->post_request_mask = post;
    return S_OK;
  }

  HRESULT SetGlobalNotifications(CGlobalModule* pGlobalModule,
                                 DWORD dwGlobalNotifications) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (target_ == nullptr) return refused("SetGlobalNotifications");
    if (global_set_) return HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS);
    if (pGlobalModule == nullptr && dwGlobalNotifications != 0) return E_INVALIDARG;
    const DWORD mask = known_bits(dwGlobalNotifications, kGlobalNotificationBits, "global");
    global_set_ = true;
    target_->global = pGlobalModule;
    target_->global_mask = mask;
    return S_OK;
  }

  HRESULT SetPriorityForRequestNotification(DWORD dwRequestNotification,
                                            PCWSTR pszPriority) override {
    return set_priority(&ModuleRegistration::request_priority, kRequestNotificationBits,
                        dwRequestNotification, pszPriority, "SetPriorityForRequestNotification");
  }

  HRESULT SetPriorityForGlobalNotification(DWORD dwGlobalNotification,
                                           PCWSTR pszPriority) override {
    return set_priority(&ModuleRegistration::global_priority, kGlobalNotificationBits,
                        dwGlobalNotification, pszPriority, "SetPriorityForGlobalNotification");
  }

  HRESULT SetPriorityForPostRequestNotification(DWORD dwPostRequestNotification,
                                                PCWSTR pszPriority) override {
    return set_priority(&ModuleRegistration::post_request_priority, kPostRequestNotificationBits,
                        dwPostRequestNotification, pszPriority,
                        "SetPriorityForPostRequestNotification");
  }

 private:
  HRESULT refused(const char* method) const {
    HS_LOG_WARN("%s called %s after RegisterModule returned: refused", label_.c_str(), method);
    return E_UNEXPECTED;
  }

  // Drops (with a warning) bits the API does not define for this mask.
  DWORD known_bits(DWORD mask, DWORD known, const char* kind) const {
    if ((mask & ~known) != 0) {
      HS_LOG_WARN("%s: ignoring unknown %s notification bits 0x%08X", label_.c_str(), kind,
                  mask & ~known);
    }
    return mask & known;
  }

  HRESULT set_priority(std::map<DWORD, int> ModuleRegistration::*table, DWORD known,
                       DWORD notification, PCWSTR alias, const char* method) {
    std::lock_guard<std::mutex> lock(mu_);
    if (target_ == nullptr) return refused(method);
    const int rank = priority_rank(alias);
    if (rank < 0 || bit_index(notification) < 0 || (notification & known) == 0) {
      return E_INVALIDARG;
    }
    try {
      (target_->*table)[notification] = rank;
    } catch (const std::bad_alloc&) {
      return E_OUTOFMEMORY;
    }
    return S_OK;
  }

  mutable std::mutex mu_;
  ModuleRegistration* target_;  // null once closed
  const std::wstring wname_;
  const HTTP_MODULE_ID id_;
  const std::string label_;  // "module 'X' (image Y)" for logs
  bool request_set_ = false;
  bool global_set_ = false;
};

// ---------------------------------------------------------------------------------------------

ModuleRegistry::ModuleRegistry() = default;

ModuleRegistry::~ModuleRegistry() {
  terminate();
}

bool ModuleRegistry::check_name(std::string_view name, std::string_view image,
                                std::string* error) const {
  if (terminated_) {
    set_error(error, describe(name, image) + ": the module registry is already terminated");
    return false;
  }
  if (frozen_) {
    set_error(error, describe(name, image) + ": modules cannot be added after startup");
    return false;
  }
  if (name.empty()) {
    set_error(error, describe(name, image) + ": empty module name");
    return false;
  }
  if (const ModuleRegistration* other = find(name)) {
    set_error(error, describe(name, image) + ": duplicate module name (already loaded from " +
                         other->image + ")");
    return false;
  }
  return true;
}

bool ModuleRegistry::load(std::string_view name, const std::string& image, IHttpServer* server,
                          std::string* error) {
  if (!check_name(name, image, error)) return false;
  // dlerror() state is per thread in glibc, and loading runs on one thread.
  dlerror();  // NOLINT(concurrency-mt-unsafe): clears a stale error
  void* handle = dlopen(image.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();  // NOLINT(concurrency-mt-unsafe)
    set_error(error,
              describe(name, image) + ": cannot load: " + (why != nullptr ? why : "dlopen failed"));
    return false;
  }
  dlerror();  // NOLINT(concurrency-mt-unsafe)
  void* sym = dlsym(handle, MODULE_REGISTERMODULE);
  if (sym == nullptr) {
    set_error(error, describe(name, image) + ": no " MODULE_REGISTERMODULE " export");
    dlclose(handle);  // no module code ran except its static initialisers
    return false;
  }
  auto fn = reinterpret_cast<PFN_REGISTERMODULE>(sym);
  if (!register_module(name, image, handle, fn, server, error)) return false;
  // A registered image stays mapped after its dlclose (at Terminate, shortly before the process
  // ends, as IIS keeps a worker process's modules until it exits): a thread the module started
  // may still be returning through its code when Terminate has seen it finish (the compat
  // layer's CreateThread runs inline in the module: it signals its handle, then returns), and
  // unmapping the image then would crash that thread. (A failed load is still unloaded at once.)
  if (void* keep = dlopen(image.c_str(), RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE)) dlclose(keep);
  return true;
}

bool ModuleRegistry::add_builtin(std::string_view name, PFN_REGISTERMODULE register_fn,
                                 IHttpServer* server, std::string* error, bool runs_inline) {
  if (!check_name(name, kBuiltinImage, error)) return false;
  if (register_fn == nullptr) {
    set_error(error, describe(name, kBuiltinImage) + ": no registration function");
    return false;
  }
  return register_module(name, kBuiltinImage, nullptr, register_fn, server, error, runs_inline);
}

bool ModuleRegistry::register_module(std::string_view name, std::string_view image, void* handle,
                                     PFN_REGISTERMODULE fn, IHttpServer* server, std::string* error,
                                     bool runs_inline) {
  auto reg = std::make_unique<ModuleRegistration>();
  reg->name = std::string(name);
  reg->wname = widen(name);
  reg->image = std::string(image);
  // A counter cast to a pointer, as IIS does; never reused, even when the load fails.
  reg->id = reinterpret_cast<HTTP_MODULE_ID>(next_id_++);  // NOLINT(performance-no-int-to-ptr)
  reg->order = modules_.size();
  reg->dl_handle = handle;
  reg->runs_inline = runs_inline;
  const std::string label = describe(name, image);
  infos_.push_back(std::make_unique<RegistrationInfoImpl>(reg.get(), label));
  RegistrationInfoImpl* info = infos_.back().get();

  HRESULT hr = S_OK;
  std::string failure;
  try {
    hr = fn(kServerVersion, info, server);
    if (FAILED(hr)) {
      char buf[64];
      (void)snprintf(buf, sizeof(buf), "RegisterModule failed with 0x%08X",
                     static_cast<unsigned>(hr));
      failure = buf;
    }
  } catch (const std::exception& e) {
    failure = std::string("RegisterModule threw an exception: ") + e.what();
  } catch (...) {
    failure = "RegisterModule threw an exception";
  }
  info->close();

  if (!failure.empty()) {
    // What the module registered is not terminated: it reported failure, so its state is
    // unknown. The image stays mapped (see failed_handles_).
    if (handle != nullptr) failed_handles_.push_back(handle);
    set_error(error, label + ": " + failure);
    return false;
  }
  if (reg->factory == nullptr && reg->global == nullptr) {
    HS_LOG_WARN("%s registered no notifications; it will never run", label.c_str());
  }
  modules_.push_back(std::move(reg));
  rebuild();
  return true;
}

const ModuleRegistration* ModuleRegistry::find(std::string_view name) const {
  for (const auto& m : modules_) {
    if (iequals(m->name, name)) return m.get();
  }
  return nullptr;
}

const ModuleRegistration* ModuleRegistry::find(HTTP_MODULE_ID id) const {
  for (const auto& m : modules_) {
    if (m->id == id) return m.get();
  }
  return nullptr;
}

void ModuleRegistry::freeze() {
  rebuild();
  frozen_ = true;
}

void ModuleRegistry::rebuild() {
  for (int i = 0; i < 32; ++i) {
    const DWORD bit = DWORD{1} << i;
    auto& pre = pre_[i];
    auto& post = post_[i];
    auto& global = global_[i];
    pre.clear();
    post.clear();
    global.clear();
    for (const auto& m : modules_) {  // load order
      if (m->factory != nullptr && (m->request_mask & bit) != 0) pre.push_back(m.get());
      if (m->factory != nullptr && (m->post_request_mask & bit) != 0) post.push_back(m.get());
      if (m->global != nullptr && (m->global_mask & bit) != 0) global.push_back(m.get());
    }
    // Stable sorts keep load order within a rank.
    std::stable_sort(pre.begin(), pre.end(), [bit](auto* a, auto* b) {
      return a->request_rank(bit) < b->request_rank(bit);
    });
    if (bit == RQ_SEND_RESPONSE) std::reverse(pre.begin(), pre.end());
    std::stable_sort(post.begin(), post.end(), [bit](auto* a, auto* b) {
      return a->post_request_rank(bit) < b->post_request_rank(bit);
    });
    std::stable_sort(global.begin(), global.end(),
                     [bit](auto* a, auto* b) { return a->global_rank(bit) < b->global_rank(bit); });
  }
}

const std::vector<const ModuleRegistration*>& ModuleRegistry::subscribers(DWORD notification,
                                                                          bool post) const {
  const int i = bit_index(notification);
  if (i < 0) return no_subscribers();
  return post ? post_[i] : pre_[i];
}

const std::vector<const ModuleRegistration*>& ModuleRegistry::global_subscribers(
    DWORD gl_notification) const {
  const int i = bit_index(gl_notification);
  if (i < 0) return no_subscribers();
  return global_[i];
}

void ModuleRegistry::terminate() {
  if (terminated_) return;
  terminated_ = true;
  frozen_ = true;
  for (auto& v : pre_)
    v.clear();
  for (auto& v : post_)
    v.clear();
  for (auto& v : global_)
    v.clear();

  for (auto it = modules_.rbegin(); it != modules_.rend(); ++it) {
    ModuleRegistration& m = **it;
    const std::string label = describe(m.name, m.image);
    IHttpModuleFactory* factory = m.factory;
    CGlobalModule* global = m.global;
    m.factory = nullptr;
    m.global = nullptr;
    // One object may implement both interfaces; its Terminate must run once.
    const bool same_object = factory != nullptr && global != nullptr &&
                             dynamic_cast<void*>(factory) == dynamic_cast<void*>(global);
    if (factory != nullptr) {
      try {
        factory->Terminate();
      } catch (const std::exception& e) {
        HS_LOG_ERROR("%s: IHttpModuleFactory::Terminate threw: %s", label.c_str(), e.what());
      } catch (...) {
        HS_LOG_ERROR("%s: IHttpModuleFactory::Terminate threw", label.c_str());
      }
    }
    if (global != nullptr && !same_object) {
      try {
        global->Terminate();
      } catch (const std::exception& e) {
        HS_LOG_ERROR("%s: CGlobalModule::Terminate threw: %s", label.c_str(), e.what());
      } catch (...) {
        HS_LOG_ERROR("%s: CGlobalModule::Terminate threw", label.c_str());
      }
    }
  }

  auto unload = [](void* handle, const std::string& what) {
    if (dlclose(handle) != 0) {
      const char* why = dlerror();  // NOLINT(concurrency-mt-unsafe)
      HS_LOG_ERROR("%s: dlclose failed: %s", what.c_str(), why != nullptr ? why : "?");
    }
  };
  for (auto it = modules_.rbegin(); it != modules_.rend(); ++it) {
    ModuleRegistration& m = **it;
    if (m.dl_handle == nullptr) continue;
    unload(m.dl_handle, describe(m.name, m.image));
    m.dl_handle = nullptr;
  }
  for (auto it = failed_handles_.rbegin(); it != failed_handles_.rend(); ++it) {
    unload(*it, "failed module image");
  }
  failed_handles_.clear();
}

}  // namespace hs::iis
