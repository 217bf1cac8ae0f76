# Warnings and sanitizers applied to every ptdiag target through ptdiag_target_defaults().
function(ptdiag_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wformat=2 -Wshadow
    -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter)
  if(PTDIAG_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(NOT WIN32)
    target_compile_definitions(${target} PRIVATE _GNU_SOURCE)
  endif()
endfunction()

if(PTDIAG_ENABLE_SANITIZERS)
  # float-cast-overflow is not part of GCC's -fsanitize=undefined; documents carry doubles.
  add_compile_options(-fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all
                      -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined,float-cast-overflow)
endif()
