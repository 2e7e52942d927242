// <comip.h> for httpserv modules on Linux: _com_ptr_t, the smart interface pointer of MSVC's
// compiler COM support, and _com_IIID. Usually reached through <comdef.h>'s
// _COM_SMARTPTR_TYPEDEF(IFoo, __uuidof(IFoo)), which defines IFooPtr.
//
// Behaviour as documented by Microsoft: copies AddRef, destruction and reassignment Release,
// operator& releases the held pointer and gives the address of the raw slot (for an [out]
// argument), operator-> on a NULL pointer throws _com_error(E_POINTER).

#ifndef HTTPSERV_COMPAT_COMIP_H_
#define HTTPSERV_COMPAT_COMIP_H_

#include <cstddef>

#include "comutil.h"
#include "httpserv_com.h"

// Binds an interface type to its interface id.
template <class I, const IID* piid>
class _com_IIID {
 public:
  typedef I Interface;
  static const IID& GetIID() { return *piid; }
};

template <class IIID>
class _com_ptr_t {
 public:
  typedef typename IIID::Interface Interface;

  _com_ptr_t() noexcept : p_(nullptr) {}
  _com_ptr_t(std::nullptr_t) noexcept : p_(nullptr) {}
  _com_ptr_t(int null) : p_(nullptr) {
    if (null != 0) _com_issue_error(E_POINTER);
  }
  _com_ptr_t(Interface* p) noexcept : p_(p) { add_ref(); }
  _com_ptr_t(Interface* p, bool fAddRef) noexcept : p_(p) {
    if (fAddRef) add_ref();
  }
  _com_ptr_t(const _com_ptr_t& o) noexcept : p_(o.p_) { add_ref(); }
  _com_ptr_t(_com_ptr_t&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  // Creates an instance of clsid (CreateInstance); throws _com_error on failure.
  explicit _com_ptr_t(const CLSID& clsid, IUnknown* pOuter = nullptr,
                      DWORD dwClsContext = CLSCTX_ALL)
      : p_(nullptr) {
    HRESULT hr = CreateInstance(clsid, pOuter, dwClsContext);
    if (FAILED(hr)) _com_issue_error(hr);
  }
  ~_com_ptr_t() { release(); }

  _com_ptr_t& operator=(Interface* p) noexcept {
    if (p_ != p) {
      Interface* old = p_;
      p_ = p;
      add_ref();
      if (old != nullptr) old->Release();
    }
    return *this;
  }
  _com_ptr_t& operator=(const _com_ptr_t& o) noexcept { return *this = o.p_; }
  _com_ptr_t& operator=(_com_ptr_t&& o) noexcept {
    if (this != &o) {
      release();
      p_ = o.p_;
      o.p_ = nullptr;
    }
    return *this;
  }
  _com_ptr_t& operator=(std::nullptr_t) noexcept {
    release();
    return *this;
  }

  void Attach(Interface* p) noexcept {
    release();
    p_ = p;
  }
  void Attach(Interface* p, bool fAddRef) noexcept {
    release();
    p_ = p;
    if (fAddRef) add_ref();
  }
  Interface* Detach() noexcept {
    Interface* p = p_;
    p_ = nullptr;
    return p;
  }
  void Release() {
    if (p_ == nullptr) _com_issue_error(E_POINTER);
    p_->Release();
    p_ = nullptr;
  }
  void AddRef() {
    if (p_ == nullptr) _com_issue_error(E_POINTER);
    p_->AddRef();
  }
  Interface* GetInterfacePtr() const noexcept { return p_; }
  Interface*& GetInterfacePtr() noexcept { return p_; }
  static const IID& GetIID() { return IIID::GetIID(); }

  HRESULT CreateInstance(const CLSID& rclsid, IUnknown* pOuter = nullptr,
                         DWORD dwClsContext = CLSCTX_ALL) noexcept {
    release();
    return CoCreateInstance(rclsid, pOuter, dwClsContext, GetIID(), reinterpret_cast<void**>(&p_));
  }
  template <class Q>
  HRESULT QueryInterface(const IID& iid, Q*& p) noexcept {
    if (p_ == nullptr) return E_POINTER;
    return p_->QueryInterface(iid, reinterpret_cast<void**>(&p));
  }
  template <class Q>
  HRESULT QueryInterface(const IID& iid, Q** p) noexcept {
    return QueryInterface(iid, *p);
  }

  operator Interface*() const noexcept { return p_; }
  Interface& operator*() const {
    if (p_ == nullptr) _com_issue_error(E_POINTER);
    return *p_;
  }
  Interface** operator&() noexcept {
    release();
    return &p_;
  }
  Interface* operator->() const {
    if (p_ == nullptr) _com_issue_error(E_POINTER);
    return p_;
  }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  bool operator!() const noexcept { return p_ == nullptr; }
  bool operator==(const Interface* p) const noexcept { return p_ == p; }
  bool operator!=(const Interface* p) const noexcept { return p_ != p; }
  bool operator==(const _com_ptr_t& o) const noexcept { return p_ == o.p_; }
  bool operator!=(const _com_ptr_t& o) const noexcept { return p_ != o.p_; }
  bool operator==(std::nullptr_t) const noexcept { return p_ == nullptr; }
  bool operator!=(std::nullptr_t) const noexcept { return p_ != nullptr; }

 private:
  void add_ref() noexcept {
    if (p_ != nullptr) p_->AddRef();
  }
  void release() noexcept {
    if (p_ != nullptr) {
      Interface* p = p_;
      p_ = nullptr;
      p->Release();
    }
  }
  Interface* p_;
};

#define _COM_SMARTPTR _com_ptr_t
#define _COM_SMARTPTR_LEVEL2 _com_IIID
#define _COM_SMARTPTR_TYPEDEF(Interface, IID) \
  typedef _com_ptr_t<_com_IIID<Interface, &(IID)>> Interface##Ptr

#endif  // HTTPSERV_COMPAT_COMIP_H_
