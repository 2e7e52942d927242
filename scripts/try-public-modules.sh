#!/usr/bin/env bash
# Builds public open-source IIS native modules, unmodified, against include/httpserv the plain
# way (docs/iis-headers.md, "Public modules tried"):
#
#   g++ -std=c++17 -fPIC -shared -w <the project's Release|x64 defines without WIN32/_WIN32/
#       _MSC_VER> [-DUNICODE -D_UNICODE when its CharacterSet is Unicode]
#       -I include/httpserv/compat -I include/httpserv <the project's own include dirs> *.cpp
#
# and reports, per module, whether every source compiled, whether the .so links (undefined
# symbols are allowed, as for any module: they resolve against the server) and whether it
# dlopens in a process that provides the server's hooks. Not run by CI: the sources are public
# repositories this script does not download. Fetch each repository's tree (e.g. with git) to
# $THIRDPARTY/<name> (default /work/thirdparty) first; the list below names the repository and
# the commit the results in the docs were taken from.
#
# Usage: scripts/try-public-modules.sh [name...]     (default: all)
#        scripts/try-public-modules.sh --samples     Microsoft's IIS 7 C++ samples (iis-docs
#            samples/snippets/cpp/VS_Snippets_IIS/IIS7, fetched to $THIRDPARTY/iis-docs-samples):
#            each .cpp compiled on its own (-fsyntax-only) as a Multi-Byte project (the samples'
#            default: they pass "narrow" strings to RegisterEventSource...), and again with
#            UNICODE/_UNICODE when that fails; a summary of the first errors. To run the
#            per-method samples in the server and compare with their documented output, see
#            scripts/ms-samples.sh
# Output: a table on stdout; build logs and .so files in $OUT (default /tmp/httpserv-public).
# Needs the packages of `scripts/deps.sh thirdparty` (Lua, APR, ...) for the modules that use them.
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
THIRDPARTY="${THIRDPARTY:-/work/thirdparty}"
OUT="${OUT:-/tmp/httpserv-public}"
CXX="${CXX:-g++}"
API="$ROOT/include/httpserv"
mkdir -p "$OUT"

# name | repository @ commit | sources (globs, relative to the checkout) | vcxproj | extra compile
# flags (the project's own include directories and build defines) | libraries (its NuGet or
# vendored dependencies, from Debian)
MODULES=(
  "StripHeaders|dionach/StripHeaders@master|NativeCodeModule/*.cpp|NativeCodeModule/NativeCodeModule.vcxproj|"
  "HSTS-IIS-Module|FWest98/HSTS-IIS-Module@master|module/*.cpp|module/HSTS IIS Module.vcxproj|"
  "iis-native-waf|janouwehand/iis-native-waf@master|*.cpp|SimpleWaf.vcxproj|"
  "iislua|shibayan/iislua@master|src/iislua/*.cpp|src/iislua/iislua.vcxproj|-I/usr/include/lua5.4|-llua5.4"
  "ModSecurity-iis|owasp-modsecurity/ModSecurity@v2/master|iis/main.cpp iis/moduleconfig.cpp iis/mymodule.cpp|iis/ModSecurityIIS.vcxproj|-DVERSION_IIS -Iapache2 -Istandalone -I/usr/include/apache2 -I/usr/include/apr-1.0 -I/usr/include/libxml2"
  "iisnode|Azure/iisnode@master|src/iisnode/*.cpp|src/iisnode/iisnode.vcxproj|"
  "AspNetCoreModule|aspnet/AspNetCoreModule@883d9f3c|src/AspNetCore/Src/*.cxx src/AspNetCore/Src/dllmain.cpp src/IISLib/*.cpp|src/AspNetCore/AspNetCore.vcxproj|-Isrc/IISLib -Isrc/AspNetCore/Inc -Isrc/CommonLib"
)

# The Release|x64 PreprocessorDefinitions and CharacterSet of a .vcxproj, as g++ flags.
vcxproj_flags() {
  python3 - "$1" <<'PY'
import re, sys
try:
    text = open(sys.argv[1], encoding="utf-8-sig", errors="replace").read()
except OSError:
    print("-DNDEBUG -DUNICODE -D_UNICODE"); sys.exit(0)
def release_x64(block_tag):
    for m in re.finditer(r"<%s[^>]*Condition=\"'\$\(Configuration\)\|\$\(Platform\)'=='Release\|x64'\"[^>]*>(.*?)</%s>" % (block_tag, block_tag), text, re.S):
        yield m.group(1)
defines = []
for block in release_x64("ItemDefinitionGroup"):
    for d in re.findall(r"<PreprocessorDefinitions>(.*?)</PreprocessorDefinitions>", block, re.S):
        defines += [x.strip() for x in d.split(";")]
if not defines:
    defines = ["NDEBUG", "_WINDOWS", "_USRDLL"]
unicode = False
for block in release_x64("PropertyGroup"):
    if re.search(r"<CharacterSet>\s*Unicode\s*</CharacterSet>", block):
        unicode = True
flags = []
for d in defines:
    if not d or d.startswith("%(") or d.split("=")[0] in ("WIN32", "_WIN32", "_MSC_VER", "_WIN64", "WIN64"):
        continue
    flags.append("-D" + d)
if unicode:
    flags += ["-DUNICODE", "-D_UNICODE"]
print(" ".join("'%s'" % f for f in flags))
PY
}

# UTF-16 sources (MSVC reads them, g++ does not) are transcoded to UTF-8 copies, which is the
# only change made to a module's files; everything else compiles from the checkout.
prepare_tree() {
  local src="$1" dst="$2"
  rm -rf "$dst"
  mkdir -p "$dst"
  cp -a "$src/." "$dst/"
  find "$dst" -type f \( -name '*.c' -o -name '*.cpp' -o -name '*.cxx' -o -name '*.h' -o -name '*.hpp' \) |
    while read -r f; do
      if head -c 2 "$f" | od -An -tx1 | grep -q 'ff fe'; then
        iconv -f UTF-16 -t UTF-8 "$f" > "$f.utf8" && mv "$f.utf8" "$f"
      fi
    done
}

if [ "${1:-}" = --samples ]; then
  dir="$THIRDPARTY/iis-docs-samples/samples/snippets/cpp/VS_Snippets_IIS/IIS7"
  [ -d "$dir" ] || { echo "fetch MicrosoftDocs/iis-docs samples to $dir first" >&2; exit 1; }
  pass=0
  fail=0
  : > "$OUT/samples.log"
  while read -r f; do
    if err=$($CXX -std=c++17 -fsyntax-only -w -I"$API/compat" -I"$API" "$f" 2>&1) ||
       $CXX -std=c++17 -fsyntax-only -w -DUNICODE -D_UNICODE -I"$API/compat" -I"$API" "$f" \
         > /dev/null 2>&1; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1))
      printf '%s\t%s\n' "${f#"$dir"/}" "$(echo "$err" | grep -m1 'error' | sed 's/^[^ ]* //')" \
        >> "$OUT/samples.log"
    fi
  done < <(find "$dir" -name '*.cpp' | sort)
  echo "samples: $pass compile, $fail fail (first errors in $OUT/samples.log)"
  cut -f2 "$OUT/samples.log" | sed -E "s/'[^']*'/'X'/g" | sort | uniq -c | sort -rn | head -15
  exit 0
fi

# A loader that provides the server's weak hooks, to see whether a built module dlopens.
LOADER="$OUT/dlopen_check"
cat > "$OUT/dlopen_check.c" <<'C'
#include <dlfcn.h>
#include <stdio.h>
__attribute__((visibility("default"))) void HttpservLogWrite(int l, const char* s, const char* m) { (void)l; (void)s; (void)m; }
int main(int argc, char** argv) {
  void* h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!h) { printf("%s\n", dlerror()); return 1; }
  return dlsym(h, "RegisterModule") ? 0 : 2;
}
C
cc -rdynamic "$OUT/dlopen_check.c" -o "$LOADER" -ldl

printf '%-18s %-9s %-7s %-7s %s\n' module compiled linked dlopen "first error"
for entry in "${MODULES[@]}"; do
  IFS='|' read -r name repo sources vcxproj extra libs <<<"$entry"
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then continue; fi
  if [ ! -d "$THIRDPARTY/$name" ]; then
    printf '%-18s %s\n' "$name" "not fetched ($repo -> $THIRDPARTY/$name)"
    continue
  fi
  rm -rf "${OUT:?}/$name"
  mkdir -p "$OUT/$name"
  tree="$OUT/$name/src"
  prepare_tree "$THIRDPARTY/$name" "$tree"
  eval "defines=($(vcxproj_flags "$tree/$vcxproj"))"
  objs=()
  total=0
  ok=0
  first=""
  log="$OUT/$name/build.log"
  : > "$log"
  (
    cd "$tree" || exit 1
    for pattern in $sources; do
      for f in $pattern; do
        [ -f "$f" ] || continue
        echo "== $f" >> "$log"
        if eval "$CXX -std=c++17 -fPIC -w -c ${defines[*]} -I'$API/compat' -I'$API' -I'$(dirname "$f")' $extra '$f' -o '$OUT/$name/$(basename "$f").o'" >> "$log" 2>&1; then
          echo "OK $f" >> "$OUT/$name/results"
        else
          echo "FAIL $f" >> "$OUT/$name/results"
        fi
      done
    done
  )
  total=$(grep -c "" "$OUT/$name/results" 2>/dev/null || true)
  ok=$(grep -c "^OK" "$OUT/$name/results" 2>/dev/null || true)
  rm -f "$OUT/$name/results"
  first=$(grep -m1 -E 'error' "$log" | sed -e "s|$tree/||" | cut -c1-110)
  linked=no
  loaded=-
  if [ "$total" -gt 0 ] && [ "$ok" -eq "$total" ]; then
    if $CXX -shared -fPIC "$OUT/$name"/*.o -o "$OUT/$name/$name.so" $libs >> "$log" 2>&1; then
      linked=yes
      if "$LOADER" "$OUT/$name/$name.so" >> "$log" 2>&1; then loaded=yes; else loaded=no; fi
    fi
  fi
  printf '%-18s %-9s %-7s %-7s %s\n' "$name" "$ok/$total" "$linked" "$loaded" "$first"
done
