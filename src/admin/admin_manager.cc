#include "admin/admin_manager.h"

#include <atomic>
#include <mutex>
#include <new>
#include <set>
#include <utility>
#include <vector>

#include "base/log.h"
#include "config/sections.h"

namespace hs::admin {
namespace {

using config::AttributeType;
using config::ResolvedAttribute;
using config::ResolvedElement;

constexpr HRESULT kInvalidIndex = HRESULT_FROM_WIN32(ERROR_INVALID_INDEX);
constexpr HRESULT kNotSupported = HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED);
constexpr HRESULT kInvalidData = HRESULT_FROM_WIN32(ERROR_INVALID_DATA);

std::string utf8(const OLECHAR* s) {
  return httpserv::compat::wide_to_utf8(s);
}

// A new BSTR of UTF-8 text; HRESULT E_OUTOFMEMORY via *hr when allocation fails.
HRESULT put_bstr(std::string_view text, BSTR* out) {
  *out = httpserv::compat::bstr_from_utf8(text.data(), text.size());
  return *out != nullptr ? S_OK : E_OUTOFMEMORY;
}

// An index VARIANT: any integer type (VT_I2 in Microsoft's samples, VT_UI4 in ANCM), or a
// VT_BYREF to one.
bool variant_index(const VARIANT& v, int64_t* out) {
  VARIANT copy;
  VariantInit(&copy);
  if (FAILED(VariantChangeType(&copy, &v, 0, VT_I8))) return false;
  switch (v.vt) {
    case VT_I1:
    case VT_UI1:
    case VT_I2:
    case VT_UI2:
    case VT_I4:
    case VT_UI4:
    case VT_INT:
    case VT_UINT:
    case VT_I8:
    case VT_UI8:
      *out = copy.llVal;
      return true;
    default:
      return false;
  }
}

// Shared AddRef/Release/QueryInterface. `Iface` is the most derived interface implemented;
// `Base` the one it extends (or IUnknown).
template <class Derived, class Iface>
class ComBase : public Iface {
 public:
  ULONG STDMETHODCALLTYPE AddRef() override { return refs_.fetch_add(1) + 1; }
  ULONG STDMETHODCALLTYPE Release() override {
    ULONG n = refs_.fetch_sub(1) - 1;
    if (n == 0) delete static_cast<Derived*>(this);
    return n;
  }
  HRESULT STDMETHODCALLTYPE QueryInterface(REFIID riid, void** ppv) override {
    if (ppv == nullptr) return E_POINTER;
    *ppv = nullptr;
    if (!static_cast<Derived*>(this)->implements(riid)) return E_NOINTERFACE;
    *ppv = static_cast<Iface*>(this);
    AddRef();
    return S_OK;
  }

 protected:
  virtual ~ComBase() = default;
  bool implements_base(REFIID riid) const {
    return riid == iid_of<IUnknown>() || riid == iid_of<Iface>();
  }

 private:
  std::atomic<ULONG> refs_{1};
};

template <class T>
HRESULT hand_out(T* object, T** out) {
  if (object == nullptr) return E_OUTOFMEMORY;
  *out = object;
  return S_OK;
}

// Runs `f`, turning exceptions into HRESULTs: nothing crosses into module code.
template <class F>
HRESULT guarded(F&& f) noexcept {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return E_OUTOFMEMORY;
  } catch (...) {
    return E_FAIL;
  }
}

HRESULT typed_value(const ResolvedAttribute& a, VARIANT* out) {
  config::TypedValue tv;
  std::string why;
  if (!config::convert_value(a.schema, a.value, &tv, &why)) {
    HS_LOG_WARN("configuration attribute %s: %s", a.name.c_str(), why.c_str());
    return kInvalidData;
  }
  switch (tv.type) {
    case AttributeType::kString: {
      BSTR b = nullptr;
      if (FAILED(put_bstr(tv.text, &b))) return E_OUTOFMEMORY;
      out->vt = VT_BSTR;
      out->bstrVal.value = b;
      return S_OK;
    }
    case AttributeType::kBool:
      out->vt = VT_BOOL;
      out->boolVal = tv.boolean ? VARIANT_TRUE : VARIANT_FALSE;
      return S_OK;
    case AttributeType::kUint:
      out->vt = VT_UI4;
      out->ulVal = static_cast<ULONG>(tv.number);
      return S_OK;
    case AttributeType::kInt:
    case AttributeType::kEnum:
    case AttributeType::kFlags:
      out->vt = VT_I4;
      out->lVal = static_cast<LONG>(tv.number);
      return S_OK;
    case AttributeType::kInt64:
      out->vt = VT_I8;
      out->llVal = tv.number;
      return S_OK;
    case AttributeType::kTimeSpan:
      out->vt = VT_UI8;
      out->ullVal = static_cast<ULONGLONG>(tv.number);
      return S_OK;
  }
  return kInvalidData;
}

// The persisted text of an attribute: as written, the default, or for enum/flags defaults the
// same text; never NULL.
std::string string_value(const ResolvedAttribute& a) {
  if (a.schema != nullptr && a.schema->type == AttributeType::kString) {
    config::TypedValue tv;
    std::string why;
    if (config::convert_value(a.schema, a.value, &tv, &why)) return tv.text;
  }
  return a.value;
}

class PropertyImpl final : public ComBase<PropertyImpl, IAppHostProperty> {
 public:
  PropertyImpl(std::shared_ptr<const Model> model, std::shared_ptr<const ResolvedElement> owner,
               size_t index)
      : model_(std::move(model)), owner_(std::move(owner)), index_(index) {}
  bool implements(REFIID riid) const { return implements_base(riid); }

  HRESULT STDMETHODCALLTYPE get_Name(BSTR* pbstrName) override {
    if (pbstrName == nullptr) return E_POINTER;
    return guarded([&] { return put_bstr(attr().name, pbstrName); });
  }
  HRESULT STDMETHODCALLTYPE get_Value(VARIANT* pVariant) override {
    if (pVariant == nullptr) return E_POINTER;
    VariantInit(pVariant);  // written without reading: callers pass uninitialised VARIANTs
    return guarded([&] { return typed_value(attr(), pVariant); });
  }
  HRESULT STDMETHODCALLTYPE put_Value(VARIANT) override { return E_ACCESSDENIED; }
  HRESULT STDMETHODCALLTYPE Clear() override { return E_ACCESSDENIED; }
  HRESULT STDMETHODCALLTYPE get_StringValue(BSTR* pbstrValue) override {
    if (pbstrValue == nullptr) return E_POINTER;
    return guarded([&] { return put_bstr(string_value(attr()), pbstrValue); });
  }
  HRESULT STDMETHODCALLTYPE get_Exception(IAppHostPropertyException** ppException) override {
    if (ppException == nullptr) return E_POINTER;
    *ppException = nullptr;  // values are validated when the section is read
    return S_OK;
  }
  HRESULT STDMETHODCALLTYPE GetMetadata(const OLECHAR* bstrMetadataType, VARIANT* pValue) override {
    if (pValue == nullptr) return E_POINTER;
    VariantInit(pValue);
    if (bstrMetadataType == nullptr) return E_INVALIDARG;
    const std::wstring_view name(bstrMetadataType);
    if (name == L"isDefaultValue" || name == L"isInheritedFromDefault") {
      pValue->vt = VT_BOOL;
      pValue->boolVal = attr().set ? VARIANT_FALSE : VARIANT_TRUE;
      return S_OK;
    }
    if (name == L"isLocked") {
      pValue->vt = VT_BOOL;
      pValue->boolVal = VARIANT_FALSE;  // locking attributes are accepted and not enforced
      return S_OK;
    }
    return kNotSupported;
  }
  HRESULT STDMETHODCALLTYPE SetMetadata(const OLECHAR*, VARIANT) override { return kNotSupported; }
  HRESULT STDMETHODCALLTYPE get_Schema(IAppHostPropertySchema** ppSchema) override {
    if (ppSchema != nullptr) *ppSchema = nullptr;
    return E_NOTIMPL;
  }

 private:
  const ResolvedAttribute& attr() const { return owner_->attributes[index_]; }
  std::shared_ptr<const Model> model_;  // keeps the schema the attribute points into
  std::shared_ptr<const ResolvedElement> owner_;
  size_t index_;
};

HRESULT make_property(const std::shared_ptr<const Model>& model,
                      const std::shared_ptr<const ResolvedElement>& e, size_t i,
                      IAppHostProperty** out) {
  return hand_out<IAppHostProperty>(new (std::nothrow) PropertyImpl(model, e, i), out);
}

HRESULT make_element(const std::shared_ptr<const Model>& model,
                     std::shared_ptr<const ResolvedElement> e, IAppHostElement** out);

class PropertyCollectionImpl final
    : public ComBase<PropertyCollectionImpl, IAppHostPropertyCollection> {
 public:
  PropertyCollectionImpl(std::shared_ptr<const Model> model,
                         std::shared_ptr<const ResolvedElement> e)
      : model_(std::move(model)), e_(std::move(e)) {}
  bool implements(REFIID riid) const { return implements_base(riid); }

  HRESULT STDMETHODCALLTYPE get_Count(DWORD* pcCount) override {
    if (pcCount == nullptr) return E_POINTER;
    *pcCount = static_cast<DWORD>(e_->attributes.size());
    return S_OK;
  }
  HRESULT STDMETHODCALLTYPE get_Item(VARIANT cIndex, IAppHostProperty** ppProperty) override {
    if (ppProperty == nullptr) return E_POINTER;
    *ppProperty = nullptr;
    return guarded([&]() -> HRESULT {
      if (cIndex.vt == VT_BSTR) {
        const std::string name = utf8(cIndex.bstrVal);
        for (size_t i = 0; i < e_->attributes.size(); ++i) {
          if (e_->attributes[i].name == name) return make_property(model_, e_, i, ppProperty);
        }
        return kInvalidIndex;
      }
      int64_t i = 0;
      if (!variant_index(cIndex, &i)) return E_INVALIDARG;
      if (i < 0 || static_cast<size_t>(i) >= e_->attributes.size()) return kInvalidIndex;
      return make_property(model_, e_, static_cast<size_t>(i), ppProperty);
    });
  }

 private:
  std::shared_ptr<const Model> model_;
  std::shared_ptr<const ResolvedElement> e_;
};

// The child elements (IAppHostChildElementCollection) or the items (IAppHostElementCollection)
// of an element: the same list logic.
HRESULT item_of(const std::shared_ptr<const Model>& model,
                const std::vector<std::shared_ptr<ResolvedElement>>& list, const VARIANT& index,
                bool by_name, IAppHostElement** out) {
  *out = nullptr;
  if (by_name && index.vt == VT_BSTR) {
    const std::string name = utf8(index.bstrVal);
    for (const auto& c : list) {
      if (c->name == name) return make_element(model, c, out);
    }
    return kInvalidIndex;
  }
  int64_t i = 0;
  if (!variant_index(index, &i)) return E_INVALIDARG;
  if (i < 0 || static_cast<size_t>(i) >= list.size()) return kInvalidIndex;
  return make_element(model, list[static_cast<size_t>(i)], out);
}

class ChildElementCollectionImpl final
    : public ComBase<ChildElementCollectionImpl, IAppHostChildElementCollection> {
 public:
  ChildElementCollectionImpl(std::shared_ptr<const Model> model,
                             std::shared_ptr<const ResolvedElement> e)
      : model_(std::move(model)), e_(std::move(e)) {}
  bool implements(REFIID riid) const { return implements_base(riid); }
  HRESULT STDMETHODCALLTYPE get_Count(DWORD* pcCount) override {
    if (pcCount == nullptr) return E_POINTER;
    *pcCount = static_cast<DWORD>(e_->children.size());
    return S_OK;
  }
  HRESULT STDMETHODCALLTYPE get_Item(VARIANT cIndex, IAppHostElement** ppElement) override {
    if (ppElement == nullptr) return E_POINTER;
    return guarded([&] { return item_of(model_, e_->children, cIndex, true, ppElement); });
  }

 private:
  std::shared_ptr<const Model> model_;
  std::shared_ptr<const ResolvedElement> e_;
};

class ElementCollectionImpl final
    : public ComBase<ElementCollectionImpl, IAppHostElementCollection> {
 public:
  ElementCollectionImpl(std::shared_ptr<const Model> model,
                        std::shared_ptr<const ResolvedElement> e)
      : model_(std::move(model)), e_(std::move(e)) {}
  bool implements(REFIID riid) const { return implements_base(riid); }
  HRESULT STDMETHODCALLTYPE get_Count(DWORD* pcElementCount) override {
    if (pcElementCount == nullptr) return E_POINTER;
    *pcElementCount = static_cast<DWORD>(e_->items.size());
    return S_OK;
  }
  HRESULT STDMETHODCALLTYPE get_Item(VARIANT cIndex, IAppHostElement** ppElement) override {
    if (ppElement == nullptr) return E_POINTER;
    return guarded([&] { return item_of(model_, e_->items, cIndex, false, ppElement); });
  }
  HRESULT STDMETHODCALLTYPE AddElement(IAppHostElement*, INT) override { return E_ACCESSDENIED; }
  HRESULT STDMETHODCALLTYPE DeleteElement(VARIANT) override { return E_ACCESSDENIED; }
  HRESULT STDMETHODCALLTYPE Clear() override { return E_ACCESSDENIED; }
  HRESULT STDMETHODCALLTYPE CreateNewElement(const OLECHAR*, IAppHostElement** ppElement) override {
    if (ppElement != nullptr) *ppElement = nullptr;
    return E_ACCESSDENIED;
  }
  HRESULT STDMETHODCALLTYPE get_Schema(IAppHostCollectionSchema** ppSchema) override {
    if (ppSchema != nullptr) *ppSchema = nullptr;
    return E_NOTIMPL;
  }

 private:
  std::shared_ptr<const Model> model_;
  std::shared_ptr<const ResolvedElement> e_;
};

class ElementImpl final : public ComBase<ElementImpl, IAppHostElement> {
 public:
  ElementImpl(std::shared_ptr<const Model> model, std::shared_ptr<const ResolvedElement> e)
      : model_(std::move(model)), e_(std::move(e)) {}
  bool implements(REFIID riid) const { return implements_base(riid); }

  HRESULT STDMETHODCALLTYPE get_Name(BSTR* pbstrName) override {
    if (pbstrName == nullptr) return E_POINTER;
    return guarded([&] { return put_bstr(e_->name, pbstrName); });
  }
  HRESULT STDMETHODCALLTYPE get_Collection(IAppHostElementCollection** ppCollection) override {
    if (ppCollection == nullptr) return E_POINTER;
    *ppCollection = nullptr;
    if (!e_->is_collection) return S_OK;  // IISA: success and no collection
    return hand_out<IAppHostElementCollection>(new (std::nothrow) ElementCollectionImpl(model_, e_),
                                               ppCollection);
  }
  HRESULT STDMETHODCALLTYPE get_Properties(IAppHostPropertyCollection** ppProperties) override {
    if (ppProperties == nullptr) return E_POINTER;
    return hand_out<IAppHostPropertyCollection>(
        new (std::nothrow) PropertyCollectionImpl(model_, e_), ppProperties);
  }
  HRESULT STDMETHODCALLTYPE
  get_ChildElements(IAppHostChildElementCollection** ppElements) override {
    if (ppElements == nullptr) return E_POINTER;
    // Always a collection (possibly empty): callers go on to get_Count without a NULL check.
    return hand_out<IAppHostChildElementCollection>(
        new (std::nothrow) ChildElementCollectionImpl(model_, e_), ppElements);
  }
  HRESULT STDMETHODCALLTYPE GetMetadata(const OLECHAR* bstrMetadataType, VARIANT* pValue) override {
    if (pValue == nullptr) return E_POINTER;
    VariantInit(pValue);
    if (bstrMetadataType == nullptr) return E_INVALIDARG;
    return kNotSupported;
  }
  HRESULT STDMETHODCALLTYPE SetMetadata(const OLECHAR*, VARIANT) override { return kNotSupported; }
  HRESULT STDMETHODCALLTYPE get_Schema(IAppHostElementSchema** ppSchema) override {
    if (ppSchema != nullptr) *ppSchema = nullptr;
    return E_NOTIMPL;
  }
  HRESULT STDMETHODCALLTYPE GetElementByName(const OLECHAR* bstrSubName,
                                             IAppHostElement** ppElement) override {
    if (ppElement == nullptr) return E_POINTER;
    *ppElement = nullptr;
    if (bstrSubName == nullptr) return E_INVALIDARG;
    return guarded([&]() -> HRESULT {
      const std::string name = utf8(bstrSubName);
      for (const auto& c : e_->children) {
        if (c->name == name) return make_element(model_, c, ppElement);
      }
      return kInvalidIndex;
    });
  }
  HRESULT STDMETHODCALLTYPE GetPropertyByName(const OLECHAR* bstrSubName,
                                              IAppHostProperty** ppProperty) override {
    if (ppProperty == nullptr) return E_POINTER;
    *ppProperty = nullptr;
    if (bstrSubName == nullptr) return E_INVALIDARG;
    return guarded([&]() -> HRESULT {
      const std::string name = utf8(bstrSubName);
      for (size_t i = 0; i < e_->attributes.size(); ++i) {
        if (e_->attributes[i].name == name) return make_property(model_, e_, i, ppProperty);
      }
      return kInvalidIndex;
    });
  }
  HRESULT STDMETHODCALLTYPE Clear() override { return E_ACCESSDENIED; }
  HRESULT STDMETHODCALLTYPE get_Methods(IAppHostMethodCollection** ppMethods) override {
    if (ppMethods != nullptr) *ppMethods = nullptr;
    return E_NOTIMPL;
  }

 private:
  std::shared_ptr<const Model> model_;
  std::shared_ptr<const ResolvedElement> e_;
};

HRESULT make_element(const std::shared_ptr<const Model>& model,
                     std::shared_ptr<const ResolvedElement> e, IAppHostElement** out) {
  return hand_out<IAppHostElement>(new (std::nothrow) ElementImpl(model, std::move(e)), out);
}

// Logs each distinct configuration error once (a module may read its section per request).
void log_once(const std::string& message) {
  static std::mutex mu;
  static std::set<std::string>* seen = new std::set<std::string>;  // immortal
  std::lock_guard<std::mutex> lock(mu);
  if (seen->size() < 1000 && !seen->insert(message).second) return;
  HS_LOG_ERROR("configuration: %s", message.c_str());
}

std::mutex g_model_mu;
std::shared_ptr<const Model> g_model;  // guarded by g_model_mu

std::shared_ptr<const Model> empty_model() {
  static const std::shared_ptr<const Model>* model = [] {
    std::vector<config::Diagnostic> diags;
    return new std::shared_ptr<const Model>(make_model(nullptr, {}, &diags));
  }();
  return *model;
}

class ConfigManagerImpl final : public ComBase<ConfigManagerImpl, IAppHostConfigManager> {
 public:
  explicit ConfigManagerImpl(std::shared_ptr<const Model> model) : model_(std::move(model)) {}
  bool implements(REFIID riid) const { return implements_base(riid); }
  HRESULT STDMETHODCALLTYPE GetConfigFile(const OLECHAR*,
                                          IAppHostConfigFile** ppConfigFile) override {
    if (ppConfigFile != nullptr) *ppConfigFile = nullptr;
    return E_NOTIMPL;
  }
  HRESULT STDMETHODCALLTYPE GetUniqueConfigPath(const OLECHAR* bstrConfigPath,
                                                BSTR* pbstrUniquePath) override {
    if (pbstrUniquePath == nullptr) return E_POINTER;
    *pbstrUniquePath = nullptr;
    return guarded([&]() -> HRESULT {
      config::ConfigPath path;
      if (!config::parse_config_path(utf8(bstrConfigPath), &path)) {
        return HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND);
      }
      return put_bstr(config::unique_config_path(*model_->config, path).to_string(),
                      pbstrUniquePath);
    });
  }

 private:
  std::shared_ptr<const Model> model_;
};

class AdminManagerImpl final : public ComBase<AdminManagerImpl, IAppHostWritableAdminManager> {
 public:
  // A null model: read the process model at each call (the process-wide manager).
  AdminManagerImpl(std::shared_ptr<const Model> model, bool writable)
      : model_(std::move(model)), writable_(writable) {}
  bool implements(REFIID riid) const {
    return riid == iid_of<IUnknown>() || riid == iid_of<IAppHostAdminManager>() ||
           (writable_ && riid == iid_of<IAppHostWritableAdminManager>());
  }
  // The process-wide manager only counts nothing: modules keep it without a reference and
  // some Release it anyway (spec-2 §2.1), so no Release may free it.
  ULONG STDMETHODCALLTYPE AddRef() override { return model_ == nullptr ? 2 : ComBase::AddRef(); }
  ULONG STDMETHODCALLTYPE Release() override { return model_ == nullptr ? 1 : ComBase::Release(); }

  HRESULT STDMETHODCALLTYPE GetAdminSection(const OLECHAR* bstrSectionName, const OLECHAR* bstrPath,
                                            IAppHostElement** ppAdminSection) override {
    if (ppAdminSection == nullptr) return E_POINTER;
    *ppAdminSection = nullptr;
    if (bstrSectionName == nullptr || *bstrSectionName == L'\0') return E_INVALIDARG;
    return guarded([&]() -> HRESULT {
      std::shared_ptr<const Model> m = model();
      const std::string name = utf8(bstrSectionName);
      config::ConfigPath path;
      if (!config::parse_config_path(utf8(bstrPath), &path)) {
        log_once("GetAdminSection(" + name + "): '" + utf8(bstrPath) +
                 "' is not a configuration path (MACHINE/WEBROOT/APPHOST[/site[/path]])");
        return HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND);
      }
      config::SectionResult r = config::resolve_section(*m->config, m->schemas, name, path);
      switch (r.error) {
        case config::SectionError::kNone:
          return make_element(m, std::move(r.element), ppAdminSection);
        case config::SectionError::kUnknownSection:
          return HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND);
        case config::SectionError::kInvalidValue:
          log_once("section " + name + ": " + r.message);
          return kInvalidData;
      }
      return E_FAIL;
    });
  }
  HRESULT STDMETHODCALLTYPE GetMetadata(const OLECHAR* bstrMetadataType, VARIANT* pValue) override {
    if (pValue == nullptr) return E_POINTER;
    VariantInit(pValue);
    if (bstrMetadataType == nullptr) return E_INVALIDARG;
    if (std::wstring_view(bstrMetadataType) == L"expandEnvironmentStrings") {
      pValue->vt = VT_BOOL;
      pValue->boolVal = VARIANT_TRUE;
      return S_OK;
    }
    return kNotSupported;
  }
  HRESULT STDMETHODCALLTYPE SetMetadata(const OLECHAR*, VARIANT) override { return kNotSupported; }
  HRESULT STDMETHODCALLTYPE get_ConfigManager(IAppHostConfigManager** ppConfigManager) override {
    if (ppConfigManager == nullptr) return E_POINTER;
    return hand_out<IAppHostConfigManager>(new (std::nothrow) ConfigManagerImpl(model()),
                                           ppConfigManager);
  }
  HRESULT STDMETHODCALLTYPE CommitChanges() override { return E_ACCESSDENIED; }
  HRESULT STDMETHODCALLTYPE get_CommitPath(BSTR* pbstrCommitPath) override {
    if (pbstrCommitPath == nullptr) return E_POINTER;
    std::lock_guard<std::mutex> lock(mu_);
    return guarded([&] { return put_bstr(commit_path_, pbstrCommitPath); });
  }
  HRESULT STDMETHODCALLTYPE put_CommitPath(const OLECHAR* bstrCommitPath) override {
    return guarded([&]() -> HRESULT {
      config::ConfigPath path;
      if (!config::parse_config_path(utf8(bstrCommitPath), &path)) return E_INVALIDARG;
      std::lock_guard<std::mutex> lock(mu_);
      commit_path_ = path.to_string();
      return S_OK;
    });
  }

 private:
  std::shared_ptr<const Model> model() const {
    if (model_ != nullptr) return model_;
    std::shared_ptr<const Model> m = process_model();
    return m != nullptr ? m : empty_model();
  }
  std::shared_ptr<const Model> model_;
  bool writable_;
  std::mutex mu_;
  std::string commit_path_ = "MACHINE/WEBROOT/APPHOST";
};

}  // namespace

std::shared_ptr<const Model> make_model(std::shared_ptr<const config::Config> config,
                                        const std::vector<std::string>& schema_dirs,
                                        std::vector<config::Diagnostic>* diags) {
  auto m = std::make_shared<Model>();
  m->config = config != nullptr ? std::move(config) : std::make_shared<const config::Config>();
  config::add_builtin_schema(&m->schemas);
  for (const std::string& dir : schema_dirs)
    config::load_schema_dir(dir, &m->schemas, diags);
  return m;
}

IAppHostWritableAdminManager* create_admin_manager(std::shared_ptr<const Model> model,
                                                   bool writable) {
  if (model == nullptr) model = empty_model();
  return new (std::nothrow) AdminManagerImpl(std::move(model), writable);
}

void set_process_model(std::shared_ptr<const Model> model) {
  std::lock_guard<std::mutex> lock(g_model_mu);
  g_model = std::move(model);
}

std::shared_ptr<const Model> process_model() {
  std::lock_guard<std::mutex> lock(g_model_mu);
  return g_model;
}

IAppHostAdminManager* process_admin_manager() {
  // Immortal: modules keep the pointer without a reference (spec-2 §2.1); the reference held
  // here is never dropped, so Release by a module can never free it.
  static AdminManagerImpl* const manager = new AdminManagerImpl(nullptr, false);
  return manager;
}

HRESULT co_create_instance(const GUID& clsid, const GUID& iid, void** ppv) noexcept {
  if (ppv == nullptr) return E_POINTER;
  *ppv = nullptr;
  const bool writable = clsid == iid_of<AppHostWritableAdminManager>();
  if (!writable && clsid != iid_of<AppHostAdminManager>()) return REGDB_E_CLASSNOTREG;
  return guarded([&]() -> HRESULT {
    std::shared_ptr<const Model> m = process_model();
    if (m == nullptr) m = empty_model();  // a counted object even before the model is set
    AdminManagerImpl* manager = new (std::nothrow) AdminManagerImpl(m, writable);
    if (manager == nullptr) return E_OUTOFMEMORY;
    HRESULT hr = manager->QueryInterface(iid, ppv);
    manager->Release();
    return hr;
  });
}

}  // namespace hs::admin
