# Warnings for our own targets only (never for dependencies' headers).
function(gtanalyze_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion -Wnon-virtual-dtor -Wold-style-cast -Wimplicit-fallthrough)
  if(GTANALYZE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
