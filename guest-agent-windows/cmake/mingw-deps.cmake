# cJSON and cmocka for the MinGW build. Debian ships both only for Linux, so they are built here
# from Debian's own source packages, which scripts/install-deps fetched and unpacked once
# (third_party/debian-sources decides where); configuring only reads them and needs no network.
# Nothing third-party is committed. Defines:
#   ptdiag::cjson          the cJSON library with <cjson/cJSON.h>, as on Linux
#   ptdiag_cmocka_mingw    cmocka for the Windows test programs run under Wine
# Include this once, from third_party/CMakeLists.txt when WIN32.
if(TARGET ptdiag::cjson)
  return()
endif()

execute_process(COMMAND sh ${CMAKE_SOURCE_DIR}/third_party/debian-sources --dir
  OUTPUT_VARIABLE _sources OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _rc)
foreach(_pkg cjson cmocka)
  if(NOT _rc EQUAL 0 OR NOT EXISTS ${_sources}/${_pkg}/src/.unpacked)
    message(FATAL_ERROR "Debian's source package '${_pkg}' for the MinGW build is not in "
                        "${_sources}/${_pkg}: run scripts/install-deps first (it fetches it once)")
  endif()
endforeach()
# What is generated from them goes to the build tree; the sources stay as unpacked.
set(_deps ${CMAKE_BINARY_DIR}/_deps)

# cJSON: one file; the header goes under cjson/ so includes match Debian's libcjson-dev.
set(_cjson ${_sources}/cjson/src)
configure_file(${_cjson}/cJSON.h ${_deps}/cjson/include/cjson/cJSON.h COPYONLY)
add_library(ptdiag_cjson_mingw STATIC ${_cjson}/cJSON.c)
target_include_directories(ptdiag_cjson_mingw SYSTEM PUBLIC ${_deps}/cjson/include)
add_library(ptdiag::cjson ALIAS ptdiag_cjson_mingw)

# cmocka: its own config.h.cmake template, filled with what MinGW-w64 provides.
set(_cmocka ${_sources}/cmocka/src)
foreach(_have ASSERT_H INTTYPES_H IO_H MALLOC_H MEMORY_H SETJMP_H SIGNAL_H STDARG_H STDDEF_H
              STDINT_H STDIO_H STDLIB_H STRINGS_H STRING_H SYS_STAT_H SYS_TYPES_H TIME_H
              STRUCT_TIMESPEC CALLOC EXIT FPRINTF SNPRINTF _SNPRINTF _SNPRINTF_S VSNPRINTF
              _VSNPRINTF _VSNPRINTF_S FREE LONGJMP MALLOC MEMCPY MEMSET PRINTF SETJMP SIGNAL
              STRCMP STRCPY GCC_THREAD_LOCAL_STORAGE)
  set(HAVE_${_have} 1)
endforeach()
set(WORDS_SIZEOF_VOID_P 8)
configure_file(${_cmocka}/config.h.cmake ${_deps}/cmocka/config/config.h)
add_library(ptdiag_cmocka_mingw STATIC ${_cmocka}/src/cmocka.c)
target_include_directories(ptdiag_cmocka_mingw SYSTEM PUBLIC ${_cmocka}/include)
target_include_directories(ptdiag_cmocka_mingw PRIVATE ${_deps}/cmocka/config)
target_compile_definitions(ptdiag_cmocka_mingw PRIVATE HAVE_CONFIG_H)
