#pragma once
// IScriptMapInfo over one handler mapping (IHttpContext::GetScriptMap): the <handlers><add>
// entry that serves the request, with the values the IIS reference documents for it (the
// static file handler: requireAccess Read = 1, resourceType Either = 2, modules
// "StaticFileModule,DefaultDocumentModule,DirectoryListingModule"). A snapshot: it keeps its
// own copies, so it stays valid for the request whatever the mapping becomes.
#include <httpserv.h>

#include <string>

#include "iis/iis_handler.h"
#include "iis/wide.h"

namespace hs::iis {

class ScriptMapInfoImpl final : public IScriptMapInfo {
 public:
  explicit ScriptMapInfoImpl(const HandlerMapping& m)
      : mapping_(&m),
        name_(widen(m.name)),
        path_(widen(m.path)),
        verbs_(m.verb_text),
        script_processor_(widen(m.script_processor)),
        type_(widen(m.type)),
        resource_type_(m.resource_type),
        require_access_(m.require_access),
        response_buffer_limit_(m.response_buffer_limit),
        allow_path_info_(m.allow_path_info) {
    std::string modules = m.modules_text;
    if (modules.empty()) {
      for (const std::string& n : m.modules)
        modules += (modules.empty() ? "" : ",") + n;
    }
    modules_ = widen(modules);
  }

  const HandlerMapping* mapping() const { return mapping_; }

  PCWSTR GetPath() const override { return path_.c_str(); }
  PCSTR GetAllowedVerbs() const override { return verbs_.c_str(); }
  PCWSTR GetModules(DWORD* cch) const override { return counted(modules_, cch); }
  // "" (0 characters) when the handler has none, as for a static file.
  PCWSTR GetScriptProcessor(DWORD* cch) const override { return counted(script_processor_, cch); }
  PCWSTR GetManagedType(DWORD* cch) const override { return counted(type_, cch); }
  BOOL GetAllowPathInfoForScriptMappings() const override { return allow_path_info_; }
  DWORD GetRequiredAccess() const override { return require_access_; }
  DWORD GetResourceType() const override { return resource_type_; }
  BOOL GetIsStarScriptMap() const override { return path_ == L"*"; }
  DWORD GetResponseBufferLimit() const override { return response_buffer_limit_; }
  PCWSTR GetName() const override { return name_.c_str(); }

 private:
  static PCWSTR counted(const std::wstring& s, DWORD* cch) {
    if (cch != nullptr) *cch = static_cast<DWORD>(s.size());
    return s.c_str();
  }

  const HandlerMapping* mapping_;
  std::wstring name_;
  std::wstring path_;
  std::string verbs_;
  std::wstring modules_;
  std::wstring script_processor_;
  std::wstring type_;
  DWORD resource_type_;
  DWORD require_access_;
  DWORD response_buffer_limit_;
  BOOL allow_path_info_;
};

}  // namespace hs::iis
