#pragma once
// The IIS configuration API (ahadmin.h) over the parsed configuration file: IAppHostAdminManager
// and the element, property and collection objects modules use to read their own sections
// (spec-2 §2). docs/iis-headers.md, "The configuration API", lists every method's behaviour.
//
// SNAPSHOTS. An admin manager reads one immutable Model (the Config and the schemas). Every
// element it hands out holds the model and its own merged copy of the section, so objects stay
// valid and unchanged however long a module keeps them. A reload is a new server process
// (ARCHITECTURE.md, "Processes"), so a process has one model for its lifetime.
//
// THREADING. Every object may be used from any thread at once: the model and the merged
// sections are immutable and reference counts are atomic.
//
// ERRORS. Nothing throws to the caller: bad arguments give E_POINTER / E_INVALIDARG /
// ERROR_INVALID_INDEX, out of memory E_OUTOFMEMORY, writes E_ACCESSDENIED.
#include <ahadmin.h>

#include <memory>
#include <string>

#include "config/config.h"
#include "config/schema.h"

namespace hs::admin {

struct Model {
  std::shared_ptr<const config::Config> config;  // never null
  config::SchemaSet schemas;                     // built-in schema included
};

// Builds a model: `config` (null: an empty configuration, every section at its defaults), the
// built-in schema, then the *.xml schema files of each directory of `schema_dirs` in order.
// Schema diagnostics are appended to *diags.
std::shared_ptr<const Model> make_model(std::shared_ptr<const config::Config> config,
                                        const std::vector<std::string>& schema_dirs,
                                        std::vector<config::Diagnostic>* diags);

// A new admin manager over `model` (reference count 1: the caller owns that reference).
// `writable` selects the CLSID_AppHostWritableAdminManager flavour (same reads; writes fail).
IAppHostWritableAdminManager* create_admin_manager(std::shared_ptr<const Model> model,
                                                   bool writable = false);

// The process's model: GetAdminManager's manager and CoCreateInstance's new managers read it.
// Set once at startup, before modules load; null until then (an empty configuration is used).
void set_process_model(std::shared_ptr<const Model> model);
std::shared_ptr<const Model> process_model();

// The process-wide manager IHttpServer::GetAdminManager returns: created on first use, never
// freed (modules keep it without a reference; AddRef/Release only count).
IAppHostAdminManager* process_admin_manager();

// CoCreateInstance for the AppHost admin manager classes (httpserv_com.h's
// HttpservCoCreateInstance): a new manager over the process model. REGDB_E_CLASSNOTREG for
// other classes, E_NOINTERFACE when the object does not implement `iid`.
HRESULT co_create_instance(const GUID& clsid, const GUID& iid, void** ppv) noexcept;

}  // namespace hs::admin
