#!/bin/sh
# Builds a test module the plain way a module author would, with nothing but the compiler and
# the two include directories (docs/iis-headers.md, "Building a module"): C++17, -w, a Unicode
# project's defines and no WIN32. Then checks that it needs nothing the server does not give:
# every undefined symbol is libc's, libstdc++'s, libgcc's or one of the server's weak hooks.
# Usage: plain_build.sh CXX API_DIR SOURCE OUT_DIR
set -eu
cxx="$1"
api="$2"
src="$3"
out="$4/plain_$(basename "$src" .cc).so"
"$cxx" -std=c++17 -fPIC -shared -w -DNDEBUG -D_WINDOWS -D_USRDLL -DUNICODE -D_UNICODE \
  -I "$api/compat" -I "$api" "$src" -o "$out" -lpthread
strays=$(nm -D -u "$out" | awk '{print $NF}' |
  grep -v -E '@(GLIBC|GLIBCXX|CXXABI|GCC)_|^(HttpservLogWrite|HttpservCoCreateInstance|_ITM_.*|__gmon_start__|__cxa_finalize)$' || true)
if [ -n "$strays" ]; then
  echo "undefined symbols nothing provides: $strays" >&2
  exit 1
fi
nm -D --defined-only "$out" | grep -q ' T RegisterModule$' || { echo "RegisterModule not exported" >&2; exit 1; }
nm -D -u "$out" | grep -q 'w HttpservCoCreateInstance' || { echo "CoCreateInstance hook not weak" >&2; exit 1; }
echo "plain build OK: $out"
