// Test module: a loadable image without a RegisterModule export.
#include <httpserv.h>

extern "C" __attribute__((visibility("default"))) int rm_noexport_marker() {
  return 42;
}
