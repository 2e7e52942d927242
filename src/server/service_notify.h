#pragma once
// The service manager's readiness protocol (systemd's sd_notify(3), from Debian's libsystemd):
// the installed unit is Type=notify (packaging/httpserv.service.in), so systemd considers the
// service started when READY=1 arrives, shows RELOADING=1 ... READY=1 around a SIGHUP reload and
// STOPPING=1 once a stop begins. Without $NOTIFY_SOCKET (not started by systemd) every call does
// nothing.
//
// Only the process systemd tracks as the main one may speak (NotifyAccess=main): the supervisor,
// or the server process itself under --no-supervisor. Server processes the supervisor forks
// never call these (their readiness reaches the supervisor through its ready pipe).
#include <string_view>

namespace hs::server::service {

// READY=1 with a STATUS= line (the addresses served, say).
void ready(std::string_view status);
// RELOADING=1 (with MONOTONIC_USEC, as systemd 253's Type=notify-reload wants it too).
void reloading();
// READY=1 after a reload, with the outcome as STATUS= ("reloaded", "reload failed: ...").
void reloaded(std::string_view status);
// STOPPING=1.
void stopping();

}  // namespace hs::server::service
