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

# One self-contained .exe: no libgcc/libwinpthread DLLs next to it.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc")

# ctest runs the Windows test binaries through Wine when it is installed.
find_program(PTDIAG_WINE NAMES wine64 wine)
if(PTDIAG_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${PTDIAG_WINE})
endif()
