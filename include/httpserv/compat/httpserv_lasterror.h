// The calling thread's last Win32 error (GetLastError / SetLastError) and the errno -> Win32
// error mapping the shim's file, thread and socket functions use when a POSIX call fails.
// The slot is per thread and per module (each module has its own copy of this inline code).

#ifndef HTTPSERV_COMPAT_HTTPSERV_LASTERROR_H_
#define HTTPSERV_COMPAT_HTTPSERV_LASTERROR_H_

#include <cerrno>

#include "windef.h"
#include "winerror.h"

// ---------------------------------------------------------------------------------------------
// Last error (per thread, per module).
// ---------------------------------------------------------------------------------------------

namespace httpserv::compat {
inline DWORD& last_error_slot() {
  static thread_local DWORD value = ERROR_SUCCESS;
  return value;
}
}  // namespace httpserv::compat

// The calling thread's last Win32 error code as set by SetLastError or a shim function.
inline DWORD GetLastError() {
  return httpserv::compat::last_error_slot();
}
// Sets the calling thread's last Win32 error code.
inline VOID SetLastError(DWORD dwErrCode) {
  httpserv::compat::last_error_slot() = dwErrCode;
}

namespace httpserv::compat {

// The Win32 error code closest to a POSIX errno value (ERROR_GEN_FAILURE when none is).
inline DWORD win32_error_from_errno(int err) {
  switch (err) {
    case 0:
      return ERROR_SUCCESS;
    case ENOENT:
      return ERROR_FILE_NOT_FOUND;
    case ENOTDIR:
      return ERROR_PATH_NOT_FOUND;
    case EACCES:
    case EPERM:
    case EROFS:
      return ERROR_ACCESS_DENIED;
    case EEXIST:
      return ERROR_FILE_EXISTS;
    case EBADF:
      return ERROR_INVALID_HANDLE;
    case ENOMEM:
      return ERROR_NOT_ENOUGH_MEMORY;
    case EINVAL:
      return ERROR_INVALID_PARAMETER;
    case EMFILE:
    case ENFILE:
      return ERROR_TOO_MANY_OPEN_FILES;
    case ENOSPC:
      return ERROR_DISK_FULL;
    case EISDIR:
      return ERROR_DIRECTORY;
    case ENOTEMPTY:
      return ERROR_DIR_NOT_EMPTY;
    case EBUSY:
      return ERROR_BUSY;
    case ENAMETOOLONG:
      return ERROR_FILENAME_EXCED_RANGE;
    case EPIPE:
      return ERROR_BROKEN_PIPE;
    case EAGAIN:
      return ERROR_IO_PENDING;
    case ETIMEDOUT:
      return ERROR_TIMEOUT;
    case ECONNREFUSED:
      return ERROR_CONNECTION_REFUSED;
    case ECONNABORTED:
      return ERROR_CONNECTION_ABORTED;
    case ECONNRESET:
      return ERROR_NETNAME_DELETED;
    case ENOTSUP:
      return ERROR_NOT_SUPPORTED;
    case EXDEV:
      return ERROR_NOT_SAME_DEVICE;
    case ELOOP:
      return ERROR_CANT_RESOLVE_FILENAME;
    case EFBIG:
      return ERROR_FILE_TOO_LARGE;
    case EINTR:
      return ERROR_OPERATION_ABORTED;
    default:
      return ERROR_GEN_FAILURE;
  }
}

// SetLastError(win32_error_from_errno(errno)); for `return fail_errno(), FALSE;` style code.
inline void set_last_error_from_errno() {
  SetLastError(win32_error_from_errno(errno));
}

}  // namespace httpserv::compat

#endif  // HTTPSERV_COMPAT_HTTPSERV_LASTERROR_H_
