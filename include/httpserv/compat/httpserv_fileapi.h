// Win32 file functions for httpserv modules on Linux (fileapi.h): CreateFile, ReadFile,
// WriteFile, SetFilePointer[Ex], GetFileSize[Ex], GetFileType, FlushFileBuffers, DeleteFile,
// MoveFile, CopyFile, CreateDirectory, RemoveDirectory, GetFileAttributes[Ex], FindFirstFile /
// FindNextFile / FindClose, GetOverlappedResult, GetFullPathName, GetTempPath, GetCurrentDirectory.
// Included by <windows.h> (winbase.h).
//
// Decisions (docs/iis-headers.md, "Files"):
//   - A file handle is the descriptor: (HANDLE)(intptr_t)fd, opened O_CLOEXEC, never 0..2 (a
//     descriptor below 3 is moved up, so a handle is never NULL). It can be put into an
//     HttpDataChunkFromFileHandle chunk, and closed with CloseHandle.
//   - Paths are POSIX paths: '\' is NOT translated, names are case-sensitive; A functions take
//     UTF-8, W functions wchar_t (converted to UTF-8).
//   - Sharing modes are ignored (POSIX has no mandatory locks); FILE_FLAG_OVERLAPPED handles do
//     synchronous I/O at the OVERLAPPED's Offset (pread/pwrite), complete at once, set the
//     OVERLAPPED's hEvent if it is an event, and report TRUE (never ERROR_IO_PENDING), so
//     GetOverlappedResult afterwards returns the byte count.
//   - Failures set GetLastError() from errno (httpserv_lasterror.h).

#ifndef HTTPSERV_COMPAT_HTTPSERV_FILEAPI_H_
#define HTTPSERV_COMPAT_HTTPSERV_FILEAPI_H_

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cwchar>
#include <string>

#include "httpserv_handles.h"
#include "httpserv_lasterror.h"
#include "httpserv_unicode.h"
#include "windef.h"
#include "winerror.h"

#define GENERIC_READ 0x80000000u
#define GENERIC_WRITE 0x40000000u
#define GENERIC_EXECUTE 0x20000000u
#define GENERIC_ALL 0x10000000u
#define FILE_READ_DATA 0x0001
#define FILE_WRITE_DATA 0x0002
#define FILE_APPEND_DATA 0x0004
#define FILE_READ_ATTRIBUTES 0x0080
#define FILE_SHARE_READ 0x00000001
#define FILE_SHARE_WRITE 0x00000002
#define FILE_SHARE_DELETE 0x00000004
#define CREATE_NEW 1
#define CREATE_ALWAYS 2
#define OPEN_EXISTING 3
#define OPEN_ALWAYS 4
#define TRUNCATE_EXISTING 5
#define FILE_ATTRIBUTE_READONLY 0x00000001
#define FILE_ATTRIBUTE_HIDDEN 0x00000002
#define FILE_ATTRIBUTE_SYSTEM 0x00000004
#define FILE_ATTRIBUTE_DIRECTORY 0x00000010
#define FILE_ATTRIBUTE_ARCHIVE 0x00000020
#define FILE_ATTRIBUTE_DEVICE 0x00000040
#define FILE_ATTRIBUTE_NORMAL 0x00000080
#define FILE_ATTRIBUTE_TEMPORARY 0x00000100
#define FILE_ATTRIBUTE_REPARSE_POINT 0x00000400
#define INVALID_FILE_ATTRIBUTES ((DWORD)-1)
#define FILE_FLAG_WRITE_THROUGH 0x80000000u
#define FILE_FLAG_OVERLAPPED 0x40000000u
#define FILE_FLAG_NO_BUFFERING 0x20000000u
#define FILE_FLAG_RANDOM_ACCESS 0x10000000u
#define FILE_FLAG_SEQUENTIAL_SCAN 0x08000000u
#define FILE_FLAG_DELETE_ON_CLOSE 0x04000000u
#define FILE_FLAG_BACKUP_SEMANTICS 0x02000000u
#define FILE_BEGIN 0
#define FILE_CURRENT 1
#define FILE_END 2
#define INVALID_SET_FILE_POINTER ((DWORD)-1)
#define INVALID_FILE_SIZE ((DWORD)0xFFFFFFFF)
#define FILE_TYPE_UNKNOWN 0x0000
#define FILE_TYPE_DISK 0x0001
#define FILE_TYPE_CHAR 0x0002
#define FILE_TYPE_PIPE 0x0003
#define MOVEFILE_REPLACE_EXISTING 0x00000001
#define MOVEFILE_COPY_ALLOWED 0x00000002
#define STD_INPUT_HANDLE ((DWORD)-10)
#define STD_OUTPUT_HANDLE ((DWORD)-11)
#define STD_ERROR_HANDLE ((DWORD)-12)

struct WIN32_FIND_DATAA {
  DWORD dwFileAttributes;
  FILETIME ftCreationTime;
  FILETIME ftLastAccessTime;
  FILETIME ftLastWriteTime;
  DWORD nFileSizeHigh;
  DWORD nFileSizeLow;
  DWORD dwReserved0;
  DWORD dwReserved1;
  CHAR cFileName[MAX_PATH];
  CHAR cAlternateFileName[14];
};
struct WIN32_FIND_DATAW {
  DWORD dwFileAttributes;
  FILETIME ftCreationTime;
  FILETIME ftLastAccessTime;
  FILETIME ftLastWriteTime;
  DWORD nFileSizeHigh;
  DWORD nFileSizeLow;
  DWORD dwReserved0;
  DWORD dwReserved1;
  WCHAR cFileName[MAX_PATH];
  WCHAR cAlternateFileName[14];
};
typedef WIN32_FIND_DATAA* LPWIN32_FIND_DATAA;
typedef WIN32_FIND_DATAW* LPWIN32_FIND_DATAW;

struct WIN32_FILE_ATTRIBUTE_DATA {
  DWORD dwFileAttributes;
  FILETIME ftCreationTime;
  FILETIME ftLastAccessTime;
  FILETIME ftLastWriteTime;
  DWORD nFileSizeHigh;
  DWORD nFileSizeLow;
};
typedef WIN32_FILE_ATTRIBUTE_DATA* LPWIN32_FILE_ATTRIBUTE_DATA;
enum GET_FILEEX_INFO_LEVELS { GetFileExInfoStandard, GetFileExMaxInfoLevel };

namespace httpserv::compat {

// 100-ns ticks since 1601-01-01 UTC of a timespec (the FILETIME epoch).
inline FILETIME filetime_from_timespec(const timespec& ts) {
  const uint64_t ticks = static_cast<uint64_t>(ts.tv_sec) * 10000000u +
                         static_cast<uint64_t>(ts.tv_nsec) / 100u + 116444736000000000ull;
  return FILETIME{static_cast<DWORD>(ticks), static_cast<DWORD>(ticks >> 32)};
}

// Win32 attributes of a stat result: DIRECTORY or ARCHIVE (a regular file, as IIS reports it),
// READONLY when the process cannot write it, HIDDEN for a name starting with '.'.
inline DWORD attributes_of(const struct stat& st, const char* path) {
  DWORD a = S_ISDIR(st.st_mode) ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_ARCHIVE;
  if (path != nullptr && ::access(path, W_OK) != 0) a |= FILE_ATTRIBUTE_READONLY;
  if (path != nullptr) {
    const char* base = std::strrchr(path, '/');
    base = base != nullptr ? base + 1 : path;
    if (base[0] == '.' && base[1] != '\0' && std::strcmp(base, "..") != 0)
      a |= FILE_ATTRIBUTE_HIDDEN;
  }
  return a;
}

inline int fd_of(HANDLE h) {
  if (!is_fd_handle(h) || h == nullptr) return -1;
  return HttpservFdFromHandle(h);
}

inline HANDLE create_file(const char* path, DWORD access, DWORD disposition, DWORD flags) {
  if (path == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return INVALID_HANDLE_VALUE;
  }
  int oflags = O_CLOEXEC;
  const bool rd = (access & (GENERIC_READ | GENERIC_ALL | FILE_READ_DATA)) != 0;
  const bool wr =
      (access & (GENERIC_WRITE | GENERIC_ALL | FILE_WRITE_DATA | FILE_APPEND_DATA)) != 0;
  oflags |= rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY;
  if ((access & FILE_APPEND_DATA) != 0 && (access & (GENERIC_WRITE | FILE_WRITE_DATA)) == 0)
    oflags |= O_APPEND;
  bool existed = ::access(path, F_OK) == 0;
  switch (disposition) {
    case CREATE_NEW:
      oflags |= O_CREAT | O_EXCL;
      break;
    case CREATE_ALWAYS:
      oflags |= O_CREAT | O_TRUNC;
      break;
    case OPEN_EXISTING:
      break;
    case OPEN_ALWAYS:
      oflags |= O_CREAT;
      break;
    case TRUNCATE_EXISTING:
      oflags |= O_TRUNC;
      break;
    default:
      SetLastError(ERROR_INVALID_PARAMETER);
      return INVALID_HANDLE_VALUE;
  }
  if ((flags & FILE_FLAG_WRITE_THROUGH) != 0) oflags |= O_DSYNC;
  struct stat st;
  if (::stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    // Directories open only with FILE_FLAG_BACKUP_SEMANTICS, read-only.
    if ((flags & FILE_FLAG_BACKUP_SEMANTICS) == 0) {
      SetLastError(ERROR_ACCESS_DENIED);
      return INVALID_HANDLE_VALUE;
    }
    oflags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
  }
  int fd = ::open(path, oflags, 0666);
  if (fd < 0) {
    set_last_error_from_errno();
    return INVALID_HANDLE_VALUE;
  }
  if (fd < 3) {  // keep 0 (NULL) and the standard streams out of handle space
    int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    ::close(fd);
    if (moved < 0) {
      set_last_error_from_errno();
      return INVALID_HANDLE_VALUE;
    }
    fd = moved;
  }
  if ((flags & FILE_FLAG_DELETE_ON_CLOSE) != 0) ::unlink(path);  // gone once the fd closes
  // As on Windows: success, but ERROR_ALREADY_EXISTS when OPEN_ALWAYS / CREATE_ALWAYS found it.
  SetLastError(existed && (disposition == OPEN_ALWAYS || disposition == CREATE_ALWAYS)
                   ? ERROR_ALREADY_EXISTS
                   : ERROR_SUCCESS);
  return HttpservHandleFromFd(fd);
}

inline void signal_overlapped(LPOVERLAPPED o, size_t n) {
  if (o == nullptr) return;
  o->Internal = 0;  // STATUS_SUCCESS
  o->InternalHigh = n;
  if (o->hEvent != nullptr && is_object_handle(o->hEvent)) {
    auto* e = object_as<EventObject>(o->hEvent, KernelObject::Kind::kEvent);
    if (e != nullptr) {
      std::lock_guard<std::mutex> lock(e->mu);
      e->set_locked(true);
    }
  }
}

struct FindState {
  DIR* dir = nullptr;
  std::string directory;
  std::string pattern;
};

class FindObject final : public KernelObject {
 public:
  FindObject() : KernelObject(Kind::kOther) {}
  ~FindObject() override {
    if (state.dir != nullptr) ::closedir(state.dir);
  }
  bool waitable() const override { return false; }
  FindState state;
};

// The next directory entry matching the pattern (shell wildcards, case-sensitive), or false
// (ERROR_NO_MORE_FILES).
inline bool find_next(FindState& s, WIN32_FIND_DATAA* out_narrow, WIN32_FIND_DATAW* out_wide) {
  while (dirent* e = ::readdir(s.dir)) {
    const std::string pat = s.pattern == "*.*" ? "*" : s.pattern;
    if (::fnmatch(pat.c_str(), e->d_name, FNM_PERIOD) != 0 &&
        !(pat == "*" && (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0))) {
      continue;
    }
    std::string full = s.directory + "/" + e->d_name;
    struct stat st;
    if (::stat(full.c_str(), &st) != 0 && ::lstat(full.c_str(), &st) != 0) continue;
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    auto fill = [&](auto* d) {
      d->dwFileAttributes = attributes_of(st, full.c_str());
      d->ftCreationTime = filetime_from_timespec(st.st_ctim);
      d->ftLastAccessTime = filetime_from_timespec(st.st_atim);
      d->ftLastWriteTime = filetime_from_timespec(st.st_mtim);
      d->nFileSizeHigh = static_cast<DWORD>(size >> 32);
      d->nFileSizeLow = static_cast<DWORD>(size);
      d->dwReserved0 = d->dwReserved1 = 0;
      d->cAlternateFileName[0] = 0;
    };
    if (out_narrow != nullptr) {
      fill(out_narrow);
      std::snprintf(out_narrow->cFileName, MAX_PATH, "%s", e->d_name);
    } else {
      fill(out_wide);
      std::wstring w = utf8_to_wide(e->d_name);
      w.resize(std::min<size_t>(w.size(), MAX_PATH - 1));
      std::wmemcpy(out_wide->cFileName, w.c_str(), w.size() + 1);
    }
    return true;
  }
  SetLastError(ERROR_NO_MORE_FILES);
  return false;
}

inline HANDLE find_first(const char* spec, WIN32_FIND_DATAA* n, WIN32_FIND_DATAW* w) {
  if (spec == nullptr || (n == nullptr && w == nullptr)) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return INVALID_HANDLE_VALUE;
  }
  std::string s = spec;
  size_t slash = s.rfind('/');
  auto* f = new (std::nothrow) FindObject;
  if (f == nullptr) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return INVALID_HANDLE_VALUE;
  }
  f->state.directory = slash == std::string::npos ? "." : slash == 0 ? "/" : s.substr(0, slash);
  f->state.pattern = slash == std::string::npos ? s : s.substr(slash + 1);
  f->state.dir = ::opendir(f->state.directory.c_str());
  if (f->state.dir == nullptr) {
    set_last_error_from_errno();
    if (GetLastError() == ERROR_FILE_NOT_FOUND) SetLastError(ERROR_PATH_NOT_FOUND);
    f->release();
    return INVALID_HANDLE_VALUE;
  }
  if (!find_next(f->state, n, w)) {
    f->release();
    SetLastError(ERROR_FILE_NOT_FOUND);
    return INVALID_HANDLE_VALUE;
  }
  return handle_of(f);
}

}  // namespace httpserv::compat

// Opens or creates a file (see above). INVALID_HANDLE_VALUE on failure.
inline HANDLE CreateFileA(LPCSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                          LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition,
                          DWORD dwFlagsAndAttributes, HANDLE hTemplateFile) {
  (void)dwShareMode;
  (void)lpSecurityAttributes;
  (void)hTemplateFile;
  return httpserv::compat::create_file(lpFileName, dwDesiredAccess, dwCreationDisposition,
                                       dwFlagsAndAttributes);
}
inline HANDLE CreateFileW(LPCWSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                          LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition,
                          DWORD dwFlagsAndAttributes, HANDLE hTemplateFile) {
  if (lpFileName == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return INVALID_HANDLE_VALUE;
  }
  return CreateFileA(httpserv::compat::wide_to_utf8(lpFileName).c_str(), dwDesiredAccess,
                     dwShareMode, lpSecurityAttributes, dwCreationDisposition, dwFlagsAndAttributes,
                     hTemplateFile);
}

// Reads up to nNumberOfBytesToRead bytes (0 read at the end of the file, with TRUE). With an
// OVERLAPPED, at its offset (see above).
inline BOOL ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead,
                     LPDWORD lpNumberOfBytesRead, LPOVERLAPPED lpOverlapped) {
  using namespace httpserv::compat;
  if (lpNumberOfBytesRead != nullptr) *lpNumberOfBytesRead = 0;
  int fd = fd_of(hFile);
  if (fd < 0) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  ssize_t n;
  do {
    if (lpOverlapped != nullptr) {
      const off_t off = static_cast<off_t>((static_cast<uint64_t>(lpOverlapped->OffsetHigh) << 32) |
                                           lpOverlapped->Offset);
      n = ::pread(fd, lpBuffer, nNumberOfBytesToRead, off);
    } else {
      n = ::read(fd, lpBuffer, nNumberOfBytesToRead);
    }
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    set_last_error_from_errno();
    return FALSE;
  }
  if (lpNumberOfBytesRead != nullptr) *lpNumberOfBytesRead = static_cast<DWORD>(n);
  signal_overlapped(lpOverlapped, static_cast<size_t>(n));
  return TRUE;
}

// Writes all nNumberOfBytesToWrite bytes (looping over short writes).
inline BOOL WriteFile(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite,
                      LPDWORD lpNumberOfBytesWritten, LPOVERLAPPED lpOverlapped) {
  using namespace httpserv::compat;
  if (lpNumberOfBytesWritten != nullptr) *lpNumberOfBytesWritten = 0;
  int fd = fd_of(hFile);
  if (fd < 0) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  const char* p = static_cast<const char*>(lpBuffer);
  size_t done = 0;
  off_t off = lpOverlapped != nullptr
                  ? static_cast<off_t>((static_cast<uint64_t>(lpOverlapped->OffsetHigh) << 32) |
                                       lpOverlapped->Offset)
                  : 0;
  while (done < nNumberOfBytesToWrite) {
    ssize_t n = lpOverlapped != nullptr ? ::pwrite(fd, p + done, nNumberOfBytesToWrite - done,
                                                   off + static_cast<off_t>(done))
                                        : ::write(fd, p + done, nNumberOfBytesToWrite - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      set_last_error_from_errno();
      if (lpNumberOfBytesWritten != nullptr) *lpNumberOfBytesWritten = static_cast<DWORD>(done);
      return FALSE;
    }
    done += static_cast<size_t>(n);
  }
  if (lpNumberOfBytesWritten != nullptr) *lpNumberOfBytesWritten = static_cast<DWORD>(done);
  signal_overlapped(lpOverlapped, done);
  return TRUE;
}

// The result of an operation on an OVERLAPPED; operations here always completed already.
inline BOOL GetOverlappedResult(HANDLE hFile, LPOVERLAPPED lpOverlapped,
                                LPDWORD lpNumberOfBytesTransferred, BOOL bWait) {
  (void)hFile;
  (void)bWait;
  if (lpOverlapped == nullptr || lpNumberOfBytesTransferred == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  *lpNumberOfBytesTransferred = static_cast<DWORD>(lpOverlapped->InternalHigh);
  return TRUE;
}

inline BOOL SetFilePointerEx(HANDLE hFile, LARGE_INTEGER liDistanceToMove,
                             PLARGE_INTEGER lpNewFilePointer, DWORD dwMoveMethod) {
  int fd = httpserv::compat::fd_of(hFile);
  if (fd < 0) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  int whence = dwMoveMethod == FILE_BEGIN     ? SEEK_SET
               : dwMoveMethod == FILE_CURRENT ? SEEK_CUR
               : dwMoveMethod == FILE_END     ? SEEK_END
                                              : -1;
  if (whence < 0) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  off_t pos = ::lseek(fd, static_cast<off_t>(liDistanceToMove.QuadPart), whence);
  if (pos < 0) {
    SetLastError(errno == EINVAL ? ERROR_NEGATIVE_SEEK
                                 : httpserv::compat::win32_error_from_errno(errno));
    return FALSE;
  }
  if (lpNewFilePointer != nullptr) lpNewFilePointer->QuadPart = pos;
  return TRUE;
}
// The 32-bit form: the high half of the distance in *lpDistanceToMoveHigh (in and out).
inline DWORD SetFilePointer(HANDLE hFile, LONG lDistanceToMove, PLONG lpDistanceToMoveHigh,
                            DWORD dwMoveMethod) {
  LARGE_INTEGER d;
  d.QuadPart =
      lpDistanceToMoveHigh != nullptr
          ? static_cast<LONGLONG>(
                (static_cast<uint64_t>(static_cast<uint32_t>(*lpDistanceToMoveHigh)) << 32) |
                static_cast<uint32_t>(lDistanceToMove))
          : lDistanceToMove;
  LARGE_INTEGER now;
  if (!SetFilePointerEx(hFile, d, &now, dwMoveMethod)) return INVALID_SET_FILE_POINTER;
  if (lpDistanceToMoveHigh != nullptr) *lpDistanceToMoveHigh = now.HighPart;
  SetLastError(ERROR_SUCCESS);
  return now.LowPart;
}
inline BOOL SetEndOfFile(HANDLE hFile) {
  int fd = httpserv::compat::fd_of(hFile);
  off_t pos = fd < 0 ? -1 : ::lseek(fd, 0, SEEK_CUR);
  if (pos < 0 || ::ftruncate(fd, pos) != 0) {
    httpserv::compat::set_last_error_from_errno();
    return FALSE;
  }
  return TRUE;
}
inline BOOL GetFileSizeEx(HANDLE hFile, PLARGE_INTEGER lpFileSize) {
  struct stat st;
  int fd = httpserv::compat::fd_of(hFile);
  if (fd < 0 || lpFileSize == nullptr || ::fstat(fd, &st) != 0) {
    SetLastError(fd < 0 ? ERROR_INVALID_HANDLE : ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  lpFileSize->QuadPart = st.st_size;
  return TRUE;
}
inline DWORD GetFileSize(HANDLE hFile, LPDWORD lpFileSizeHigh) {
  LARGE_INTEGER size;
  if (!GetFileSizeEx(hFile, &size)) return INVALID_FILE_SIZE;
  if (lpFileSizeHigh != nullptr) *lpFileSizeHigh = static_cast<DWORD>(size.HighPart);
  SetLastError(ERROR_SUCCESS);
  return size.LowPart;
}
// FILE_TYPE_DISK for files and directories, FILE_TYPE_CHAR for terminals and devices,
// FILE_TYPE_PIPE for pipes and sockets, FILE_TYPE_UNKNOWN (ERROR_INVALID_HANDLE) otherwise.
inline DWORD GetFileType(HANDLE hFile) {
  struct stat st;
  int fd = httpserv::compat::fd_of(hFile);
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FILE_TYPE_UNKNOWN;
  }
  SetLastError(ERROR_SUCCESS);
  if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) return FILE_TYPE_DISK;
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) return FILE_TYPE_CHAR;
  if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) return FILE_TYPE_PIPE;
  return FILE_TYPE_UNKNOWN;
}
inline BOOL GetFileTime(HANDLE hFile, LPFILETIME lpCreationTime, LPFILETIME lpLastAccessTime,
                        LPFILETIME lpLastWriteTime) {
  struct stat st;
  int fd = httpserv::compat::fd_of(hFile);
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  using httpserv::compat::filetime_from_timespec;
  if (lpCreationTime != nullptr) *lpCreationTime = filetime_from_timespec(st.st_ctim);
  if (lpLastAccessTime != nullptr) *lpLastAccessTime = filetime_from_timespec(st.st_atim);
  if (lpLastWriteTime != nullptr) *lpLastWriteTime = filetime_from_timespec(st.st_mtim);
  return TRUE;
}
inline BOOL FlushFileBuffers(HANDLE hFile) {
  int fd = httpserv::compat::fd_of(hFile);
  if (fd < 0 || ::fsync(fd) != 0) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  return TRUE;
}
// The standard streams as descriptor handles 0..2 (STD_INPUT_HANDLE is NULL, fd 0, as a
// handle: use it only with ReadFile/WriteFile).
inline HANDLE GetStdHandle(DWORD nStdHandle) {
  switch (nStdHandle) {
    case STD_INPUT_HANDLE:
      return HttpservHandleFromFd(0);
    case STD_OUTPUT_HANDLE:
      return HttpservHandleFromFd(1);
    case STD_ERROR_HANDLE:
      return HttpservHandleFromFd(2);
    default:
      return INVALID_HANDLE_VALUE;
  }
}

inline DWORD GetFileAttributesA(LPCSTR lpFileName) {
  struct stat st;
  if (lpFileName == nullptr || ::stat(lpFileName, &st) != 0) {
    httpserv::compat::set_last_error_from_errno();
    return INVALID_FILE_ATTRIBUTES;
  }
  return httpserv::compat::attributes_of(st, lpFileName);
}
inline DWORD GetFileAttributesW(LPCWSTR lpFileName) {
  if (lpFileName == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return INVALID_FILE_ATTRIBUTES;
  }
  return GetFileAttributesA(httpserv::compat::wide_to_utf8(lpFileName).c_str());
}
inline BOOL GetFileAttributesExA(LPCSTR lpFileName, GET_FILEEX_INFO_LEVELS fInfoLevelId,
                                 LPVOID lpFileInformation) {
  struct stat st;
  if (lpFileName == nullptr || fInfoLevelId != GetFileExInfoStandard ||
      lpFileInformation == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  if (::stat(lpFileName, &st) != 0) {
    httpserv::compat::set_last_error_from_errno();
    return FALSE;
  }
  auto* d = static_cast<WIN32_FILE_ATTRIBUTE_DATA*>(lpFileInformation);
  using httpserv::compat::filetime_from_timespec;
  d->dwFileAttributes = httpserv::compat::attributes_of(st, lpFileName);
  d->ftCreationTime = filetime_from_timespec(st.st_ctim);
  d->ftLastAccessTime = filetime_from_timespec(st.st_atim);
  d->ftLastWriteTime = filetime_from_timespec(st.st_mtim);
  d->nFileSizeHigh = static_cast<DWORD>(static_cast<uint64_t>(st.st_size) >> 32);
  d->nFileSizeLow = static_cast<DWORD>(st.st_size);
  return TRUE;
}
inline BOOL GetFileAttributesExW(LPCWSTR lpFileName, GET_FILEEX_INFO_LEVELS fInfoLevelId,
                                 LPVOID lpFileInformation) {
  if (lpFileName == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  return GetFileAttributesExA(httpserv::compat::wide_to_utf8(lpFileName).c_str(), fInfoLevelId,
                              lpFileInformation);
}

// lpFileName: "dir/pattern" with shell wildcards ('*', '?'); "*.*" means every name. The handle
// is closed with FindClose.
inline HANDLE FindFirstFileA(LPCSTR lpFileName, LPWIN32_FIND_DATAA lpFindFileData) {
  return httpserv::compat::find_first(lpFileName, lpFindFileData, nullptr);
}
inline HANDLE FindFirstFileW(LPCWSTR lpFileName, LPWIN32_FIND_DATAW lpFindFileData) {
  if (lpFileName == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return INVALID_HANDLE_VALUE;
  }
  return httpserv::compat::find_first(httpserv::compat::wide_to_utf8(lpFileName).c_str(), nullptr,
                                      lpFindFileData);
}
inline BOOL FindNextFileA(HANDLE hFindFile, LPWIN32_FIND_DATAA lpFindFileData) {
  using namespace httpserv::compat;
  KernelObject* o = object_of(hFindFile);
  auto* f = o != nullptr && o->kind() == KernelObject::Kind::kOther ? dynamic_cast<FindObject*>(o)
                                                                    : nullptr;
  if (f == nullptr || lpFindFileData == nullptr) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  return find_next(f->state, lpFindFileData, nullptr) ? TRUE : FALSE;
}
inline BOOL FindNextFileW(HANDLE hFindFile, LPWIN32_FIND_DATAW lpFindFileData) {
  using namespace httpserv::compat;
  KernelObject* o = object_of(hFindFile);
  auto* f = o != nullptr && o->kind() == KernelObject::Kind::kOther ? dynamic_cast<FindObject*>(o)
                                                                    : nullptr;
  if (f == nullptr || lpFindFileData == nullptr) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  return find_next(f->state, nullptr, lpFindFileData) ? TRUE : FALSE;
}
inline BOOL FindClose(HANDLE hFindFile) {
  if (httpserv::compat::object_of(hFindFile) == nullptr) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  return CloseHandle(hFindFile);
}

inline BOOL DeleteFileA(LPCSTR lpFileName) {
  if (lpFileName == nullptr || ::unlink(lpFileName) != 0) {
    httpserv::compat::set_last_error_from_errno();
    return FALSE;
  }
  return TRUE;
}
inline BOOL DeleteFileW(LPCWSTR lpFileName) {
  return lpFileName != nullptr && DeleteFileA(httpserv::compat::wide_to_utf8(lpFileName).c_str());
}
inline BOOL CreateDirectoryA(LPCSTR lpPathName, LPSECURITY_ATTRIBUTES lpSecurityAttributes) {
  (void)lpSecurityAttributes;
  if (lpPathName == nullptr || ::mkdir(lpPathName, 0777) != 0) {
    SetLastError(errno == EEXIST ? ERROR_ALREADY_EXISTS
                                 : httpserv::compat::win32_error_from_errno(errno));
    return FALSE;
  }
  return TRUE;
}
inline BOOL CreateDirectoryW(LPCWSTR lpPathName, LPSECURITY_ATTRIBUTES lpSecurityAttributes) {
  return lpPathName != nullptr &&
         CreateDirectoryA(httpserv::compat::wide_to_utf8(lpPathName).c_str(), lpSecurityAttributes);
}
inline BOOL RemoveDirectoryA(LPCSTR lpPathName) {
  if (lpPathName == nullptr || ::rmdir(lpPathName) != 0) {
    httpserv::compat::set_last_error_from_errno();
    return FALSE;
  }
  return TRUE;
}
inline BOOL RemoveDirectoryW(LPCWSTR lpPathName) {
  return lpPathName != nullptr &&
         RemoveDirectoryA(httpserv::compat::wide_to_utf8(lpPathName).c_str());
}
inline BOOL MoveFileExA(LPCSTR from, LPCSTR to, DWORD dwFlags) {
  if (from == nullptr || to == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  if ((dwFlags & MOVEFILE_REPLACE_EXISTING) == 0 && ::access(to, F_OK) == 0) {
    SetLastError(ERROR_ALREADY_EXISTS);
    return FALSE;
  }
  if (::rename(from, to) != 0) {
    httpserv::compat::set_last_error_from_errno();
    return FALSE;
  }
  return TRUE;
}
inline BOOL MoveFileA(LPCSTR from, LPCSTR to) {
  return MoveFileExA(from, to, 0);
}
inline BOOL MoveFileExW(LPCWSTR from, LPCWSTR to, DWORD dwFlags) {
  if (from == nullptr || to == nullptr) return FALSE;
  return MoveFileExA(httpserv::compat::wide_to_utf8(from).c_str(),
                     httpserv::compat::wide_to_utf8(to).c_str(), dwFlags);
}
inline BOOL MoveFileW(LPCWSTR from, LPCWSTR to) {
  return MoveFileExW(from, to, 0);
}
inline BOOL CopyFileA(LPCSTR from, LPCSTR to, BOOL bFailIfExists) {
  HANDLE in = CreateFileA(from, GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING, 0, nullptr);
  if (in == INVALID_HANDLE_VALUE) return FALSE;
  HANDLE out = CreateFileA(to, GENERIC_WRITE, 0, nullptr,
                           bFailIfExists ? CREATE_NEW : CREATE_ALWAYS, 0, nullptr);
  if (out == INVALID_HANDLE_VALUE) {
    DWORD e = GetLastError();
    CloseHandle(in);
    SetLastError(e == ERROR_FILE_EXISTS ? ERROR_FILE_EXISTS : e);
    return FALSE;
  }
  char buf[65536];
  DWORD n = 0;
  BOOL ok = TRUE;
  while ((ok = ReadFile(in, buf, sizeof(buf), &n, nullptr)) && n > 0) {
    if (!WriteFile(out, buf, n, nullptr, nullptr)) {
      ok = FALSE;
      break;
    }
  }
  DWORD e = GetLastError();
  CloseHandle(in);
  CloseHandle(out);
  if (!ok) SetLastError(e);
  return ok;
}
inline BOOL CopyFileW(LPCWSTR from, LPCWSTR to, BOOL bFailIfExists) {
  if (from == nullptr || to == nullptr) return FALSE;
  return CopyFileA(httpserv::compat::wide_to_utf8(from).c_str(),
                   httpserv::compat::wide_to_utf8(to).c_str(), bFailIfExists);
}

// An absolute, lexically normalised path (realpath-like without touching the disk for the
// last component); *lpFilePart points at the file name in the result. Returns the length, or
// the size needed (with the terminator) when nBufferLength is too small; 0 on error.
inline DWORD GetFullPathNameA(LPCSTR lpFileName, DWORD nBufferLength, LPSTR lpBuffer,
                              LPSTR* lpFilePart) {
  if (lpFileName == nullptr || *lpFileName == '\0') {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  std::string path = lpFileName;
  if (path[0] != '/') {
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof(cwd)) == nullptr) {
      httpserv::compat::set_last_error_from_errno();
      return 0;
    }
    path = std::string(cwd) + "/" + path;
  }
  std::string out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string seg = path.substr(i, j - i);
    if (seg == "..") {
      size_t cut = out.rfind('/');
      out.resize(cut == std::string::npos ? 0 : cut);
    } else if (!seg.empty() && seg != ".") {
      out += "/" + seg;
    }
    i = j + 1;
  }
  if (out.empty()) out = "/";
  if (nBufferLength < out.size() + 1 || lpBuffer == nullptr)
    return static_cast<DWORD>(out.size() + 1);
  std::memcpy(lpBuffer, out.c_str(), out.size() + 1);
  if (lpFilePart != nullptr) *lpFilePart = lpBuffer + out.rfind('/') + 1;
  return static_cast<DWORD>(out.size());
}
inline DWORD GetFullPathNameW(LPCWSTR lpFileName, DWORD nBufferLength, LPWSTR lpBuffer,
                              LPWSTR* lpFilePart) {
  if (lpFileName == nullptr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  char narrow[PATH_MAX * 2];
  DWORD n = GetFullPathNameA(httpserv::compat::wide_to_utf8(lpFileName).c_str(), sizeof(narrow),
                             narrow, nullptr);
  if (n == 0 || n >= sizeof(narrow)) return 0;
  std::wstring w = httpserv::compat::utf8_to_wide(narrow);
  if (nBufferLength < w.size() + 1 || lpBuffer == nullptr) return static_cast<DWORD>(w.size() + 1);
  std::wmemcpy(lpBuffer, w.c_str(), w.size() + 1);
  if (lpFilePart != nullptr) *lpFilePart = lpBuffer + w.rfind(L'/') + 1;
  return static_cast<DWORD>(w.size());
}
// $TMPDIR (else /tmp) with a trailing '/'.
inline DWORD GetTempPathA(DWORD nBufferLength, LPSTR lpBuffer) {
  const char* t = ::getenv("TMPDIR");
  std::string dir = t != nullptr && *t != '\0' ? t : "/tmp";
  if (dir.back() != '/') dir += '/';
  if (nBufferLength < dir.size() + 1 || lpBuffer == nullptr)
    return static_cast<DWORD>(dir.size() + 1);
  std::memcpy(lpBuffer, dir.c_str(), dir.size() + 1);
  return static_cast<DWORD>(dir.size());
}
inline DWORD GetTempPathW(DWORD nBufferLength, LPWSTR lpBuffer) {
  char narrow[PATH_MAX];
  GetTempPathA(sizeof(narrow), narrow);
  std::wstring w = httpserv::compat::utf8_to_wide(narrow);
  if (nBufferLength < w.size() + 1 || lpBuffer == nullptr) return static_cast<DWORD>(w.size() + 1);
  std::wmemcpy(lpBuffer, w.c_str(), w.size() + 1);
  return static_cast<DWORD>(w.size());
}
inline DWORD GetCurrentDirectoryA(DWORD nBufferLength, LPSTR lpBuffer) {
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof(cwd)) == nullptr) {
    httpserv::compat::set_last_error_from_errno();
    return 0;
  }
  size_t n = std::strlen(cwd);
  if (nBufferLength < n + 1 || lpBuffer == nullptr) return static_cast<DWORD>(n + 1);
  std::memcpy(lpBuffer, cwd, n + 1);
  return static_cast<DWORD>(n);
}
inline DWORD GetCurrentDirectoryW(DWORD nBufferLength, LPWSTR lpBuffer) {
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof(cwd)) == nullptr) return 0;
  std::wstring w = httpserv::compat::utf8_to_wide(cwd);
  if (nBufferLength < w.size() + 1 || lpBuffer == nullptr) return static_cast<DWORD>(w.size() + 1);
  std::wmemcpy(lpBuffer, w.c_str(), w.size() + 1);
  return static_cast<DWORD>(w.size());
}

#ifdef UNICODE
#define CreateFile CreateFileW
#define FindFirstFile FindFirstFileW
#define FindNextFile FindNextFileW
#define WIN32_FIND_DATA WIN32_FIND_DATAW
#define LPWIN32_FIND_DATA LPWIN32_FIND_DATAW
#define GetFileAttributes GetFileAttributesW
#define GetFileAttributesEx GetFileAttributesExW
#define DeleteFile DeleteFileW
#define CreateDirectory CreateDirectoryW
#define RemoveDirectory RemoveDirectoryW
#define MoveFile MoveFileW
#define MoveFileEx MoveFileExW
#define CopyFile CopyFileW
#define GetFullPathName GetFullPathNameW
#define GetTempPath GetTempPathW
#define GetCurrentDirectory GetCurrentDirectoryW
#else
#define CreateFile CreateFileA
#define FindFirstFile FindFirstFileA
#define FindNextFile FindNextFileA
#define WIN32_FIND_DATA WIN32_FIND_DATAA
#define LPWIN32_FIND_DATA LPWIN32_FIND_DATAA
#define GetFileAttributes GetFileAttributesA
#define GetFileAttributesEx GetFileAttributesExA
#define DeleteFile DeleteFileA
#define CreateDirectory CreateDirectoryA
#define RemoveDirectory RemoveDirectoryA
#define MoveFile MoveFileA
#define MoveFileEx MoveFileExA
#define CopyFile CopyFileA
#define GetFullPathName GetFullPathNameA
#define GetTempPath GetTempPathA
#define GetCurrentDirectory GetCurrentDirectoryA
#endif

#endif  // HTTPSERV_COMPAT_HTTPSERV_FILEAPI_H_
