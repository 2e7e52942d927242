// Older Windows headers include <specstrings.h> for SAL; on Linux it is the same as <sal.h>.

#ifndef HTTPSERV_COMPAT_SPECSTRINGS_H_
#define HTTPSERV_COMPAT_SPECSTRINGS_H_

#include "sal.h"

#endif  // HTTPSERV_COMPAT_SPECSTRINGS_H_
