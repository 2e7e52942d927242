#pragma once
// Opening a path so that its resolution cannot leave a directory: the containment the static
// handler relies on (static_file_handler.h).
//
// open_beneath() uses openat2() with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS: the kernel refuses
// any resolution that would leave `dirfd` — "..", an absolute symlink, a symlink to outside —
// with EXDEV. Kernels before 5.6, and sandboxes whose seccomp filter predates openat2, lack it
// (ENOSYS, or EPERM from the filter); there open_beneath_walk() does the same in user space:
// it opens one component at a time with O_NOFOLLOW, so the kernel never follows a link itself,
// reads each link and walks its text in its place, refuses an absolute link or a ".." above
// `dirfd` with EXDEV, and gives ELOOP after 40 links, as the kernel does. ".." returns to the
// directory descriptor the walk came through, so renaming a directory out of the tree midway
// cannot lead outside either.
//
// Both return an open descriptor (flags O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK: a FIFO in
// the tree cannot block the loop) or -1 with errno set. `path` is relative to `dirfd`.

namespace hs::core {

int open_beneath(int dirfd, const char* path);
int open_beneath_walk(int dirfd, const char* path);

// True when openat2 works here (probed once, on a directory descriptor the caller owns).
bool openat2_works(int dirfd);

}  // namespace hs::core
