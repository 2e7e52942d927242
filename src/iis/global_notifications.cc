#include "iis/global_notifications.h"

namespace hs::iis {
namespace {

class ApplicationProvider final : public IHttpApplicationProvider {
 public:
  explicit ApplicationProvider(IHttpApplication* app) : app_(app) {}
  VOID SetErrorStatus(HRESULT) override {}  // nothing reads it for these notifications
  IHttpApplication* GetApplication() override { return app_; }

 private:
  IHttpApplication* app_;
};

class StopListeningProvider final : public IGlobalStopListeningProvider {
 public:
  explicit StopListeningProvider(bool graceful) : graceful_(graceful) {}
  VOID SetErrorStatus(HRESULT) override {}
  BOOL DrainRequestsGracefully() const override { return graceful_ ? TRUE : FALSE; }

 private:
  bool graceful_;
};

}  // namespace

void raise_application_start(const ModuleRegistry& registry, IHttpApplication* app) {
  ApplicationProvider p(app);
  raise_global(registry, GL_APPLICATION_START, "OnGlobalApplicationStart",
               [&](CGlobalModule* g) { return g->OnGlobalApplicationStart(&p); });
}

void raise_application_stop(const ModuleRegistry& registry, IHttpApplication* app) {
  ApplicationProvider p(app);
  raise_global(registry, GL_APPLICATION_STOP, "OnGlobalApplicationStop",
               [&](CGlobalModule* g) { return g->OnGlobalApplicationStop(&p); });
}

void raise_stop_listening(const ModuleRegistry& registry, bool graceful) {
  StopListeningProvider p(graceful);
  raise_global(registry, GL_STOP_LISTENING, "OnGlobalStopListening",
               [&](CGlobalModule* g) { return g->OnGlobalStopListening(&p); });
}

}  // namespace hs::iis
