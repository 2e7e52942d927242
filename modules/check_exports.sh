#!/bin/sh
# Checks that each module exports RegisterModule and nothing else, and that every symbol it
# needs comes from glibc, libstdc++ or libgcc (versioned references), except the weak
# HttpservLogWrite and the usual weak toolchain hooks.
#   check_exports.sh <nm> <module.so>...
set -u
nm_tool=$1
shift
status=0
for so in "$@"; do
  defined=$("$nm_tool" -D --defined-only "$so" | awk '{print $NF}' | sort)
  if [ "$defined" != "RegisterModule" ]; then
    echo "FAIL $so exports: $(echo "$defined" | tr '\n' ' ')"
    status=1
  fi
  # Lines look like "U name@VERSION" or "w name".
  unexpected=$("$nm_tool" -D --undefined-only "$so" | awk '
    $1 == "w" && ($2 == "HttpservLogWrite" || $2 ~ /^(_ITM_|__gmon_start__|__cxa_finalize|__cxa_pure_virtual)/) { next }
    $2 ~ /@(GLIBC|GLIBCXX|CXXABI|GCC)_/ { next }
    { print $2 }')
  if [ -n "$unexpected" ]; then
    echo "FAIL $so needs: $(echo "$unexpected" | tr '\n' ' ')"
    status=1
  fi
  [ $status -eq 0 ] && echo "ok   $so"
done
exit $status
