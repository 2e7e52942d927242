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

class ChangeProvider final : public IGlobalConfigurationChangeProvider {
 public:
  explicit ChangeProvider(const wchar_t* path) : path_(path != nullptr ? path : L"") {}
  VOID SetErrorStatus(HRESULT) override {}
  PCWSTR GetChangePath() const override { return path_; }

 private:
  const wchar_t* path_;
};

}  // namespace

void raise_configuration_change(const ModuleRegistry& registry, const wchar_t* path) {
  ChangeProvider p(path);
  raise_global(registry, GL_CONFIGURATION_CHANGE, "OnGlobalConfigurationChange",
               [&](CGlobalModule* g) { return g->OnGlobalConfigurationChange(&p); });
}

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
