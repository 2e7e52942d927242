#pragma once
// The supervising parent process (like nginx's master): it owns the listening sockets and runs
// the server in a child process, which it starts again when the child crashes. Clients that
// connect during the gap wait in the sockets' accept queues (the parent keeps them open) and
// are served by the new child, so a module that crashes the process costs one restart, not the
// service. Signals sent to the parent reach the child: SIGINT/SIGTERM stop gracefully (the
// parent closes its copies of the listeners at once, so no new connection queues behind the
// draining child), SIGQUIT stops at once, SIGHUP is forwarded.
//
// Restart policy: a child killed by a signal is restarted — at once the first time, then after
// a delay that doubles (up to 5 s) while it keeps dying within a second of its start. A child
// that exits on its own (a startup error, say) ends the parent with the same status.
#include <functional>

#include "server/server.h"

namespace hs::server {

// Runs `child` in a forked process, again after each crash, until the child exits by itself or
// a stop signal arrives; returns the exit status for main(). Call with SIGINT, SIGTERM,
// SIGQUIT and SIGHUP blocked in the calling (single) thread. `child` runs in the new process
// with the same signal mask and the listeners' descriptors, and returns its exit status.
int supervise(Listeners& listeners, const std::function<int()>& child);

}  // namespace hs::server
