#include "server/service_notify.h"

#include <systemd/sd-daemon.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>

#include "base/log.h"

namespace hs::server::service {
namespace {

void send(const std::string& state) {
  // unset_environment=0: a reload forks server processes after this; they inherit the variable
  // but never notify (service_notify.h), and the supervisor needs it for the next message.
  int r = sd_notify(0, state.c_str());
  if (r < 0) HS_LOG_WARN("sd_notify(%s): %s", state.c_str(), strerror(-r));
}

std::string status_line(std::string_view status) {
  std::string s(status);
  for (char& c : s)
    if (c == '\n') c = ' ';
  return "STATUS=" + s;
}

}  // namespace

void ready(std::string_view status) {
  send("READY=1\n" + status_line(status));
}

void reloading() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  unsigned long long usec = static_cast<unsigned long long>(ts.tv_sec) * 1000000ull +
                            static_cast<unsigned long long>(ts.tv_nsec) / 1000;
  send("RELOADING=1\nSTATUS=reloading the configuration\nMONOTONIC_USEC=" + std::to_string(usec));
}

void reloaded(std::string_view status) {
  send("READY=1\n" + status_line(status));
}

void stopping() {
  send("STOPPING=1\nSTATUS=stopping");
}

}  // namespace hs::server::service
