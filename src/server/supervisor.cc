#include "server/supervisor.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/clock.h"
#include "base/log.h"

namespace hs::server {
namespace {

constexpr int64_t kQuickDeathMs = 1000;  // dying sooner than this after start counts as a loop
constexpr int64_t kMaxDelayMs = 5000;

pid_t spawn(const std::function<int()>& child, pid_t parent) {
  pid_t pid = fork();
  if (pid != 0) return pid;  // parent (or -1)
  // The child: it must not outlive a parent that was killed outright.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(1);
  std::exit(child());
}

int exit_status(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return 1;
}

}  // namespace

int supervise(Listeners& listeners, const std::function<int()>& child) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD})
    sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  const pid_t self = getpid();

  int64_t started_ms = monotonic_ms();
  pid_t pid = spawn(child, self);
  if (pid < 0) {
    HS_LOG_ERROR("cannot start the worker process: %s", strerror(errno));
    return 1;
  }
  HS_LOG_INFO("supervisor %d: worker process %d started", static_cast<int>(self),
              static_cast<int>(pid));
  bool stopping = false;
  int64_t delay_ms = 0;
  int quick_deaths = 0;
  int64_t restart_at = -1;  // a restart waiting for its delay
  while (true) {
    int64_t wait_ms = 100;
    if (restart_at >= 0) wait_ms = std::clamp<int64_t>(restart_at - monotonic_ms(), 0, 100);
    timespec tick{0, static_cast<long>(wait_ms) * 1000 * 1000};
    int sig = sigtimedwait(&set, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM || sig == SIGQUIT) {
      if (!stopping) HS_LOG_INFO("supervisor: %s: stopping the worker process", strsignal(sig));
      stopping = true;
      listeners.close_all();  // nothing new may queue behind a draining child
      if (pid > 0) kill(pid, sig);
      if (pid <= 0) return 0;  // between a crash and its restart
    } else if (sig == SIGHUP && pid > 0) {
      kill(pid, SIGHUP);
    }
    int st = 0;
    pid_t done;
    while (pid > 0 && (done = waitpid(pid, &st, WNOHANG)) > 0) {
      pid = -1;
      if (stopping || WIFEXITED(st)) {
        if (!stopping && WEXITSTATUS(st) != 0) {
          HS_LOG_ERROR("supervisor: the worker process exited with status %d; not restarted",
                       WEXITSTATUS(st));
        }
        return exit_status(st);
      }
      // The first crash restarts at once; a crash loop backs off: 50 ms, 100 ms, ... 5 s.
      int64_t lived = monotonic_ms() - started_ms;
      quick_deaths = lived < kQuickDeathMs ? quick_deaths + 1 : 0;
      delay_ms = quick_deaths <= 1
                     ? 0
                     : std::min<int64_t>(50ll << std::min(quick_deaths - 2, 10), kMaxDelayMs);
      HS_LOG_ERROR(
          "supervisor: the worker process %d died on signal %d (%s) after %lld ms; restarting%s",
          static_cast<int>(done), WTERMSIG(st), strsignal(WTERMSIG(st)),
          static_cast<long long>(lived), delay_ms > 0 ? " after a delay" : "");
      restart_at = monotonic_ms() + delay_ms;
    }
    if (pid < 0 && restart_at >= 0 && monotonic_ms() >= restart_at && !stopping) {
      restart_at = -1;
      started_ms = monotonic_ms();
      pid = spawn(child, self);
      if (pid < 0) {
        HS_LOG_ERROR("cannot restart the worker process: %s", strerror(errno));
        return 1;
      }
      HS_LOG_INFO("supervisor: worker process %d started", static_cast<int>(pid));
    }
  }
}

}  // namespace hs::server
