#pragma once
// The supervising parent process (like nginx's master): it owns the listening sockets and runs
// the server in a child process, which it starts again when the child crashes. Clients that
// connect during the gap wait in the sockets' accept queues (the parent keeps them open) and
// are served by the new child, so a module that crashes the process costs one restart, not the
// service. SIGINT/SIGTERM stop gracefully (the parent closes its copies of the listeners at
// once, so no new connection queues behind the draining children), SIGQUIT stops at once.
//
// SIGHUP reloads, as IIS's overlapped recycling does: the parent re-reads the configuration;
// when it is valid, a new child starts on the same sockets and, once it reports ready, the old
// child drains (finishes its in-flight requests, closes idle connections) and exits. A bad
// configuration, or a new child that fails before it is ready, leaves the old child serving,
// with a log line naming the cause. No connection is refused during a reload: both children
// accept from the same sockets until the old one stops.
//
// Restart policy: a child killed by a signal is restarted — at once the first time, then after
// a delay that doubles (up to 5 s) while it keeps dying within a second of its start. A child
// that exits on its own (a startup error, say) ends the parent with the same status.
#include <functional>
#include <string>

#include "server/server.h"

namespace hs::server {

// The body of a child process: runs the server and returns its exit status. It writes one byte
// to `ready_fd` (then closes it) once the server accepts connections; -1 means nobody waits.
using ChildMain = std::function<int(int ready_fd)>;
// Called on SIGHUP: re-reads the configuration and returns the body of the next child, or an
// empty function with *error naming the cause (the current child keeps serving).
using Reloader = std::function<ChildMain(std::string* error)>;

// Runs `child` in a forked process, again after each crash, until the child exits by itself or
// a stop signal arrives; returns the exit status for main(). Call with SIGINT, SIGTERM,
// SIGQUIT and SIGHUP blocked in the calling (single) thread. A child runs in the new process
// with the same signal mask and the listeners' descriptors. `on_ready` runs once, in this
// process, when a child first reports ready (the server serves); never if none does.
// `extra` (may be null): more sockets kept for the children (the status listener), closed with
// `listeners` when stopping. Each child that dies on a signal adds one to
// base::metrics::g_process_crashes before its replacement is forked (which inherits the count).
int supervise(Listeners& listeners, ChildMain child, const Reloader& reload,
              const std::function<void()>& on_ready, Listeners* extra = nullptr);

}  // namespace hs::server
