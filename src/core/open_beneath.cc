#include "core/open_beneath.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>
#include <vector>

namespace hs::core {
namespace {

constexpr int kOpenFlags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
constexpr int kMaxLinks = 40;  // the kernel's own bound on links in one resolution

// The directories a walk has entered, each an O_PATH descriptor it owns; empty means `base`.
class DirStack {
 public:
  explicit DirStack(int base) : base_(base) {}
  ~DirStack() {
    for (int fd : fds_)
      close(fd);
  }
  DirStack(const DirStack&) = delete;
  DirStack& operator=(const DirStack&) = delete;

  int top() const { return fds_.empty() ? base_ : fds_.back(); }
  void push(int fd) { fds_.push_back(fd); }
  bool pop() {
    if (fds_.empty()) return false;
    close(fds_.back());
    fds_.pop_back();
    return true;
  }

 private:
  int base_;
  std::vector<int> fds_;
};

int fail(int err) {
  errno = err;
  return -1;
}

}  // namespace

int open_beneath(int dirfd, const char* path) {
  open_how how{};
  how.flags = kOpenFlags;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(syscall(SYS_openat2, dirfd, path, &how, sizeof(how)));
}

bool openat2_works(int dirfd) {
  int fd = open_beneath(dirfd, ".");
  if (fd >= 0) {
    close(fd);
    return true;
  }
  // ENOSYS: an old kernel; EPERM: a seccomp filter that does not know the call. Any other error
  // (EACCES on an unreadable root, say) is the directory's, and openat2 itself works.
  return errno != ENOSYS && errno != EPERM;
}

int open_beneath_walk(int dirfd, const char* path) {
  DirStack dirs(dirfd);
  std::string rest = path;  // what is left to resolve; a link's text replaces its name in it
  size_t pos = 0;
  int links = 0;
  if (rest.empty()) return fail(ENOENT);  // as the kernel says of an empty path
  if (rest.size() >= PATH_MAX) return fail(ENAMETOOLONG);
  if (rest[0] == '/') return fail(EXDEV);
  while (true) {
    while (pos < rest.size() && rest[pos] == '/')
      ++pos;
    if (pos == rest.size()) return openat(dirs.top(), ".", kOpenFlags);  // ".", "a/..", "a/"
    size_t end = rest.find('/', pos);
    if (end == std::string::npos) end = rest.size();
    std::string name = rest.substr(pos, end - pos);
    size_t after = end;
    while (after < rest.size() && rest[after] == '/')
      ++after;
    bool last = after == rest.size();
    bool want_dir = end < rest.size();  // "name/" must be a directory, as in the kernel
    pos = end;
    if (name.size() > NAME_MAX) return fail(ENAMETOOLONG);
    if (name == ".") continue;
    if (name == "..") {
      if (!dirs.pop()) return fail(EXDEV);
      continue;
    }
    if (last && !want_dir) {
      // The final name, opened for real; O_NOFOLLOW makes a link (or a link swapped in since
      // it was looked at) fail with ELOOP rather than be followed by the kernel.
      int fd = openat(dirs.top(), name.c_str(), kOpenFlags | O_NOFOLLOW);
      if (fd >= 0 || errno != ELOOP) return fd;
    }
    int fd = openat(dirs.top(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st {};
    if (fstat(fd, &st) != 0) {
      int err = errno;
      close(fd);
      return fail(err);
    }
    if (S_ISLNK(st.st_mode)) {
      if (++links > kMaxLinks) {
        close(fd);
        return fail(ELOOP);
      }
      char target[PATH_MAX];
      ssize_t n = readlinkat(fd, "", target, sizeof(target));
      int err = errno;
      close(fd);
      if (n < 0) return fail(err);
      if (n == 0 || static_cast<size_t>(n) >= sizeof(target)) return fail(n == 0 ? ENOENT : ELOOP);
      if (target[0] == '/') return fail(EXDEV);  // absolute: RESOLVE_BENEATH refuses it too
      // The link's text stands where its name was; a trailing slash of the name stays after it.
      rest = std::string(target, static_cast<size_t>(n)) + rest.substr(pos);
      pos = 0;
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      close(fd);
      return fail(ENOTDIR);
    }
    if (last) {
      // "name/" naming a directory: open it as the result.
      int dir = openat(fd, ".", kOpenFlags);
      int err = errno;
      close(fd);
      return dir >= 0 ? dir : fail(err);
    }
    dirs.push(fd);
  }
}

}  // namespace hs::core
