# Install rules for module authors: the public headers, the CMake package (find_package(httpserv)
# -> httpserv::api + httpserv_add_module) and a pkg-config file (httpserv.pc).
#
# include() it from the top-level CMakeLists.txt after project() (it uses the project version):
#   include(cmake/HttpservInstall.cmake)
#
# Installed layout (relative to the install prefix, GNUInstallDirs names):
#   ${CMAKE_INSTALL_INCLUDEDIR}/httpserv/{httpserv.h,http.h,httpserv_log.h}
#   ${CMAKE_INSTALL_INCLUDEDIR}/httpserv/compat/{windows.h,sal.h,...}
#   ${CMAKE_INSTALL_LIBDIR}/cmake/httpserv/{httpservConfig.cmake,httpservConfigVersion.cmake,
#                                           HttpservModule.cmake,httpserv-module.map}
#   ${CMAKE_INSTALL_LIBDIR}/pkgconfig/httpserv.pc
# Everything is relocatable: the CMake package finds the headers relative to itself, and
# httpserv.pc uses ${pcfiledir} when the install directories are relative (the default).

include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(_httpserv_cmake_dir "${CMAKE_CURRENT_LIST_DIR}")
get_filename_component(_httpserv_headers_dir "${CMAKE_CURRENT_LIST_DIR}/../include/httpserv"
                       ABSOLUTE)

if(DEFINED httpserv_VERSION AND NOT httpserv_VERSION STREQUAL "")
  set(_httpserv_version "${httpserv_VERSION}")
elseif(NOT PROJECT_VERSION STREQUAL "")
  set(_httpserv_version "${PROJECT_VERSION}")
else()
  message(FATAL_ERROR "HttpservInstall.cmake: no version; include it after project(httpserv VERSION ...)")
endif()

set(HTTPSERV_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/httpserv" CACHE STRING
    "Where the httpserv CMake package is installed (relative to the prefix)")
set(HTTPSERV_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig" CACHE STRING
    "Where httpserv.pc is installed (relative to the prefix)")

# --- Headers --------------------------------------------------------------------------------------
install(DIRECTORY "${_httpserv_headers_dir}/"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/httpserv"
        COMPONENT httpserv_dev
        FILES_MATCHING PATTERN "*.h")

# --- Configuration schemas ------------------------------------------------------------------------
# Modules install their own schema files (IIS's <configSchema> format) in <sysconfdir>/httpserv/
# schema; the server reads them besides the schema/ folder next to its configuration file
# (docs/configuration.md). The directory is made by HttpservServerInstall.cmake's install script,
# which knows the configuration directory of the prefix in effect (/usr -> /etc).

# --- CMake package --------------------------------------------------------------------------------
set(_httpserv_gen_dir "${CMAKE_CURRENT_BINARY_DIR}/httpserv-package")
configure_package_config_file(
  "${_httpserv_cmake_dir}/httpservConfig.cmake.in"
  "${_httpserv_gen_dir}/httpservConfig.cmake"
  INSTALL_DESTINATION "${HTTPSERV_INSTALL_CMAKEDIR}"
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
# 0.x: a minor version bump may change the API, so only the same major.minor is compatible.
# Not ARCH_INDEPENDENT: the headers describe the x86-64 (LP64) layout, so a 32-bit consumer
# must not pick this package up.
write_basic_package_version_file(
  "${_httpserv_gen_dir}/httpservConfigVersion.cmake"
  VERSION "${_httpserv_version}"
  COMPATIBILITY SameMinorVersion)
install(FILES
          "${_httpserv_gen_dir}/httpservConfig.cmake"
          "${_httpserv_gen_dir}/httpservConfigVersion.cmake"
          "${_httpserv_cmake_dir}/HttpservModule.cmake"
          "${_httpserv_cmake_dir}/httpserv-module.map"
        DESTINATION "${HTTPSERV_INSTALL_CMAKEDIR}"
        COMPONENT httpserv_dev)

# --- pkg-config -----------------------------------------------------------------------------------
# Relative install dirs: make the prefix relative to the .pc file so that
# `cmake --install --prefix <dir>` and moved trees work. Absolute dirs are used as given.
if(IS_ABSOLUTE "${HTTPSERV_INSTALL_PKGCONFIGDIR}")
  set(HTTPSERV_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _httpserv_pc_up "/__prefix__/${HTTPSERV_INSTALL_PKGCONFIGDIR}" "/__prefix__")
  set(HTTPSERV_PC_PREFIX "\${pcfiledir}/${_httpserv_pc_up}")
  string(REGEX REPLACE "/$" "" HTTPSERV_PC_PREFIX "${HTTPSERV_PC_PREFIX}")
endif()
foreach(_httpserv_kind INCLUDEDIR LIBDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_httpserv_kind}}")
    set(HTTPSERV_PC_${_httpserv_kind} "${CMAKE_INSTALL_${_httpserv_kind}}")
  else()
    set(HTTPSERV_PC_${_httpserv_kind} "\${prefix}/${CMAKE_INSTALL_${_httpserv_kind}}")
  endif()
endforeach()
if(IS_ABSOLUTE "${HTTPSERV_INSTALL_CMAKEDIR}")
  set(HTTPSERV_PC_MODULE_MAP "${HTTPSERV_INSTALL_CMAKEDIR}/httpserv-module.map")
else()
  set(HTTPSERV_PC_MODULE_MAP "\${prefix}/${HTTPSERV_INSTALL_CMAKEDIR}/httpserv-module.map")
endif()
set(HTTPSERV_PC_VERSION "${_httpserv_version}")
configure_file("${_httpserv_cmake_dir}/httpserv.pc.in" "${_httpserv_gen_dir}/httpserv.pc" @ONLY)
install(FILES "${_httpserv_gen_dir}/httpserv.pc"
        DESTINATION "${HTTPSERV_INSTALL_PKGCONFIGDIR}"
        COMPONENT httpserv_dev)

unset(_httpserv_pc_up)
unset(_httpserv_kind)
