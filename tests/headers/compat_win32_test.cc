// Run-time behaviour of the Win32 layer added for real modules (docs/iis-headers.md): COM
// (BSTR, VARIANT, VariantChangeType, _bstr_t, _variant_t, _com_ptr_t, CoCreateInstance outside
// the server), ahadmin.h's vtable order and ids, kernel objects and waits, critical sections,
// SRW locks, SLists, files on descriptors, time and FILETIME, modules via dladdr, FormatMessage,
// VirtualAlloc, strsafe, tchar, the CRT extras and the WSA event API.

#include <Windows.h>
#include <comdef.h>
#include <direct.h>
#include <gtest/gtest.h>
#include <httpserv.h>
#include <initguid.h>
#include <io.h>
#include <process.h>
#include <shlwapi.h>
#include <strsafe.h>
#include <sys/socket.h>
#include <tchar.h>
#include <ws2tcpip.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

// The vtable slot of a virtual member function (Itanium ABI: a pointer to a virtual member
// function holds 1 + the byte offset of its slot).
template <class F>
size_t slot(F f) {
  static_assert(sizeof(F) == 2 * sizeof(void*));
  uintptr_t words[2];
  std::memcpy(words, &f, sizeof(words));
  EXPECT_EQ(words[0] & 1u, 1u) << "not a virtual function";
  return (words[0] - 1) / sizeof(void*);
}

// ---------------------------------------------------------------------------------------------
// ahadmin.h: vtable order (IISA opnums) and ids.
// ---------------------------------------------------------------------------------------------

TEST(Ahadmin, VtableOrderMatchesTheSdk) {
  EXPECT_EQ(slot(static_cast<HRESULT (IUnknown::*)(REFIID, void**)>(&IUnknown::QueryInterface)),
            0u);
  EXPECT_EQ(slot(&IUnknown::Release), 2u);
  EXPECT_EQ(slot(&IAppHostAdminManager::GetAdminSection), 3u);
  EXPECT_EQ(slot(&IAppHostAdminManager::get_ConfigManager), 6u);
  EXPECT_EQ(slot(&IAppHostWritableAdminManager::CommitChanges), 7u);
  EXPECT_EQ(slot(&IAppHostWritableAdminManager::put_CommitPath), 9u);
  EXPECT_EQ(slot(&IAppHostElement::get_Name), 3u);
  EXPECT_EQ(slot(&IAppHostElement::get_Collection), 4u);
  EXPECT_EQ(slot(&IAppHostElement::get_Properties), 5u);
  EXPECT_EQ(slot(&IAppHostElement::get_ChildElements), 6u);
  EXPECT_EQ(slot(&IAppHostElement::get_Schema), 9u);
  EXPECT_EQ(slot(&IAppHostElement::GetElementByName), 10u);
  EXPECT_EQ(slot(&IAppHostElement::GetPropertyByName), 11u);
  EXPECT_EQ(slot(&IAppHostElement::get_Methods), 13u);
  EXPECT_EQ(slot(&IAppHostProperty::get_Value), 4u);
  EXPECT_EQ(slot(&IAppHostProperty::get_StringValue), 7u);
  EXPECT_EQ(slot(&IAppHostProperty::get_Schema), 11u);
  EXPECT_EQ(slot(&IAppHostElementCollection::get_Item), 4u);
  EXPECT_EQ(slot(&IAppHostElementCollection::CreateNewElement), 8u);
  EXPECT_EQ(slot(&IAppHostElementCollection::get_Schema), 9u);
  EXPECT_EQ(slot(&IAppHostPropertyCollection::get_Item), 4u);
  EXPECT_EQ(slot(&IAppHostChildElementCollection::get_Item), 4u);
  EXPECT_EQ(slot(&IAppHostConfigException::get_ErrorString), 9u);
  EXPECT_EQ(slot(&IAppHostPropertyException::get_ValidationFailureParameters), 12u);
  EXPECT_EQ(slot(&IAppHostConfigManager::GetUniqueConfigPath), 4u);
  EXPECT_EQ(slot(&IAppHostConfigFile::get_RootSectionGroup), 10u);
  EXPECT_EQ(slot(&IAppHostConfigLocationCollection::RenameLocation), 7u);
  EXPECT_EQ(slot(&IAppHostPropertySchema::get_TimeSpanFormat), 17u);
  EXPECT_EQ(slot(&IAppHostSectionGroup::put_Type), 10u);
}

TEST(Ahadmin, IdsAndUuidof) {
  EXPECT_EQ(__uuidof(IAppHostAdminManager),
            httpserv::detail::guid_from_string("9be77978-73ed-4a9a-87fd-13f09fec1b13"));
  EXPECT_EQ(__uuidof(AppHostAdminManager),
            httpserv::detail::guid_from_string("228fb8f7-fb53-4fd5-8c7b-ff59de606c5b"));
  EXPECT_EQ(CLSID_AppHostWritableAdminManager,
            httpserv::detail::guid_from_string("2b72133b-3f5b-4602-8952-803546ce3344"));
  EXPECT_EQ(IID_IAppHostElement,
            httpserv::detail::guid_from_string("64ff8ccc-b287-4dae-b08a-a72cbf45f453"));
  IAppHostProperty* p = nullptr;
  IAppHostProperty** pp = &p;
  EXPECT_EQ(__uuidof(*p), IID_IAppHostProperty);  // by expression, as IID_PPV_ARGS does
  EXPECT_EQ(__uuidof(**pp), IID_IAppHostProperty);
  EXPECT_EQ(__uuidof(IUnknown),
            httpserv::detail::guid_from_string("00000000-0000-0000-c000-000000000046"));
}

// Outside the server there is no HttpservCoCreateInstance: the class is not registered.
TEST(Com, CoCreateInstanceOutsideTheServer) {
  EXPECT_EQ(CoInitializeEx(nullptr, COINIT_MULTITHREADED), S_OK);
  EXPECT_EQ(CoInitializeEx(nullptr, COINIT_MULTITHREADED), S_FALSE);
  EXPECT_EQ(CoInitializeEx(nullptr, COINIT_APARTMENTTHREADED), RPC_E_CHANGED_MODE);
  IAppHostAdminManager* m = reinterpret_cast<IAppHostAdminManager*>(0x1);
  EXPECT_EQ(CoCreateInstance(__uuidof(AppHostAdminManager), nullptr, CLSCTX_INPROC_SERVER,
                             __uuidof(IAppHostAdminManager), reinterpret_cast<void**>(&m)),
            REGDB_E_CLASSNOTREG);
  EXPECT_EQ(m, nullptr);
  EXPECT_EQ(CoCreateInstance(CLSID_AppHostAdminManager, nullptr, CLSCTX_ALL,
                             IID_IAppHostAdminManager, nullptr),
            E_POINTER);
  CoUninitialize();
  CoUninitialize();
  EXPECT_EQ(CoInitializeEx(nullptr, COINIT_APARTMENTTHREADED), S_OK);  // count back to 0
  CoUninitialize();
}

TEST(Com, GuidHelpers) {
  GUID a, b;
  ASSERT_EQ(CoCreateGuid(&a), S_OK);
  ASSERT_EQ(CoCreateGuid(&b), S_OK);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.Data3 >> 12, 4);  // version 4
  OLECHAR text[39];
  ASSERT_EQ(StringFromGUID2(IID_IAppHostElement, text, 39), 39);
  EXPECT_STREQ(text, L"{64FF8CCC-B287-4DAE-B08A-A72CBF45F453}");
  GUID back;
  ASSERT_EQ(IIDFromString(text, &back), S_OK);
  EXPECT_EQ(back, IID_IAppHostElement);
  EXPECT_EQ(IIDFromString(L"64FF8CCC-B287-4DAE-B08A-A72CBF45F453", &back), CO_E_CLASSSTRING);
}

// ---------------------------------------------------------------------------------------------
// BSTR and VARIANT.
// ---------------------------------------------------------------------------------------------

TEST(Com, BstrLayoutAndFunctions) {
  BSTR b = SysAllocString(L"héllo");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(SysStringLen(b), 5u);
  EXPECT_EQ(SysStringByteLen(b), 5u * sizeof(OLECHAR));  // a 4-byte wchar_t
  uint32_t prefix;
  std::memcpy(&prefix, reinterpret_cast<char*>(b) - 4, 4);
  EXPECT_EQ(prefix, 20u);
  EXPECT_EQ(b[5], L'\0');
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % 8, 0u);
  EXPECT_EQ(SysStringLen(nullptr), 0u);
  SysFreeString(nullptr);
  ASSERT_TRUE(SysReAllocString(&b, L"xyz"));
  EXPECT_STREQ(b, L"xyz");
  SysFreeString(b);

  // The HSTS pattern: a length beyond the source, then wcscat onto the result.
  BSTR base = SysAllocString(L"MACHINE/");
  BSTR path = SysAllocStringLen(base, SysStringLen(base) + 4 + 1);
  EXPECT_EQ(SysStringLen(path), 13u);
  wcscat(path, L"Site");
  EXPECT_STREQ(path, L"MACHINE/Site");
  SysFreeString(path);
  SysFreeString(base);

  BSTR bytes = SysAllocStringByteLen("abcd", 4);
  EXPECT_EQ(SysStringByteLen(bytes), 4u);
  EXPECT_EQ(SysStringLen(bytes), 1u);
  SysFreeString(bytes);
}

TEST(Com, VariantLayout) {
  static_assert(sizeof(VARIANT) == 24);
  static_assert(offsetof(VARIANT, vt) == 0);
  static_assert(offsetof(VARIANT, llVal) == 8);
  static_assert(offsetof(VARIANT, bstrVal) == 8);
  static_assert(VARIANT_TRUE == -1);
  VARIANT v;
  v.vt = VT_BSTR;
  v.bstrVal = L"name";  // MSVC accepts a literal for a BSTR member; so do these headers
  EXPECT_STREQ(V_BSTR(&v), L"name");
  EXPECT_EQ(std::wcslen(v.bstrVal), 4u);
}

TEST(Com, VariantChangeType) {
  VARIANT v;
  VariantInit(&v);
  v.vt = VT_BSTR;
  v.bstrVal.value = SysAllocString(L" 4000000000 ");
  ASSERT_EQ(VariantChangeType(&v, &v, 0, VT_UI4), S_OK);  // in place, as ANCM does
  EXPECT_EQ(v.vt, VT_UI4);
  EXPECT_EQ(v.ulVal, 4000000000u);
  VARIANT out;
  VariantInit(&out);
  EXPECT_EQ(VariantChangeType(&out, &v, 0, VT_I4), DISP_E_OVERFLOW);
  EXPECT_EQ(out.vt, VT_EMPTY);  // unchanged on failure
  ASSERT_EQ(VariantChangeType(&out, &v, 0, VT_BSTR), S_OK);
  EXPECT_STREQ(out.bstrVal, L"4000000000");
  VariantClear(&out);

  v.vt = VT_I2;
  v.iVal = -1;
  EXPECT_EQ(VariantChangeType(&out, &v, 0, VT_UI4), DISP_E_OVERFLOW);
  ASSERT_EQ(VariantChangeType(&out, &v, 0, VT_BOOL), S_OK);
  EXPECT_EQ(out.boolVal, VARIANT_TRUE);
  VariantClear(&out);

  v.vt = VT_BSTR;
  v.bstrVal.value = SysAllocString(L"TRUE");
  ASSERT_EQ(VariantChangeType(&out, &v, 0, VT_BOOL), S_OK);
  EXPECT_EQ(out.boolVal, VARIANT_TRUE);
  EXPECT_EQ(VariantChangeType(&out, &v, 0, VT_I8), DISP_E_TYPEMISMATCH);
  EXPECT_EQ(VariantChangeType(&out, &v, 0, VT_DISPATCH), DISP_E_TYPEMISMATCH);
  EXPECT_EQ(VariantChangeType(&out, &v, 0, 0x7ff), DISP_E_BADVARTYPE);
  VariantClear(&v);
  EXPECT_EQ(v.vt, VT_EMPTY);
  EXPECT_EQ(VariantClear(nullptr), E_INVALIDARG);
}

TEST(Com, BstrT) {
  _bstr_t a(L"wide");
  _bstr_t b("naïve");  // UTF-8 in, wide inside
  EXPECT_EQ(b.length(), 5u);
  EXPECT_STREQ(static_cast<const wchar_t*>(b), L"na\u00efve");
  EXPECT_STREQ(static_cast<const char*>(b), "naïve");
  _bstr_t c = a + L"-" + b;
  EXPECT_STREQ(static_cast<const wchar_t*>(c), L"wide-na\u00efve");
  _bstr_t copy = c;
  EXPECT_TRUE(copy == c);
  std::string s = (std::string)a;  // StripHeaders converts this way
  EXPECT_EQ(s, "wide");
  BSTR owned = c.copy();
  EXPECT_EQ(SysStringLen(owned), 10u);
  SysFreeString(owned);
  _bstr_t out;
  BSTR& slot_ref = out.GetBSTR();  // an [out] BSTR, as iislua passes it
  slot_ref = SysAllocString(L"filled");
  EXPECT_STREQ(static_cast<const wchar_t*>(out), L"filled");
  EXPECT_TRUE(!_bstr_t());
}

TEST(Com, VariantT) {
  _variant_t v(L"123");
  EXPECT_EQ(static_cast<int>(v), 123);
  EXPECT_TRUE(static_cast<bool>(_variant_t(true)));
  _variant_t t;
  t.vt = VT_UI8;
  t.ullVal = 600000000;  // a timeSpan in ticks
  EXPECT_EQ(static_cast<int>(t), 600000000);
  _variant_t bad(L"abc");
  EXPECT_THROW(static_cast<void>(static_cast<int>(bad)), _com_error);
  try {
    static_cast<void>(static_cast<bool>(bad));
    FAIL();
  } catch (const _com_error& e) {
    EXPECT_EQ(e.Error(), DISP_E_TYPEMISMATCH);
  }
  _bstr_t s(_variant_t(42));
  EXPECT_STREQ(static_cast<const wchar_t*>(s), L"42");
}

// A minimal COM object to exercise _com_ptr_t's reference counting.
class Counted final : public IAppHostProperty {
 public:
  std::atomic<int> refs{1};
  HRESULT STDMETHODCALLTYPE QueryInterface(REFIID riid, void** ppv) override {
    if (riid != __uuidof(IUnknown) && riid != __uuidof(IAppHostProperty)) {
      *ppv = nullptr;
      return E_NOINTERFACE;
    }
    *ppv = this;
    AddRef();
    return S_OK;
  }
  ULONG STDMETHODCALLTYPE AddRef() override { return ++refs; }
  ULONG STDMETHODCALLTYPE Release() override { return --refs; }
  HRESULT STDMETHODCALLTYPE get_Name(BSTR* p) override {
    *p = SysAllocString(L"counted");
    return S_OK;
  }
  HRESULT STDMETHODCALLTYPE get_Value(VARIANT*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE put_Value(VARIANT) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE Clear() override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE get_StringValue(BSTR*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE get_Exception(IAppHostPropertyException**) override {
    return E_NOTIMPL;
  }
  HRESULT STDMETHODCALLTYPE GetMetadata(const OLECHAR*, VARIANT*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE SetMetadata(const OLECHAR*, VARIANT) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE get_Schema(IAppHostPropertySchema**) override { return E_NOTIMPL; }
};

_COM_SMARTPTR_TYPEDEF(IAppHostProperty, __uuidof(IAppHostProperty));

TEST(Com, ComPtr) {
  Counted object;
  {
    IAppHostPropertyPtr p(&object);  // AddRef
    EXPECT_EQ(object.refs, 2);
    IAppHostPropertyPtr q = p;
    EXPECT_EQ(object.refs, 3);
    IAppHostProperty** slot_ptr = &q;  // operator&: releases, gives the raw slot
    EXPECT_EQ(object.refs, 2);
    *slot_ptr = &object;  // an [out] parameter hands over a reference
    object.AddRef();
    _bstr_t name;
    p->get_Name(&name.GetBSTR());
    EXPECT_STREQ(static_cast<const wchar_t*>(name), L"counted");
    EXPECT_TRUE(p);
  }
  EXPECT_EQ(object.refs, 1);
  IAppHostPropertyPtr empty;
  EXPECT_THROW(empty->Clear(), _com_error);
  IUnknownPtr unknown(static_cast<IUnknown*>(&object));
  IAppHostProperty* viaQi = nullptr;
  EXPECT_EQ(unknown->QueryInterface(&viaQi), S_OK);
  EXPECT_EQ(viaQi, &object);
  viaQi->Release();
}

// ---------------------------------------------------------------------------------------------
// Kernel objects.
// ---------------------------------------------------------------------------------------------

TEST(Handles, EventsAutoAndManual) {
  HANDLE manual = CreateEvent(nullptr, TRUE, FALSE, nullptr);
  HANDLE autoev = CreateEventW(nullptr, FALSE, TRUE, nullptr);
  ASSERT_NE(manual, nullptr);
  EXPECT_EQ(WaitForSingleObject(manual, 0), WAIT_TIMEOUT);
  EXPECT_EQ(WaitForSingleObject(autoev, 0), WAIT_OBJECT_0);
  EXPECT_EQ(WaitForSingleObject(autoev, 0), WAIT_TIMEOUT);  // reset by the wait
  SetEvent(manual);
  EXPECT_EQ(WaitForSingleObject(manual, 0), WAIT_OBJECT_0);
  EXPECT_EQ(WaitForSingleObject(manual, 0), WAIT_OBJECT_0);  // stays set
  ResetEvent(manual);
  EXPECT_EQ(WaitForSingleObject(manual, 10), WAIT_TIMEOUT);
  EXPECT_TRUE(CloseHandle(manual));
  EXPECT_TRUE(CloseHandle(autoev));
  EXPECT_FALSE(CloseHandle(nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
  EXPECT_EQ(WaitForSingleObject(INVALID_HANDLE_VALUE, 0), WAIT_FAILED);
}

TEST(Handles, WaitForMultipleObjectsAnyAndAll) {
  HANDLE e[3] = {CreateEvent(nullptr, FALSE, FALSE, nullptr),
                 CreateEvent(nullptr, FALSE, FALSE, nullptr),
                 CreateSemaphore(nullptr, 0, 2, nullptr)};
  SetEvent(e[2 - 1]);
  EXPECT_EQ(WaitForMultipleObjects(3, e, FALSE, 0), WAIT_OBJECT_0 + 1);
  // Wait-all: nothing is taken until everything is signalled together.
  SetEvent(e[0]);
  EXPECT_EQ(WaitForMultipleObjects(3, e, TRUE, 20), WAIT_TIMEOUT);
  EXPECT_EQ(WaitForSingleObject(e[0], 0), WAIT_OBJECT_0);  // still set: not consumed
  SetEvent(e[0]);
  SetEvent(e[1]);
  ReleaseSemaphore(e[2], 1, nullptr);
  EXPECT_EQ(WaitForMultipleObjects(3, e, TRUE, 0), WAIT_OBJECT_0);
  EXPECT_EQ(WaitForMultipleObjects(3, e, FALSE, 0), WAIT_TIMEOUT);  // all consumed
  // A wake from another thread.
  std::thread t([&] {
    Sleep(20);
    ReleaseSemaphore(e[2], 1, nullptr);
  });
  EXPECT_EQ(WaitForMultipleObjects(3, e, FALSE, 5000), WAIT_OBJECT_0 + 2);
  t.join();
  EXPECT_EQ(WaitForMultipleObjects(0, e, FALSE, 0), WAIT_FAILED);
  EXPECT_EQ(WaitForMultipleObjects(65, e, FALSE, 0), WAIT_FAILED);
  for (HANDLE h : e)
    CloseHandle(h);
}

TEST(Handles, MutexAndSemaphore) {
  HANDLE m = CreateMutex(nullptr, TRUE, nullptr);
  EXPECT_EQ(WaitForSingleObject(m, 0), WAIT_OBJECT_0);  // recursive for its owner
  std::thread other([&] {
    EXPECT_EQ(WaitForSingleObject(m, 0), WAIT_TIMEOUT);
    EXPECT_FALSE(ReleaseMutex(m));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_OWNER));
  });
  other.join();
  EXPECT_TRUE(ReleaseMutex(m));
  EXPECT_TRUE(ReleaseMutex(m));
  EXPECT_FALSE(ReleaseMutex(m));
  CloseHandle(m);

  HANDLE s = CreateSemaphore(nullptr, 1, 2, nullptr);
  LONG previous = -1;
  EXPECT_TRUE(ReleaseSemaphore(s, 1, &previous));
  EXPECT_EQ(previous, 1);
  EXPECT_FALSE(ReleaseSemaphore(s, 1, nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_TOO_MANY_POSTS));
  CloseHandle(s);
  EXPECT_EQ(CreateSemaphore(nullptr, 3, 2, nullptr), nullptr);
}

TEST(Handles, ThreadsAndExitCodes) {
  HANDLE started = CreateEvent(nullptr, TRUE, FALSE, nullptr);
  DWORD tid = 0;
  HANDLE t = CreateThread(
      nullptr, 0,
      [](LPVOID p) -> DWORD {
        SetEvent(static_cast<HANDLE>(p));
        return 42;
      },
      started, CREATE_SUSPENDED, &tid);
  ASSERT_NE(t, nullptr);
  EXPECT_NE(tid, 0u);
  EXPECT_EQ(WaitForSingleObject(started, 50), WAIT_TIMEOUT);  // suspended
  DWORD code = 0;
  EXPECT_TRUE(GetExitCodeThread(t, &code));
  EXPECT_EQ(code, static_cast<DWORD>(STILL_ACTIVE));
  EXPECT_EQ(ResumeThread(t), 1u);
  EXPECT_EQ(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  EXPECT_TRUE(GetExitCodeThread(t, &code));
  EXPECT_EQ(code, 42u);
  CloseHandle(t);
  CloseHandle(started);

  HANDLE exiting = CreateThread(
      nullptr, 0, [](LPVOID) -> DWORD { ExitThread(7); }, nullptr, 0, nullptr);
  EXPECT_EQ(WaitForSingleObject(exiting, 5000), WAIT_OBJECT_0);
  EXPECT_TRUE(GetExitCodeThread(exiting, &code));
  EXPECT_EQ(code, 7u);
  CloseHandle(exiting);

  unsigned thread_id = 0;
  uintptr_t crt = _beginthreadex(
      nullptr, 0, [](void* p) -> unsigned { return *static_cast<unsigned*>(p) + 1; }, &thread_id, 0,
      &thread_id);
  ASSERT_NE(crt, 0u);
  EXPECT_EQ(WaitForSingleObject(reinterpret_cast<HANDLE>(crt), 5000), WAIT_OBJECT_0);
  CloseHandle(reinterpret_cast<HANDLE>(crt));
}

TEST(Sync, CriticalSectionAcrossThreads) {
  CRITICAL_SECTION cs;
  ASSERT_TRUE(InitializeCriticalSectionAndSpinCount(&cs, 4000));
  long counter = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 1000; ++j) {
        EnterCriticalSection(&cs);
        EnterCriticalSection(&cs);  // recursive
        ++counter;
        LeaveCriticalSection(&cs);
        LeaveCriticalSection(&cs);
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(counter, 4000);
  EXPECT_TRUE(TryEnterCriticalSection(&cs));
  EXPECT_EQ(cs.RecursionCount, 1);
  LeaveCriticalSection(&cs);
  DeleteCriticalSection(&cs);
}

TEST(Sync, SrwLockConditionVariableAndSList) {
  SRWLOCK lock = SRWLOCK_INIT;
  CONDITION_VARIABLE cv = CONDITION_VARIABLE_INIT;
  bool ready = false;
  std::thread t([&] {
    AcquireSRWLockExclusive(&lock);
    ready = true;
    ReleaseSRWLockExclusive(&lock);
    WakeAllConditionVariable(&cv);
  });
  AcquireSRWLockExclusive(&lock);
  while (!ready)
    ASSERT_TRUE(SleepConditionVariableSRW(&cv, &lock, 5000, 0));
  ReleaseSRWLockExclusive(&lock);
  t.join();
  EXPECT_TRUE(TryAcquireSRWLockShared(&lock));
  EXPECT_TRUE(TryAcquireSRWLockShared(&lock));
  EXPECT_FALSE(TryAcquireSRWLockExclusive(&lock));
  ReleaseSRWLockShared(&lock);
  ReleaseSRWLockShared(&lock);

  SLIST_HEADER head;
  InitializeSListHead(&head);
  struct Item {
    SLIST_ENTRY entry;
    int value;
  } items[3] = {{{}, 1}, {{}, 2}, {{}, 3}};
  for (Item& i : items)
    InterlockedPushEntrySList(&head, &i.entry);
  EXPECT_EQ(QueryDepthSList(&head), 3);
  EXPECT_EQ(reinterpret_cast<Item*>(InterlockedPopEntrySList(&head))->value, 3);
  PSLIST_ENTRY rest = InterlockedFlushSList(&head);
  EXPECT_EQ(reinterpret_cast<Item*>(rest)->value, 2);
  EXPECT_EQ(InterlockedPopEntrySList(&head), nullptr);

  void* aligned = _aligned_malloc(100, 64);
  ASSERT_NE(aligned, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(aligned) % 64, 0u);
  _aligned_free(aligned);
  EXPECT_EQ(_aligned_malloc(10, 3), nullptr);
}

// ---------------------------------------------------------------------------------------------
// Files, time, modules, messages, memory.
// ---------------------------------------------------------------------------------------------

TEST(Files, CreateReadWriteFind) {
  char dir_template[] = "/tmp/httpserv-compat-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string dir = dir_template;
  std::wstring wpath = httpserv::compat::utf8_to_wide(dir + "/data.bin");
  HANDLE h = CreateFileW(wpath.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                         FILE_ATTRIBUTE_NORMAL, nullptr);
  ASSERT_NE(h, INVALID_HANDLE_VALUE);
  EXPECT_GE(HttpservFdFromHandle(h), 3);  // a descriptor, never 0..2
  DWORD n = 0;
  EXPECT_TRUE(WriteFile(h, "hello world", 11, &n, nullptr));
  EXPECT_EQ(n, 11u);
  LARGE_INTEGER size;
  EXPECT_TRUE(GetFileSizeEx(h, &size));
  EXPECT_EQ(size.QuadPart, 11);
  EXPECT_EQ(GetFileType(h), static_cast<DWORD>(FILE_TYPE_DISK));
  OVERLAPPED ov{};
  ov.Offset = 6;
  ov.hEvent = CreateEvent(nullptr, TRUE, FALSE, nullptr);
  char buf[16] = {};
  EXPECT_TRUE(ReadFile(h, buf, 5, &n, &ov));
  EXPECT_STREQ(buf, "world");
  EXPECT_EQ(WaitForSingleObject(ov.hEvent, 0), WAIT_OBJECT_0);
  DWORD transferred = 0;
  EXPECT_TRUE(GetOverlappedResult(h, &ov, &transferred, TRUE));
  EXPECT_EQ(transferred, 5u);
  CloseHandle(ov.hEvent);
  EXPECT_TRUE(CloseHandle(h));

  EXPECT_EQ(
      CreateFileA((dir + "/data.bin").c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW, 0, nullptr),
      INVALID_HANDLE_VALUE);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_EXISTS));
  EXPECT_EQ(
      CreateFileA((dir + "/missing").c_str(), GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr),
      INVALID_HANDLE_VALUE);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
  EXPECT_EQ(GetFileAttributesA(dir.c_str()), static_cast<DWORD>(FILE_ATTRIBUTE_DIRECTORY));
  EXPECT_EQ(GetFileAttributesA((dir + "/data.bin").c_str()) & FILE_ATTRIBUTE_ARCHIVE,
            static_cast<DWORD>(FILE_ATTRIBUTE_ARCHIVE));
  EXPECT_EQ(GetFileAttributesA((dir + "/missing").c_str()), INVALID_FILE_ATTRIBUTES);

  EXPECT_TRUE(CreateDirectoryA((dir + "/sub").c_str(), nullptr));
  EXPECT_FALSE(CreateDirectoryA((dir + "/sub").c_str(), nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
  WIN32_FIND_DATAA fd;
  HANDLE find = FindFirstFileA((dir + "/*.bin").c_str(), &fd);
  ASSERT_NE(find, INVALID_HANDLE_VALUE);
  EXPECT_STREQ(fd.cFileName, "data.bin");
  EXPECT_EQ(fd.nFileSizeLow, 11u);
  EXPECT_FALSE(FindNextFileA(find, &fd));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NO_MORE_FILES));
  EXPECT_TRUE(FindClose(find));

  FILE* f = nullptr;
  EXPECT_EQ(fopen_s(&f, (dir + "/data.bin").c_str(), "rt"), 0);
  ASSERT_NE(f, nullptr);
  fclose(f);
  EXPECT_EQ(fopen_s(&f, (dir + "/missing").c_str(), "r"), ENOENT);
  EXPECT_EQ(f, nullptr);
  EXPECT_EQ(_access((dir + "/data.bin").c_str(), 4), 0);
  EXPECT_TRUE(PathFileExistsA((dir + "/data.bin").c_str()));
  EXPECT_TRUE(DeleteFileA((dir + "/data.bin").c_str()));
  EXPECT_EQ(_rmdir((dir + "/sub").c_str()), 0);
  EXPECT_TRUE(RemoveDirectoryA(dir.c_str()));
}

TEST(System, TimeAndFiletime) {
  SYSTEMTIME st{2026, 12, 0, 7, 9, 30, 15, 250};
  FILETIME ft;
  ASSERT_TRUE(SystemTimeToFileTime(&st, &ft));
  SYSTEMTIME back;
  ASSERT_TRUE(FileTimeToSystemTime(&ft, &back));
  EXPECT_EQ(back.wYear, 2026);
  EXPECT_EQ(back.wDayOfWeek, 1);  // a Monday
  EXPECT_EQ(back.wMilliseconds, 250);
  SYSTEMTIME epoch{1970, 1, 4, 1, 0, 0, 0, 0};
  ASSERT_TRUE(SystemTimeToFileTime(&epoch, &ft));
  EXPECT_EQ((static_cast<uint64_t>(ft.dwHighDateTime) << 32) | ft.dwLowDateTime,
            116444736000000000ull);
  SYSTEMTIME bad{2026, 2, 0, 30, 0, 0, 0, 0};
  EXPECT_FALSE(SystemTimeToFileTime(&bad, &ft));
  LARGE_INTEGER a, b, freq;
  QueryPerformanceFrequency(&freq);
  QueryPerformanceCounter(&a);
  Sleep(2);
  QueryPerformanceCounter(&b);
  EXPECT_GE((b.QuadPart - a.QuadPart) * 1000 / freq.QuadPart, 2);
  struct tm tmv;
  time_t zero = 0;
  EXPECT_EQ(gmtime_s(&tmv, &zero), 0);
  EXPECT_EQ(tmv.tm_year, 70);
  EXPECT_EQ(localtime_s(&tmv, nullptr), EINVAL);
  unsigned r1 = 0, r2 = 0;
  EXPECT_EQ(rand_s(&r1), 0);
  EXPECT_EQ(rand_s(&r2), 0);
  EXPECT_NE(r1, r2);  // 1 in 2^32 to fail
}

void anchor() {}

TEST(System, ModulesMessagesMemoryInfo) {
  HMODULE self = nullptr;
  ASSERT_TRUE(GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS,
                                 reinterpret_cast<LPCSTR>(&anchor), &self));
  char path[4096];
  DWORD n = GetModuleFileNameA(self, path, sizeof(path));
  ASSERT_GT(n, 0u);
  EXPECT_NE(std::string(path).find("headers_"), std::string::npos) << path;
  char tiny[4];
  EXPECT_EQ(GetModuleFileNameA(self, tiny, sizeof(tiny)), 4u);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));
  EXPECT_EQ(std::strlen(tiny), 3u);

  char* text = nullptr;
  ASSERT_GT(
      FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_ALLOCATE_BUFFER |
                         FORMAT_MESSAGE_IGNORE_INSERTS,
                     nullptr, ERROR_FILE_NOT_FOUND, 0, reinterpret_cast<LPSTR>(&text), 0, nullptr),
      0u);
  EXPECT_STREQ(text, "The system cannot find the file specified.\r\n");
  LocalFree(text);
  wchar_t wide[64];
  const wchar_t* inserts[] = {L"one", L"two"};
  ASSERT_GT(FormatMessageW(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_ARGUMENT_ARRAY,
                           L"%2 then %1!s!%%", 0, 0, wide, 64, reinterpret_cast<va_list*>(inserts)),
            0u);
  EXPECT_STREQ(wide, L"two then one%");
  EXPECT_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM, nullptr, 0x12345, 0, tiny, 4, nullptr), 0u);

  SYSTEM_INFO si;
  GetSystemInfo(&si);
  EXPECT_GT(si.dwNumberOfProcessors, 0u);
  EXPECT_EQ(si.dwPageSize, static_cast<DWORD>(sysconf(_SC_PAGESIZE)));
  char* mem =
      static_cast<char*>(VirtualAlloc(nullptr, 10000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE));
  ASSERT_NE(mem, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(mem) % si.dwPageSize, 0u);
  mem[9999] = 1;
  EXPECT_EQ(mem[0], 0);
  EXPECT_TRUE(VirtualFree(mem, 0, MEM_RELEASE));
  EXPECT_FALSE(VirtualFree(mem, 10, MEM_RELEASE));

  char name[256];
  DWORD len = sizeof(name);
  ASSERT_TRUE(GetComputerNameA(name, &len));
  EXPECT_EQ(len, std::strlen(name));
  DWORD small = 1;
  EXPECT_FALSE(GetComputerNameA(name, &small));
  EXPECT_EQ(small, len + 1);

  setenv("HTTPSERV_COMPAT_TEST", "v1", 1);
  char expanded[64];
  EXPECT_EQ(ExpandEnvironmentStringsA("a%HTTPSERV_COMPAT_TEST%b%UNDEFINED_X%", expanded, 64),
            18u);  // the size needed, terminator included
  EXPECT_STREQ(expanded, "av1b%UNDEFINED_X%");
}

// ---------------------------------------------------------------------------------------------
// Strings: strsafe, tchar, CRT names.
// ---------------------------------------------------------------------------------------------

TEST(Strings, StrSafe) {
  char buf[6];
  EXPECT_EQ(StringCchCopyA(buf, 6, "hello"), S_OK);
  EXPECT_EQ(StringCchCatA(buf, 6, "!"), STRSAFE_E_INSUFFICIENT_BUFFER);
  EXPECT_STREQ(buf, "hello");
  EXPECT_EQ(StringCchCopyA(buf, 6, "toolong"), STRSAFE_E_INSUFFICIENT_BUFFER);
  EXPECT_STREQ(buf, "toolo");
  EXPECT_EQ(StringCchCopyA(buf, 0, "x"), STRSAFE_E_INVALID_PARAMETER);
  wchar_t w[8];
  EXPECT_EQ(StringCchPrintfW(w, 8, L"%d-%ls", 12, L"ab"), S_OK);
  EXPECT_STREQ(w, L"12-ab");
  EXPECT_EQ(StringCchPrintfW(w, 8, L"%ls", L"0123456789"), STRSAFE_E_INSUFFICIENT_BUFFER);
  EXPECT_STREQ(w, L"0123456");
  EXPECT_EQ(StringCbCopyW(w, sizeof(w), L"abc"), S_OK);
  size_t cb = 0;
  EXPECT_EQ(StringCbLengthW(w, sizeof(w), &cb), S_OK);
  EXPECT_EQ(cb, 3 * sizeof(wchar_t));
  size_t cch = 0;
  EXPECT_EQ(StringCchLengthA("abc", 3, &cch), STRSAFE_E_INVALID_PARAMETER);  // no NUL within 3
}

TEST(Strings, TcharAndCrtNames) {
  // This file is built without UNICODE: _T is narrow, _tcs* are the str* functions.
  const TCHAR* s = _T("Hello");
  EXPECT_EQ(_tcslen(s), 5u);
  EXPECT_EQ(_tcsicmp(s, _T("HELLO")), 0);
  char digits[16];
  EXPECT_STREQ(itoa(-42, digits, 10), "-42");
  EXPECT_STREQ(ltoa(255, digits, 16), "ff");
  char* dup = _strdup("x");
  EXPECT_STREQ(dup, "x");
  free(dup);
  EXPECT_EQ(_wcsicmp(L"ÄBC", L"äbc"), _wcsicmp(L"ÄBC", L"äbc"));
  char path[MAX_PATH] = "/a/b/file.txt";
  EXPECT_STREQ(PathFindExtensionA(path), ".txt");
  EXPECT_STREQ(PathFindFileNameA(path), "file.txt");
  EXPECT_TRUE(PathRemoveFileSpecA(path));
  EXPECT_STREQ(path, "/a/b");
  EXPECT_TRUE(PathAppendA(path, "c"));
  EXPECT_STREQ(path, "/a/b/c");
  EXPECT_STREQ(StrStrIA("Hello World", "WORLD"), "World");
}

DEFINE_GUID(kTestGuid, 0x64ff8ccc, 0xb287, 0x4dae, 0xb0, 0x8a, 0xa7, 0x2c, 0xbf, 0x45, 0xf4, 0x53);

TEST(Strings, SampleModuleExtras) {
  EXPECT_EQ(kTestGuid, IID_IAppHostElement);  // DEFINE_GUID makes a usable constant
  wchar_t w[40];
  EXPECT_EQ(_ltow_s(-255, w, 40, 16), 0);
  EXPECT_STREQ(w, L"ffffff01");  // as _ltoa_s: negative values in other radixes are unsigned
  EXPECT_EQ(_i64tow_s(-42, w, 40, 10), 0);
  EXPECT_STREQ(w, L"-42");
  EXPECT_EQ(_ultow_s(12345, w, 3, 10), ERANGE);
  EXPECT_STREQ(w, L"");
  char narrow[64];
  EXPECT_EQ(wsprintfA(narrow, "%s-%d", "a", 7), 3);
  EXPECT_STREQ(narrow, "a-7");
  SYSTEMTIME utc{2026, 7, 0, 1, 12, 0, 0, 5};
  SYSTEMTIME local;
  ASSERT_TRUE(SystemTimeToTzSpecificLocalTime(nullptr, &utc, &local));
  SYSTEMTIME back;
  ASSERT_TRUE(TzSpecificLocalTimeToSystemTime(nullptr, &local, &back));
  EXPECT_EQ(back.wHour, 12);
  EXPECT_EQ(back.wMilliseconds, 5);
  TIME_ZONE_INFORMATION tz;
  EXPECT_NE(GetTimeZoneInformation(&tz), static_cast<DWORD>(-1));
  EXPECT_FALSE(SystemTimeToTzSpecificLocalTime(&tz, &utc, &local));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_SUPPORTED));
}

// ---------------------------------------------------------------------------------------------
// Winsock.
// ---------------------------------------------------------------------------------------------

TEST(Winsock, StartupErrorsAndAddresses) {
  WSADATA data;
  EXPECT_EQ(WSAStartup(MAKEWORD(2, 2), &data), 0);
  EXPECT_EQ(data.wVersion, MAKEWORD(2, 2));
  errno = ECONNRESET;
  EXPECT_EQ(WSAGetLastError(), WSAECONNRESET);
  WSASetLastError(WSAEINVAL);
  EXPECT_EQ(WSAGetLastError(), WSAEINVAL);
  errno = EAGAIN;  // a later failing call wins
  EXPECT_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
  IN_ADDR a;
  EXPECT_EQ(InetPtonA(AF_INET, "10.1.2.3", &a), 1);
  EXPECT_EQ(a.S_un.S_un_b.s_b4, 3);
  char text[INET6_ADDRSTRLEN];
  EXPECT_STREQ(InetNtopA(AF_INET, &a, text, sizeof(text)), "10.1.2.3");
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(8080);
  InetPtonA(AF_INET6, "::1", &v6.sin6_addr);
  char out[64];
  DWORD len = sizeof(out);
  ASSERT_EQ(WSAAddressToStringA(reinterpret_cast<LPSOCKADDR>(&v6), sizeof(v6), nullptr, out, &len),
            0);
  EXPECT_STREQ(out, "[::1]:8080");
  EXPECT_EQ(len, 11u);
  EXPECT_EQ(WSACleanup(), 0);
}

TEST(Winsock, EventSelectAndWait) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  WSAEVENT ev = WSACreateEvent();
  ASSERT_EQ(WSAEventSelect(sv[0], ev, FD_READ | FD_CLOSE), 0);
  EXPECT_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 20, FALSE), WSA_WAIT_TIMEOUT);
  std::thread writer([&] {
    Sleep(20);
    ASSERT_EQ(send(sv[1], "x", 1, 0), 1);
  });
  EXPECT_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 5000, FALSE), WSA_WAIT_EVENT_0);
  writer.join();
  WSANETWORKEVENTS ne;
  ASSERT_EQ(WSAEnumNetworkEvents(sv[0], ev, &ne), 0);
  EXPECT_EQ(ne.lNetworkEvents, FD_READ);
  char c;
  EXPECT_EQ(recv(sv[0], &c, 1, 0), 1);
  close(sv[1]);
  EXPECT_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 5000, FALSE), WSA_WAIT_EVENT_0);
  ASSERT_EQ(WSAEnumNetworkEvents(sv[0], ev, &ne), 0);
  EXPECT_EQ(ne.lNetworkEvents & FD_CLOSE, FD_CLOSE);
  // WSASetEvent from another thread wakes a waiter too.
  WSAEVENT plain = WSACreateEvent();
  std::thread setter([&] {
    Sleep(20);
    WSASetEvent(plain);
  });
  EXPECT_EQ(WSAWaitForMultipleEvents(1, &plain, FALSE, 5000, FALSE), WSA_WAIT_EVENT_0);
  setter.join();
  EXPECT_TRUE(WSACloseEvent(plain));
  EXPECT_TRUE(WSACloseEvent(ev));
  close(sv[0]);
}

}  // namespace
