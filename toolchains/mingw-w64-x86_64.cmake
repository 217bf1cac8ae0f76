# Cross-build for 64-bit Windows with Debian's MinGW-w64 (gcc-mingw-w64-x86-64).
# This file says which compiler and sysroot; the Windows API level and libraries are set by
# guest-agent-windows/CMakeLists.txt.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(PTDIAG_MINGW_PREFIX x86_64-w64-mingw32 CACHE STRING "MinGW-w64 target triplet")
set(CMAKE_C_COMPILER ${PTDIAG_MINGW_PREFIX}-gcc)
set(CMAKE_CXX_COMPILER ${PTDIAG_MINGW_PREFIX}-g++)
set(CMAKE_RC_COMPILER ${PTDIAG_MINGW_PREFIX}-windres)

set(CMAKE_FIND_ROOT_PATH /usr/${PTDIAG_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# msvcrt's printf knows neither %zu nor %llu; MinGW's own stdio does. Every target (the common
# library, cJSON, cmocka, the agent) must agree on it, so it is set here, not per target.
set(CMAKE_C_FLAGS_INIT "-D__USE_MINGW_ANSI_STDIO=1")

# One self-contained .exe: no libgcc/libwinpthread DLLs next to it.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc")

# ctest runs the Windows test binaries through Wine when it is installed, via a wrapper that
# prepares the prefix once, keeps Wine's daemons off ctest's pipes (otherwise ctest waits
# forever) and makes a crash exit non-zero instead of opening a debugger dialog.
find_program(PTDIAG_WINE NAMES wine)
if(PTDIAG_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR
      ${CMAKE_CURRENT_LIST_DIR}/../guest-agent-windows/cmake/wine-emu.sh)
endif()
