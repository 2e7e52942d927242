// appconfig: a test module written the way an IIS developer writes one (Windows headers, tchar,
// comdef's smart types, a worker thread driven by events, a critical section, the event log),
// reading its own configuration section system.webServer/appConfig through the IIS
// configuration API. tests/integration/test_appconfig.py configures it per site and per
// <location> and checks every line of its answer:
//
//   metapath=<IMetadataInfo::GetMetaPath()>            vrpath=<GetVrPath()>
//   message=<string>   enabled=<vt>:<value>   limit=<vt>:<value>   timeout=<vt>:<ticks>
//   mode=<vt>:<value>:<string value>   items=<name>=<value>,...   extra.flag=<vt>:<value>
//   cocreate.message=<the site-level message read through CoCreateInstance>
//   errors=<HRESULTs of calls that must fail>   counter=<work items done by the thread>
//   server.metadata=<IHttpServer2::GetMetadata(L"beta", L"/x")'s path>,<HRESULT for no site>
//   cached=<1 when the configuration object came from the metadata container>
//
// RegisterModule reads the APPHOST-level message (as StripHeaders does) and reports it with
// ReportEvent; a GL_CONFIGURATION_CHANGE is reported too.
#define WIN32_LEAN_AND_MEAN
#include <Windows.h>
#include <comdef.h>
#include <httpserv.h>
#include <strsafe.h>
#include <tchar.h>

#include <new>
#include <string>

_COM_SMARTPTR_TYPEDEF(IAppHostElement, __uuidof(IAppHostElement));
_COM_SMARTPTR_TYPEDEF(IAppHostProperty, __uuidof(IAppHostProperty));
_COM_SMARTPTR_TYPEDEF(IAppHostElementCollection, __uuidof(IAppHostElementCollection));
_COM_SMARTPTR_TYPEDEF(IAppHostPropertyCollection, __uuidof(IAppHostPropertyCollection));

static const TCHAR kSection[] = _T("system.webServer/appConfig");

static HTTP_MODULE_ID g_moduleId = NULL;
static IHttpServer* g_pServer = NULL;
static HANDLE g_hEventLog = NULL;

// The worker thread: counts one work item per request, signalled by events.
static CRITICAL_SECTION g_cs;
static HANDLE g_hWork = NULL;
static HANDLE g_hDone = NULL;
static HANDLE g_hStop = NULL;
static HANDLE g_hThread = NULL;
static LONG g_counter = 0;

static DWORD WINAPI WorkerThread(LPVOID) {
  HANDLE handles[2] = {g_hStop, g_hWork};
  for (;;) {
    DWORD r = WaitForMultipleObjects(2, handles, FALSE, INFINITE);
    if (r != WAIT_OBJECT_0 + 1) return r == WAIT_OBJECT_0 ? 0 : 1;
    EnterCriticalSection(&g_cs);
    ++g_counter;
    LeaveCriticalSection(&g_cs);
    SetEvent(g_hDone);
  }
}

static void Report(WORD wType, DWORD dwEventId, const std::wstring& text) {
  LPCWSTR strings[1] = {text.c_str()};
  ReportEventW(g_hEventLog, wType, 0, dwEventId, NULL, 1, 0, strings, NULL);
}

static std::string Hex(HRESULT hr) {
  char buf[16];
  StringCchPrintfA(buf, ARRAYSIZE(buf), "0x%08X", static_cast<unsigned>(hr));
  return buf;
}

static std::string VariantText(const _variant_t& v) {
  char buf[96];
  switch (v.vt) {
    case VT_BOOL:
      StringCchPrintfA(buf, ARRAYSIZE(buf), "%d:%d", v.vt, v.boolVal);
      break;
    case VT_UI4:
      StringCchPrintfA(buf, ARRAYSIZE(buf), "%d:%u", v.vt, v.ulVal);
      break;
    case VT_I4:
      StringCchPrintfA(buf, ARRAYSIZE(buf), "%d:%d", v.vt, v.lVal);
      break;
    case VT_UI8:
      StringCchPrintfA(buf, ARRAYSIZE(buf), "%d:%llu", v.vt, (unsigned long long)v.ullVal);
      break;
    case VT_I8:
      StringCchPrintfA(buf, ARRAYSIZE(buf), "%d:%lld", v.vt, (long long)v.llVal);
      break;
    case VT_BSTR:
      return std::to_string(v.vt) + ":" + (const char*)_bstr_t(v.bstrVal);
    default:
      StringCchPrintfA(buf, ARRAYSIZE(buf), "%d:?", v.vt);
      break;
  }
  return buf;
}

// Everything the module shows for one configuration path, read once per metadata object.
class CAppConfig : public IHttpStoredContext {
 public:
  std::string m_text;
  HRESULT m_hr = S_OK;

  HRESULT Load(IAppHostAdminManager* pMgr, PCWSTR pszPath) {
    try {
      IAppHostElementPtr section;
      m_hr = pMgr->GetAdminSection(_bstr_t(kSection), _bstr_t(pszPath), &section);
      if (FAILED(m_hr) || !section) {
        m_text = "section=" + Hex(m_hr) + "\n";
        return S_OK;
      }
      m_text += "message=" + String(section, L"message") + "\n";
      m_text += "enabled=" + Value(section, L"enabled") + "\n";
      m_text += "limit=" + Value(section, L"limit") + "\n";
      m_text += "timeout=" + Value(section, L"timeout") + "\n";
      m_text += "mode=" + Value(section, L"mode") + ":" + String(section, L"mode") + "\n";

      IAppHostElementCollectionPtr items;
      if (SUCCEEDED(section->get_Collection(&items)) && items) {
        DWORD count = 0;
        items->get_Count(&count);
        m_text += "items=";
        for (DWORD i = 0; i < count; ++i) {
          VARIANT index;
          index.vt = VT_I2;  // as Microsoft's samples index collections
          index.iVal = static_cast<SHORT>(i);
          IAppHostElementPtr item;
          if (FAILED(items->get_Item(index, &item))) continue;
          IAppHostPropertyCollectionPtr props;
          item->get_Properties(&props);
          VARIANT name;
          name.vt = VT_BSTR;
          name.bstrVal = L"name";  // a literal, as StripHeaders passes it
          IAppHostPropertyPtr prop;
          props->get_Item(name, &prop);
          _variant_t value;
          prop->get_Value(&value.GetVARIANT());
          m_text += std::string(i ? "," : "") + (const char*)_bstr_t(value) + "=" +
                    String(item, L"value");
        }
        m_text += "\n";
      }
      IAppHostElementPtr extra;
      if (SUCCEEDED(section->GetElementByName(_bstr_t(L"extra"), &extra)))
        m_text += "extra.flag=" + Value(extra, L"flag") + "\n";

      // Calls that must fail, with the documented HRESULTs.
      IAppHostPropertyPtr missing;
      HRESULT hrName = section->GetPropertyByName(L"noSuchAttribute", &missing);
      HRESULT hrNull = section->GetPropertyByName(NULL, &missing);
      IAppHostElementPtr other;
      HRESULT hrSection = pMgr->GetAdminSection(L"system.webServer/notDeclared", pszPath, &other);
      HRESULT hrPath = pMgr->GetAdminSection(kSection, L"NOT/A/PATH", &other);
      IAppHostElementCollectionPtr none;
      HRESULT hrNoCollection = extra ? extra->get_Collection(&none) : E_FAIL;
      m_text += "errors=" + Hex(hrName) + "," + Hex(hrNull) + "," + Hex(hrSection) + "," +
                Hex(hrPath) + "," + Hex(hrNoCollection) + (none ? ",collection" : ",null") + "\n";
    } catch (const _com_error& e) {
      m_text += "com_error=" + Hex(e.Error()) + "\n";
    }
    return S_OK;
  }

  VOID CleanupStoredContext() override { delete this; }

 private:
  static std::string String(IAppHostElementPtr& e, LPCWSTR name) {
    IAppHostPropertyPtr p;
    if (FAILED(e->GetPropertyByName(name, &p))) return "<none>";
    _bstr_t text;
    p->get_StringValue(&text.GetBSTR());
    return (const char*)text;
  }
  static std::string Value(IAppHostElementPtr& e, LPCWSTR name) {
    IAppHostPropertyPtr p;
    if (FAILED(e->GetPropertyByName(name, &p))) return "<none>";
    VARIANT v;  // never initialised, as in Microsoft's samples: get_Value must not read it
    HRESULT hr = p->get_Value(&v);
    if (FAILED(hr)) return Hex(hr);
    _variant_t owned(v, false);
    return VariantText(owned);
  }
};

class CAppConfigModule : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext* pHttpContext,
                                                      IHttpEventProvider* pProvider) override {
    try {
      IMetadataInfo* pMetadata = pHttpContext->GetMetadata();
      IHttpModuleContextContainer* pContainer = pMetadata->GetModuleContextContainer();
      bool cached = true;
      CAppConfig* pConfig = static_cast<CAppConfig*>(pContainer->GetModuleContext(g_moduleId));
      if (pConfig == NULL) {
        cached = false;
        pConfig = new CAppConfig;
        pConfig->Load(g_pServer->GetAdminManager(), pMetadata->GetMetaPath());
        if (FAILED(pContainer->SetModuleContext(pConfig, g_moduleId))) {
          // Another request stored one first (ERROR_ALREADY_ASSIGNED): use that one.
          pConfig->CleanupStoredContext();
          pConfig = static_cast<CAppConfig*>(pContainer->GetModuleContext(g_moduleId));
        }
      }

      std::string body = "metapath=" + std::string(_bstr_t(pMetadata->GetMetaPath())) + "\n";
      body += "vrpath=" + std::string(_bstr_t(pMetadata->GetVrPath())) + "\n";
      body += pConfig->m_text;
      body += "cocreate.message=" + CoCreateMessage(pHttpContext) + "\n";
      body += "counter=" + std::to_string(CountOneMore()) + "\n";
      body += "server.metadata=" + ServerMetadata() + "\n";
      body += std::string("cached=") + (cached ? "1" : "0") + "\n";

      IHttpResponse* pResponse = pHttpContext->GetResponse();
      pResponse->SetHeader(HttpHeaderContentType, "text/plain", 10, TRUE);
      HTTP_DATA_CHUNK chunk;
      chunk.DataChunkType = HttpDataChunkFromMemory;
      chunk.FromMemory.pBuffer = (PVOID)body.data();
      chunk.FromMemory.BufferLength = (ULONG)body.size();
      DWORD sent = 0;
      pResponse->WriteEntityChunks(&chunk, 1, FALSE, FALSE, &sent);
    } catch (...) {
      pProvider->SetErrorStatus(E_FAIL);
      pHttpContext->GetResponse()->SetStatus(500, "Internal Server Error");
    }
    return RQ_NOTIFICATION_FINISH_REQUEST;
  }

 private:
  // The HSTS module's way: its own admin manager for the site's path, per request.
  static std::string CoCreateMessage(IHttpContext* pHttpContext) {
    HRESULT hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (FAILED(hr)) return Hex(hr);
    std::string result;
    IAppHostAdminManager* pMgr = NULL;
    hr = CoCreateInstance(__uuidof(AppHostAdminManager), NULL, CLSCTX_INPROC_SERVER,
                          __uuidof(IAppHostAdminManager), reinterpret_cast<void**>(&pMgr));
    if (FAILED(hr)) {
      result = Hex(hr);
    } else {
      std::wstring path = L"MACHINE/WEBROOT/APPHOST/";
      path += pHttpContext->GetSite()->GetSiteName();
      BSTR bstrPath = SysAllocString(path.c_str());
      IAppHostElement* pSection = NULL;
      hr = pMgr->GetAdminSection(kSection, bstrPath, &pSection);
      if (SUCCEEDED(hr)) {
        IAppHostProperty* pProp = NULL;
        if (SUCCEEDED(pSection->GetPropertyByName(L"message", &pProp))) {
          BSTR value = NULL;
          pProp->get_StringValue(&value);
          result = (const char*)_bstr_t(value, false);
          pProp->Release();
        }
        pSection->Release();
      } else {
        result = Hex(hr);
      }
      SysFreeString(bstrPath);
      pMgr->Release();
    }
    CoUninitialize();
    return result;
  }

  // IHttpServer2::GetMetadata for another site and URL (Beta's /x), and for no such site.
  static std::string ServerMetadata() {
    IHttpServer2* pServer2 = NULL;
    HRESULT hr = g_pServer->GetExtendedInterface(HTTP_SERVER_INTERFACE_V2,
                                                 reinterpret_cast<PVOID*>(&pServer2));
    if (FAILED(hr)) return Hex(hr);
    IReferencedMetadataInfo* pInfo = NULL;
    hr = pServer2->GetMetadata(L"beta", L"/x", &pInfo);
    if (FAILED(hr)) return Hex(hr);
    std::string result = (const char*)_bstr_t(pInfo->GetMetaPath());
    pInfo->DereferenceMetadata();
    IReferencedMetadataInfo* pNone = NULL;
    return result + "," + Hex(pServer2->GetMetadata(L"No Such Site", L"/", &pNone));
  }

  static LONG CountOneMore() {
    SetEvent(g_hWork);
    if (WaitForSingleObject(g_hDone, 5000) != WAIT_OBJECT_0) return -1;
    EnterCriticalSection(&g_cs);
    LONG n = g_counter;
    LeaveCriticalSection(&g_cs);
    return n;
  }
};

class CAppConfigFactory : public IHttpModuleFactory {
 public:
  HRESULT GetHttpModule(CHttpModule** ppModule, IModuleAllocator*) override {
    *ppModule = new (std::nothrow) CAppConfigModule;
    return *ppModule ? S_OK : HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY);
  }
  VOID Terminate() override {
    SetEvent(g_hStop);
    WaitForSingleObject(g_hThread, INFINITE);
    CloseHandle(g_hThread);
    CloseHandle(g_hWork);
    CloseHandle(g_hDone);
    CloseHandle(g_hStop);
    DeleteCriticalSection(&g_cs);
    DeregisterEventSource(g_hEventLog);
    delete this;
  }
};

class CAppConfigGlobal : public CGlobalModule {
 public:
  GLOBAL_NOTIFICATION_STATUS OnGlobalConfigurationChange(
      IGlobalConfigurationChangeProvider* pProvider) override {
    Report(EVENTLOG_WARNING_TYPE, 7,
           std::wstring(L"configuration changed: ") + pProvider->GetChangePath());
    return GL_NOTIFICATION_CONTINUE;
  }
  VOID Terminate() override { delete this; }
};

HRESULT __stdcall RegisterModule(DWORD, IHttpModuleRegistrationInfo* pModuleInfo,
                                 IHttpServer* pGlobalInfo) {
  g_moduleId = pModuleInfo->GetId();
  g_pServer = pGlobalInfo;
  g_hEventLog = RegisterEventSource(NULL, _T("AppConfigModule"));

  // The APPHOST-level configuration, read at load time as StripHeaders does.
  std::wstring message = L"<unset>";
  IAppHostElement* pSection = NULL;
  HRESULT hr = pGlobalInfo->GetAdminManager()->GetAdminSection(kSection, L"MACHINE/WEBROOT/APPHOST",
                                                               &pSection);
  if (SUCCEEDED(hr)) {
    IAppHostProperty* pProp = NULL;
    if (SUCCEEDED(pSection->GetPropertyByName(L"message", &pProp))) {
      VARIANT v;
      VariantInit(&v);
      if (SUCCEEDED(pProp->get_Value(&v)) && v.vt == VT_BSTR) message = v.bstrVal;
      VariantClear(&v);
      pProp->Release();
    }
    pSection->Release();
  }
  TCHAR line[256];
  StringCchPrintf(line, ARRAYSIZE(line), _T("registered; apphost message=%ls"), message.c_str());
  Report(EVENTLOG_INFORMATION_TYPE, 1, line);

  InitializeCriticalSectionAndSpinCount(&g_cs, 4000);
  g_hWork = CreateEvent(NULL, FALSE, FALSE, NULL);
  g_hDone = CreateEvent(NULL, FALSE, FALSE, NULL);
  g_hStop = CreateEvent(NULL, TRUE, FALSE, NULL);
  DWORD tid = 0;
  g_hThread = CreateThread(NULL, 0, WorkerThread, NULL, 0, &tid);
  if (g_hThread == NULL) return HRESULT_FROM_WIN32(GetLastError());

  hr = pModuleInfo->SetRequestNotifications(new CAppConfigFactory, RQ_EXECUTE_REQUEST_HANDLER, 0);
  if (FAILED(hr)) return hr;
  return pModuleInfo->SetGlobalNotifications(new CAppConfigGlobal, GL_CONFIGURATION_CHANGE);
}
