#include "server/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "server/service_notify.h"

namespace hs::server {
namespace {

constexpr int64_t kQuickDeathMs = 1000;  // dying sooner than this after start counts as a loop
constexpr int64_t kMaxDelayMs = 5000;
// A reloaded child that has not reported ready by then is killed; the old one keeps serving.
constexpr int64_t kReadyTimeoutMs = 60'000;

struct Child {
  pid_t pid = -1;
  int64_t started_ms = 0;
  int ready_fd = -1;  // the read end of the child's ready pipe, until it reported ready
};

// Forks a child running `body`. With `want_ready`, the child gets the write end of a pipe and
// the parent keeps the read end in out->ready_fd. `parent_fds` are the parent's own
// descriptors, closed in the child.
bool spawn(const ChildMain& body, bool want_ready, const std::vector<int>& parent_fds, Child* out) {
  int pipe_fds[2] = {-1, -1};
  if (want_ready && pipe2(pipe_fds, O_CLOEXEC) != 0) return false;
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    if (want_ready) {
      close(pipe_fds[0]);
      close(pipe_fds[1]);
    }
    return false;
  }
  if (pid == 0) {
    // The child: it must not outlive a parent that was killed outright.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);
    for (int fd : parent_fds)
      if (fd >= 0) close(fd);
    if (want_ready) close(pipe_fds[0]);
    std::exit(body(pipe_fds[1]));
  }
  if (want_ready) close(pipe_fds[1]);
  out->pid = pid;
  out->started_ms = monotonic_ms();
  out->ready_fd = pipe_fds[0];
  return true;
}

int exit_status(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return 1;
}

std::string describe(int st) {
  if (WIFEXITED(st)) return "exited with status " + std::to_string(WEXITSTATUS(st));
  if (WIFSIGNALED(st)) {
    return "died on signal " + std::to_string(WTERMSIG(st)) + " (" + strsignal(WTERMSIG(st)) + ")";
  }
  return "stopped";
}

void close_ready(Child* c) {
  if (c->ready_fd >= 0) close(c->ready_fd);
  c->ready_fd = -1;
}

}  // namespace

int supervise(Listeners& listeners, ChildMain child, const Reloader& reload,
              const std::function<void()>& on_ready, Listeners* extra) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR1})
    sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  int sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sig_fd < 0) {
    HS_LOG_ERROR("supervisor: signalfd: %s", strerror(errno));
    return 1;
  }
  const int self = static_cast<int>(getpid());

  Child current;  // the child serving with the active configuration
  Child pending;  // a reloaded child that has not reported ready yet
  ChildMain pending_body;
  std::vector<pid_t> draining;  // children replaced by a reload, finishing their requests
  bool announced = false;       // on_ready has run
  if (!spawn(child, true, {sig_fd}, &current)) {
    HS_LOG_ERROR("cannot start the worker process: %s", strerror(errno));
    close(sig_fd);
    return 1;
  }
  HS_LOG_INFO("supervisor %d: worker process %d started", self, static_cast<int>(current.pid));

  bool stopping = false;
  int stop_status = 0;
  int quick_deaths = 0;
  int64_t restart_at = -1;  // a restart waiting for its delay
  auto signal_all = [&](int sig) {
    for (pid_t p : {current.pid, pending.pid})
      if (p > 0) kill(p, sig);
    for (pid_t p : draining)
      kill(p, sig);
  };
  auto stop = [&](int sig, int status) {
    if (!stopping) {
      stop_status = status;
      service::stopping();
    }
    stopping = true;
    listeners.close_all();  // nothing new may queue behind draining children
    if (extra != nullptr) extra->close_all();
    signal_all(sig);
  };

  while (true) {
    if (stopping && current.pid <= 0 && pending.pid <= 0 && draining.empty()) break;
    int timeout_ms = -1;
    if (restart_at >= 0) {
      timeout_ms = static_cast<int>(std::max<int64_t>(restart_at - monotonic_ms(), 0));
    }
    if (pending.pid > 0) {
      int64_t left = pending.started_ms + kReadyTimeoutMs - monotonic_ms();
      int t = static_cast<int>(std::max<int64_t>(left, 0));
      timeout_ms = timeout_ms < 0 ? t : std::min(timeout_ms, t);
    }
    // poll() skips the entries whose descriptor is -1.
    pollfd fds[3] = {
        {sig_fd, POLLIN, 0}, {pending.ready_fd, POLLIN, 0}, {current.ready_fd, POLLIN, 0}};
    int n = poll(fds, 3, timeout_ms);
    if (n < 0 && errno != EINTR) {
      HS_LOG_ERROR("supervisor: poll: %s", strerror(errno));
      stop(SIGTERM, 1);
    }

    signalfd_siginfo info{};
    while (read(sig_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      int sig = static_cast<int>(info.ssi_signo);
      if (sig == SIGINT || sig == SIGTERM || sig == SIGQUIT) {
        if (!stopping) HS_LOG_INFO("supervisor: %s: stopping the worker process", strsignal(sig));
        stop(sig, 0);
      } else if (sig == SIGUSR1) {
        signal_all(SIGUSR1);  // log rotation: every serving process reopens its access logs
      } else if (sig == SIGHUP && !stopping) {
        if (pending.pid > 0) {
          HS_LOG_WARN("supervisor: SIGHUP: a reload is already in progress; ignored");
          continue;
        }
        service::reloading();  // READY=1 follows whatever the outcome
        std::string error;
        ChildMain next = reload(&error);
        if (!next) {
          HS_LOG_ERROR("supervisor: SIGHUP: configuration not reloaded, the old one stays: %s",
                       error.c_str());
          service::reloaded("reload failed, the old configuration stays: " + error);
          continue;
        }
        if (!spawn(next, true, {sig_fd, current.ready_fd}, &pending)) {
          HS_LOG_ERROR("supervisor: SIGHUP: cannot start a worker process: %s", strerror(errno));
          service::reloaded("reload failed: cannot start a worker process");
          continue;
        }
        pending_body = std::move(next);
        HS_LOG_INFO("supervisor: SIGHUP: worker process %d starting with the new configuration",
                    static_cast<int>(pending.pid));
      }
    }

    // The first child (or its restart after a crash) serves: announce it once.
    if (current.ready_fd >= 0 && n > 0 && (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      char byte = 0;
      ssize_t got = read(current.ready_fd, &byte, 1);
      close_ready(&current);
      if (got == 1 && !announced) {
        announced = true;
        if (on_ready) on_ready();
      }
      // EOF without the byte: the child is exiting; reaping below reports why.
    }
    // The reloaded child is ready: it takes over, the old one drains.
    if (pending.ready_fd >= 0 && n > 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      char byte = 0;
      ssize_t got = read(pending.ready_fd, &byte, 1);
      close_ready(&pending);
      if (got == 1) {
        HS_LOG_INFO("supervisor: reload complete: worker process %d serving; %d draining",
                    static_cast<int>(pending.pid), static_cast<int>(current.pid));
        if (current.pid > 0) {
          kill(current.pid, SIGTERM);
          draining.push_back(current.pid);
        }
        close_ready(&current);
        current = pending;
        pending = Child{};
        if (!announced && on_ready) on_ready();  // (a reload before the first child was ready)
        announced = true;
        child = std::move(pending_body);
        pending_body = nullptr;
        quick_deaths = 0;
        service::reloaded("reloaded: worker process " + std::to_string(current.pid) + " serving");
        restart_at = -1;  // a crashed old child needs no restart any more
      }
      // EOF without the byte: the child is exiting; reaping below reports why.
    }
    if (pending.pid > 0 && monotonic_ms() - pending.started_ms >= kReadyTimeoutMs) {
      HS_LOG_ERROR("supervisor: reload failed: worker process %d not ready after %lld ms; killed",
                   static_cast<int>(pending.pid), static_cast<long long>(kReadyTimeoutMs));
      kill(pending.pid, SIGKILL);
      pending.started_ms = INT64_MAX / 2;  // reported once; reaped below
      service::reloaded("reload failed: the new worker process was not ready in time");
    }

    int st = 0;
    pid_t done;
    while ((done = waitpid(-1, &st, WNOHANG)) > 0) {
      if (done == pending.pid) {
        HS_LOG_ERROR(
            "supervisor: reload failed: the new worker process %d %s before it was ready; the "
            "old configuration stays",
            static_cast<int>(done), describe(st).c_str());
        // (After a timeout, READY=1 went already; systemd ignores a second one.)
        if (pending.started_ms != INT64_MAX / 2) {
          service::reloaded("reload failed: the new worker process " + describe(st) +
                            "; the old configuration stays");
        }
        close_ready(&pending);
        pending = Child{};
        pending_body = nullptr;
        continue;
      }
      auto it = std::find(draining.begin(), draining.end(), done);
      if (it != draining.end()) {
        draining.erase(it);
        HS_LOG_INFO("supervisor: replaced worker process %d %s", static_cast<int>(done),
                    describe(st).c_str());
        continue;
      }
      if (done != current.pid) continue;
      const int64_t lived = monotonic_ms() - current.started_ms;
      close_ready(&current);
      current = Child{};
      if (stopping) {
        if (stop_status == 0) stop_status = exit_status(st);
        continue;
      }
      if (WIFEXITED(st)) {
        if (WEXITSTATUS(st) != 0) {
          HS_LOG_ERROR("supervisor: the worker process exited with status %d; not restarted",
                       WEXITSTATUS(st));
        }
        stop(SIGTERM, exit_status(st));
        continue;
      }
      // The first crash restarts at once; a crash loop backs off: 50 ms, 100 ms, ... 5 s.
      quick_deaths = lived < kQuickDeathMs ? quick_deaths + 1 : 0;
      int64_t delay_ms =
          quick_deaths <= 1
              ? 0
              : std::min<int64_t>(50ll << std::min(quick_deaths - 2, 10), kMaxDelayMs);
      std::string pid_text = std::to_string(done);
      std::string signal_text = std::to_string(WTERMSIG(st));
      HS_LOG_FIELDS(
          LogLevel::kError, {{"pid", pid_text}, {"signal", signal_text}},
          "supervisor: the worker process %d died on signal %d (%s) after %lld ms; restarting%s",
          static_cast<int>(done), WTERMSIG(st), strsignal(WTERMSIG(st)),
          static_cast<long long>(lived), delay_ms > 0 ? " after a delay" : "");
      restart_at = monotonic_ms() + delay_ms;
      base::metrics::g_process_crashes.fetch_add(1);  // the next child inherits it (fork)
    }
    if (current.pid <= 0 && !stopping && restart_at >= 0 && monotonic_ms() >= restart_at) {
      restart_at = -1;
      if (!spawn(child, !announced, {sig_fd, pending.ready_fd}, &current)) {
        HS_LOG_ERROR("cannot restart the worker process: %s", strerror(errno));
        stop(SIGTERM, 1);
        continue;
      }
      HS_LOG_INFO("supervisor: worker process %d started", static_cast<int>(current.pid));
    }
  }
  close(sig_fd);
  return stop_status;
}

}  // namespace hs::server
