# CPack: `cpack -G DEB` in the build tree makes one Debian package per
# install component --
#   libws0     runtime  libws.so.0 (depends on libc and libffi, found by
#                       dpkg-shlibdeps)
#   libws-dev  dev      ws.h, libws.so, libws.a, the CMake package (ws::ws,
#                       ws::ws_static, ws::pragmas), ws.pc
#   ws-tools   tools    the Clang 19 plugin, wscc, ws-rewrite, ws-stats,
#                       ws-pragmas.pc, the manual pages; the only one that
#                       needs clang-19
# installed under /usr.  (Lintian-clean Debian packaging is a distribution's
# job; these are for installing a build on Debian/Ubuntu machines.)
set(CPACK_PACKAGE_NAME ws)
set(CPACK_PACKAGE_VENDOR "ws developers")
set(CPACK_PACKAGE_CONTACT "ws developers <ws@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "declarative task-parallel runtime for C (#pragma ws)")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
if(WS_BUILD_PLUGIN)
  list(APPEND CPACK_COMPONENTS_ALL tools)
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # name_version_arch.deb
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# Run-time library dependencies from the binaries themselves (dpkg-shlibdeps,
# Debian: dpkg-dev): libffi8 for libws0; libclang-cpp19, libllvm19 for
# ws-tools.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Packages of this build depend on each other at exactly this version.
set(_ws_same "(= ${PROJECT_VERSION})")

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libws0)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
    "ws runtime library (libws)\n work-stealing scheduler for the tasks that #pragma ws creates.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libws-dev)
# The static library needs libffi's (ws.pc's Requires.private: libffi).
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libws0 ${_ws_same}, libffi-dev")
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "ws development files\n ws.h, libws.so and libws.a, the CMake package (find_package(ws)) and\n ws.pc for pkg-config.")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME ws-tools)
# The plugin loads into clang-19, and wscc runs it; ws-rewrite uses Clang 19's
# own headers (clang-19 brings them); ws-stats is Python.
set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS
    "libws-dev ${_ws_same}, clang-19, python3")
set(CPACK_COMPONENT_TOOLS_DESCRIPTION
    "ws compiler tools: Clang 19 plugin, wscc, ws-rewrite, ws-stats\n #pragma ws for clang-19 (-fplugin, ws-pragmas.pc, CMake ws::pragmas), the\n wscc drop-in for cc, ws-rewrite (portable C for any compiler) and ws-stats.")

include(CPack)
