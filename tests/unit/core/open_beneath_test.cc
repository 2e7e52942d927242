// open_beneath_walk (user space) against open_beneath (openat2, RESOLVE_BENEATH) on a tree of
// nasty paths and links: each case states what must happen (which file, or which errno), and
// both implementations must do exactly that. The kernel agreeing with every expectation is what
// shows the expectations are RESOLVE_BENEATH's.
#include "core/open_beneath.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>

namespace hs::core {
namespace {

namespace fs = std::filesystem;

class OpenBeneath : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/httpserv-beneath-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    root_ = base_ / "root";
    fs::create_directories(root_ / "sub" / "deeper");
    write(base_ / "secret", "secret");
    write(root_ / "file.txt", "file");
    write(root_ / "sub" / "inner.txt", "inner");
    write(root_ / "sub" / "deeper" / "x.txt", "x");
    link("file.txt", "link_file");
    link("sub", "link_sub");
    link("sub/", "link_sub_slash");
    link("link_file", "link_chain");
    link("sub/../file.txt", "link_up_in");
    link("sub/..", "link_dotdot_inside");
    link("../file.txt", "sub/link_parent_file");
    link("../../secret", "sub/link_escape");
    link("..", "link_parent");
    link("/etc/hostname", "link_abs");
    link((root_ / "file.txt").string(), "link_abs_inside");
    link("loop_b", "loop_a");
    link("loop_a", "loop_b");
    link("nope", "dangling");
    link("/proc/self/root", "link_proc");
    link(".", "self");
    // A chain of exactly 40 links is followed; one more is a loop (the kernel's MAXSYMLINKS).
    link("file.txt", "chain0");
    for (int i = 1; i < 40; ++i)  // chain0 .. chain39: 40 links
      link("chain" + std::to_string(i - 1), "chain" + std::to_string(i));
    ASSERT_EQ(mkfifo((root_ / "fifo").c_str(), 0600), 0);
    root_fd_ = open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(root_fd_, 0);
  }
  void TearDown() override {
    if (root_fd_ >= 0) close(root_fd_);
    fs::remove_all(base_);
  }
  static void write(const fs::path& p, const char* text) {
    FILE* f = fopen(p.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs(text, f);
    fclose(f);
  }
  void link(const std::string& target, const std::string& name) {
    ASSERT_EQ(symlink(target.c_str(), (root_ / name).c_str()), 0) << name;
  }
  // "" for success on the file or directory `want` (relative to the root), else the errno.
  void expect(int (*open_fn)(int, const char*), const char* which, const std::string& path,
              const std::string& want, int want_errno) {
    errno = 0;
    int fd = open_fn(root_fd_, path.c_str());
    int err = errno;
    if (want_errno != 0) {
      EXPECT_LT(fd, 0) << which << " opened '" << path << "'";
      EXPECT_EQ(err, want_errno) << which << " '" << path << "': " << strerror(err);
    } else {
      ASSERT_GE(fd, 0) << which << " '" << path << "': " << strerror(err);
      struct stat got {
      }, ref{};
      ASSERT_EQ(fstat(fd, &got), 0);
      ASSERT_EQ(stat((root_ / want).c_str(), &ref), 0) << want;
      EXPECT_EQ(got.st_ino, ref.st_ino) << which << " '" << path << "' is not " << want;
      EXPECT_EQ(got.st_dev, ref.st_dev);
      int fl = fcntl(fd, F_GETFL);
      EXPECT_EQ(fl & O_ACCMODE, O_RDONLY);
      EXPECT_TRUE(fl & O_NONBLOCK);
      EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    }
    if (fd >= 0) close(fd);
  }
  void check(const std::string& path, const std::string& want, int want_errno = 0) {
    if (kernel_) expect(open_beneath, "openat2", path, want, want_errno);
    expect(open_beneath_walk, "walk", path, want, want_errno);
  }

  fs::path base_, root_;
  int root_fd_ = -1;
  bool kernel_ = true;
};

TEST_F(OpenBeneath, WalkDoesWhatRESOLVE_BENEATHDoes) {
  kernel_ = openat2_works(root_fd_);
  if (!kernel_) std::fprintf(stderr, "openat2 unavailable: checking the walk alone\n");
  // Each path and the file or directory (relative to the root) it must open.
  const std::pair<const char*, const char*> opened[] = {
      {".", "."},
      {"file.txt", "file.txt"},
      {"./file.txt", "file.txt"},
      {"sub", "sub"},
      {"sub/", "sub"},
      {"sub//inner.txt", "sub/inner.txt"},
      {"sub/./inner.txt", "sub/inner.txt"},
      {"sub/../file.txt", "file.txt"},
      {"sub/deeper/../../file.txt", "file.txt"},
      {"sub/..", "."},
      {"link_file", "file.txt"},
      {"link_sub/inner.txt", "sub/inner.txt"},
      {"link_sub", "sub"},
      {"link_sub/", "sub"},
      {"link_sub_slash/deeper/x.txt", "sub/deeper/x.txt"},
      {"link_sub/..", "."},
      {"link_chain", "file.txt"},
      {"link_up_in", "file.txt"},
      {"link_dotdot_inside/file.txt", "file.txt"},
      {"sub/link_parent_file", "file.txt"},
      {"self/self/self/file.txt", "file.txt"},
      {"chain39", "file.txt"},
      {"fifo", "fifo"},  // O_NONBLOCK: opening it does not wait for a writer
  };
  for (const auto& [path, want] : opened)
    check(path, want);
  // Each path and the errno it must fail with.
  const std::pair<const char*, int> refused[] = {
      {"", ENOENT},
      {"..", EXDEV},
      {"../root/file.txt", EXDEV},
      {"sub/../..", EXDEV},
      {"sub/../../root/file.txt", EXDEV},
      {"/etc/hostname", EXDEV},
      {"file.txt/", ENOTDIR},
      {"file.txt/x", ENOTDIR},
      {"nope", ENOENT},
      {"nope/x", ENOENT},
      {"link_sub/../..", EXDEV},
      {"sub/link_escape", EXDEV},
      {"link_parent", EXDEV},
      {"link_parent/root/file.txt", EXDEV},
      {"link_abs", EXDEV},
      {"link_abs_inside", EXDEV},
      {"loop_a", ELOOP},
      {"dangling", ENOENT},
      {"link_proc", EXDEV},
      {"link_proc/etc/hostname", EXDEV},
      {"link_file/", ENOTDIR},
      {"chain39/", ENOTDIR},
  };
  for (const auto& [path, err] : refused)
    check(path, "", err);
  check(std::string(300, 'n'), "", ENAMETOOLONG);
  check("sub/" + std::string(5000, 'n'), "", ENAMETOOLONG);
}

TEST_F(OpenBeneath, FortyOneLinksAreALoop) {
  link("chain39", "chain40");
  if (openat2_works(root_fd_)) expect(open_beneath, "openat2", "chain40", "", ELOOP);
  expect(open_beneath_walk, "walk", "chain40", "", ELOOP);
}

TEST_F(OpenBeneath, WalkClosesWhatItOpened) {
  auto open_fds = [] {
    int n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd"))
      ++n;
    return n;
  };
  int before = open_fds();
  for (const char* p : {"link_sub_slash/deeper/x.txt", "sub/link_escape", "loop_a", "nope/x",
                        "self/self/sub/deeper/../inner.txt"}) {
    int fd = open_beneath_walk(root_fd_, p);
    if (fd >= 0) close(fd);
  }
  EXPECT_EQ(open_fds(), before);
}

}  // namespace
}  // namespace hs::core
