// <io.h> for httpserv modules on Linux: the Microsoft CRT's low-level file functions, mapped to
// POSIX (_access, _open, _read, _write, _close, _lseek, _unlink, _dup, _isatty, ...). Mode
// constants: _O_BINARY and _O_TEXT are 0 (no text mode on Linux).

#ifndef HTTPSERV_COMPAT_IO_H_
#define HTTPSERV_COMPAT_IO_H_

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "httpserv_unicode.h"

#define _O_RDONLY O_RDONLY
#define _O_WRONLY O_WRONLY
#define _O_RDWR O_RDWR
#define _O_APPEND O_APPEND
#define _O_CREAT O_CREAT
#define _O_TRUNC O_TRUNC
#define _O_EXCL O_EXCL
#define _O_BINARY 0
#define _O_TEXT 0
#define _O_NOINHERIT O_CLOEXEC
#define _S_IREAD S_IRUSR
#define _S_IWRITE S_IWUSR
#define _A_NORMAL 0x00
#define _A_RDONLY 0x01
#define _A_HIDDEN 0x02
#define _A_SYSTEM 0x04
#define _A_SUBDIR 0x10
#define _A_ARCH 0x20

// Access modes of _access: 0 exists, 2 write, 4 read, 6 both (Windows' values, which are
// POSIX's F_OK/W_OK/R_OK too).
inline int _access(const char* path, int mode) {
  return ::access(path, mode & 6);
}
inline int _waccess(const wchar_t* path, int mode) {
  return ::access(httpserv::compat::wide_to_utf8(path).c_str(), mode & 6);
}
inline int _open(const char* filename, int oflag, int pmode = 0666) {
  return ::open(filename, oflag | O_CLOEXEC, pmode);
}
inline int _wopen(const wchar_t* filename, int oflag, int pmode = 0666) {
  return _open(httpserv::compat::wide_to_utf8(filename).c_str(), oflag, pmode);
}
inline int _sopen(const char* filename, int oflag, int shflag, int pmode = 0666) {
  (void)shflag;
  return _open(filename, oflag, pmode);
}
inline int _read(int fd, void* buffer, unsigned int count) {
  return static_cast<int>(::read(fd, buffer, count));
}
inline int _write(int fd, const void* buffer, unsigned int count) {
  return static_cast<int>(::write(fd, buffer, count));
}
inline int _close(int fd) {
  return ::close(fd);
}
inline long _lseek(int fd, long offset, int origin) {     // NOLINT(runtime/int)
  return static_cast<long>(::lseek(fd, offset, origin));  // NOLINT(runtime/int)
}
inline int64_t _lseeki64(int fd, int64_t offset, int origin) {
  return static_cast<int64_t>(::lseek(fd, static_cast<off_t>(offset), origin));
}
inline int64_t _telli64(int fd) {
  return static_cast<int64_t>(::lseek(fd, 0, SEEK_CUR));
}
inline int64_t _filelengthi64(int fd) {
  struct stat st;
  return ::fstat(fd, &st) == 0 ? static_cast<int64_t>(st.st_size) : -1;
}
inline long _filelength(int fd) {                // NOLINT(runtime/int)
  return static_cast<long>(_filelengthi64(fd));  // NOLINT(runtime/int)
}
inline int _unlink(const char* path) {
  return ::unlink(path);
}
inline int _wunlink(const wchar_t* path) {
  return ::unlink(httpserv::compat::wide_to_utf8(path).c_str());
}
inline int _dup(int fd) {
  return ::dup(fd);
}
inline int _dup2(int fd1, int fd2) {
  return ::dup2(fd1, fd2);
}
inline int _isatty(int fd) {
  return ::isatty(fd);
}
inline int _chmod(const char* path, int mode) {
  return ::chmod(path, static_cast<mode_t>(mode));
}
inline int _setmode(int fd, int mode) {
  (void)fd;
  (void)mode;
  return _O_BINARY;  // no text mode: every descriptor is binary
}
inline int _eof(int fd) {
  off_t here = ::lseek(fd, 0, SEEK_CUR);
  struct stat st;
  if (here < 0 || ::fstat(fd, &st) != 0) return -1;
  return here >= st.st_size ? 1 : 0;
}
inline int _commit(int fd) {
  return ::fsync(fd);
}

#endif  // HTTPSERV_COMPAT_IO_H_
