# Install rules for the server itself (`make install`, `cmake --install build`): the binary,
# the manual page httpserv(8), the systemd unit, an initial configuration and its site.
# (The module SDK — headers, pkg-config file, CMake package — is HttpservInstall.cmake's.)
#
# Installed layout (relative to the prefix, GNUInstallDirs names):
#   ${CMAKE_INSTALL_SBINDIR}/httpserv
#   ${CMAKE_INSTALL_MANDIR}/man8/httpserv.8
#   ${HTTPSERV_INSTALL_SYSTEMDUNITDIR}/httpserv.service       (lib/systemd/system)
#   <sysconfdir>/httpserv/applicationHost.config             (kept if it exists)
#   ${CMAKE_INSTALL_DATADIR}/httpserv/site/                  (the example site it serves)
# The unit and the configuration name absolute paths: they are written at install time from the
# prefix in effect then (`cmake --install --prefix P` too), with GNUInstallDirs' rule for the
# configuration directory (/usr -> /etc, any other prefix -> PREFIX/etc). DESTDIR is honoured.

include_guard(GLOBAL)
include(GNUInstallDirs)

set(HTTPSERV_INSTALL_SYSTEMDUNITDIR "lib/systemd/system" CACHE STRING
    "Where the systemd unit is installed (relative to the prefix, or absolute)")

install(TARGETS httpserv RUNTIME DESTINATION "${CMAKE_INSTALL_SBINDIR}" COMPONENT httpserv_server)
install(FILES "${CMAKE_SOURCE_DIR}/man/httpserv.8"
        DESTINATION "${CMAKE_INSTALL_MANDIR}/man8" COMPONENT httpserv_server)
install(DIRECTORY "${CMAKE_SOURCE_DIR}/examples/site/"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/httpserv/site" COMPONENT httpserv_server)

# The install-time part: a script with this configuration's relative directories baked in.
set(HTTPSERV_SRC_PACKAGING "${CMAKE_SOURCE_DIR}/packaging")
configure_file("${CMAKE_CURRENT_LIST_DIR}/install_server_files.cmake.in"
               "${CMAKE_BINARY_DIR}/install_server_files.cmake" @ONLY)
install(SCRIPT "${CMAKE_BINARY_DIR}/install_server_files.cmake" COMPONENT httpserv_server)
