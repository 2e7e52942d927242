# httpserv_add_module(): build a native module (an IIS-style RegisterModule .so) for httpserv.
#
#   httpserv_add_module(<name>
#                       SOURCES <file>...
#                       [OUTPUT_NAME <file-name-without-.so>]
#                       [NO_WERROR])
#
# Creates add_library(<name> MODULE ...) that
#   - links httpserv::api (header-only: the include directories of httpserv.h and the Win32
#     compat shim, and C++20). Modules link against nothing else: the server provides every
#     interface at run time, and the only undefined symbol the headers leave behind is the weak
#     HttpservLogWrite (null when the module is loaded outside the server);
#   - compiles with -fvisibility=hidden -fvisibility-inlines-hidden and links with a version
#     script that exports RegisterModule only (httpserv.h declares it extern "C" with default
#     visibility; everything else, including the module's libstdc++ template instances, stays
#     local to the .so);
#   - compiles with -Wall -Wextra -Werror (NO_WERROR drops -Werror);
#   - links with -z defs, so a reference to a symbol nothing provides fails at link time rather
#     than at dlopen time (skipped in sanitizer builds, where clang leaves the sanitizer runtime
#     undefined in shared objects);
#   - is named <OUTPUT_NAME or name>.so (no "lib" prefix) and written to
#     ${HTTPSERV_MODULE_OUTPUT_DIRECTORY} (default ${CMAKE_BINARY_DIR}/modules).
#
# The target httpserv::api must exist when the project is generated: in the httpserv source tree
# it comes from include/CMakeLists.txt, in an installed tree from find_package(httpserv).
#
# Variables read (set them before calling, or on the command line):
#   HTTPSERV_MODULE_OUTPUT_DIRECTORY  where the .so files go (default ${CMAKE_BINARY_DIR}/modules)
#   HTTPSERV_MODULE_NO_UNDEFINED      link with -z defs (default ON unless a sanitizer is on)

include_guard(GLOBAL)

# The linker version script lives next to this file (cmake/ in the source tree,
# <libdir>/cmake/httpserv/ when installed).
set(HTTPSERV_MODULE_VERSION_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/httpserv-module.map"
    CACHE INTERNAL "Linker version script that exports RegisterModule only")

function(httpserv_add_module name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NO_WERROR" "OUTPUT_NAME" "SOURCES")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "httpserv_add_module(${name}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "httpserv_add_module(${name}): SOURCES is required")
  endif()
  if(NOT arg_OUTPUT_NAME)
    set(arg_OUTPUT_NAME "${name}")
  endif()
  if(NOT TARGET httpserv::api)
    message(FATAL_ERROR
      "httpserv_add_module(${name}): target httpserv::api is not defined. In the httpserv tree "
      "add_subdirectory(include) first; elsewhere call find_package(httpserv REQUIRED).")
  endif()

  if(DEFINED HTTPSERV_MODULE_OUTPUT_DIRECTORY)
    set(output_dir "${HTTPSERV_MODULE_OUTPUT_DIRECTORY}")
  else()
    set(output_dir "${CMAKE_BINARY_DIR}/modules")
  endif()

  # -z defs is wrong for sanitizer builds: clang does not link the sanitizer runtime into
  # shared objects, so __asan_* and friends are legitimately undefined there.
  if(DEFINED HTTPSERV_MODULE_NO_UNDEFINED)
    set(no_undefined "${HTTPSERV_MODULE_NO_UNDEFINED}")
  elseif(HTTPSERV_SANITIZE OR HTTPSERV_TSAN OR HTTPSERV_FUZZ OR CMAKE_CXX_FLAGS MATCHES "-fsanitize")
    set(no_undefined OFF)
  else()
    set(no_undefined ON)
  endif()

  add_library(${name} MODULE ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE httpserv::api)
  target_compile_features(${name} PRIVATE cxx_std_20)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    SUFFIX ".so"
    OUTPUT_NAME "${arg_OUTPUT_NAME}"
    LIBRARY_OUTPUT_DIRECTORY "${output_dir}"
    CXX_STANDARD 20
    CXX_STANDARD_REQUIRED ON
    CXX_EXTENSIONS OFF
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON
    LINK_DEPENDS "${HTTPSERV_MODULE_VERSION_SCRIPT}")

  target_compile_options(${name} PRIVATE -Wall -Wextra $<$<NOT:$<BOOL:${arg_NO_WERROR}>>:-Werror>)
  target_link_options(${name} PRIVATE "LINKER:--version-script=${HTTPSERV_MODULE_VERSION_SCRIPT}")
  if(no_undefined)
    target_link_options(${name} PRIVATE "LINKER:-z,defs")
  endif()
endfunction()
