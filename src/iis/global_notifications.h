#pragma once
// The GL_ notifications the server raises by itself (spec §3.4, §4.2, §4.3): application start
// and stop, stop listening. GL_PRE_BEGIN_REQUEST is raised by the request (request_context.cc);
// GL_CUSTOM_NOTIFICATION, GL_CONFIGURATION_CHANGE and GL_FILE_CHANGE by the IHttpServer methods
// a module calls (http_server_impl.cc); GL_CONFIGURATION_CHANGE also after a reload (below).
//
// ORDER. At startup: modules loaded → registry frozen → GL_APPLICATION_START → workers start.
// At graceful shutdown: GL_STOP_LISTENING → listeners closed and in-flight requests drained →
// workers joined → GL_APPLICATION_STOP → Terminate (ModuleRegistry::terminate).
//
// THREADING. These three run on the thread that calls them: in the binary, the main thread.
// APPLICATION_START runs before any worker thread exists and APPLICATION_STOP after every
// worker has been joined, so neither overlaps a request. STOP_LISTENING runs while workers
// still serve requests: a module that shares state between it and its request code locks.
// GL_PRE_BEGIN_REQUEST runs on the request's worker thread, concurrently on several workers.
#include <httpserv.h>

#include <exception>

#include "base/log.h"
#include "iis/module_registry.h"

namespace hs::iis {

// Calls `call(CGlobalModule*)` on each subscriber of the GL_ bit `bit`, in priority order, until
// one returns GL_NOTIFICATION_HANDLED (spec §3.4: later global modules are skipped). A module
// that throws is logged by name and treated as CONTINUE. Returns HANDLED if some module did.
template <class Call>
GLOBAL_NOTIFICATION_STATUS raise_global(const ModuleRegistry& registry, DWORD bit,
                                        const char* method, Call&& call) {
  for (const ModuleRegistration* reg : registry.global_subscribers(bit)) {
    CGlobalModule* global = reg->global;
    if (global == nullptr) continue;
    GLOBAL_NOTIFICATION_STATUS status = GL_NOTIFICATION_CONTINUE;
    try {
      status = call(global);
    } catch (const std::exception& e) {
      HS_LOG_ERROR("module %s threw in %s: %s", reg->name.c_str(), method, e.what());
    } catch (...) {
      HS_LOG_ERROR("module %s threw in %s", reg->name.c_str(), method);
    }
    if (status == GL_NOTIFICATION_HANDLED) return GL_NOTIFICATION_HANDLED;
  }
  return GL_NOTIFICATION_CONTINUE;
}

// GL_APPLICATION_START / GL_APPLICATION_STOP with an IHttpApplicationProvider giving `app`.
void raise_application_start(const ModuleRegistry& registry, IHttpApplication* app);
void raise_application_stop(const ModuleRegistry& registry, IHttpApplication* app);
// GL_STOP_LISTENING; DrainRequestsGracefully() returns `graceful`.
void raise_stop_listening(const ModuleRegistry& registry, bool graceful);
// GL_CONFIGURATION_CHANGE with IGlobalConfigurationChangeProvider::GetChangePath() = `path`.
// The server raises it once in a process started by a reload (SIGHUP), after
// GL_APPLICATION_START and before the workers start, with MACHINE/WEBROOT/APPHOST: such a
// process read the changed configuration from its start (docs/iis-compat.md, "Configuration
// changes").
void raise_configuration_change(const ModuleRegistry& registry, const wchar_t* path);

}  // namespace hs::iis
