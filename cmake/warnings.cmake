# Warnings for our own targets only (never for dependencies' headers).
function(gtanalyze_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion -Wnon-virtual-dtor -Wold-style-cast -Wimplicit-fallthrough)
  # GCC 12 at -O2/-O3 reports -Wmaybe-uninitialized inside libstdc++'s std::regex and
  # std::function, and -Wrestrict inside std::string's inlined copies (GCC bugs 105562, 107138,
  # 105329): noise from the standard library, not our code.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized -Wno-restrict)
  endif()
  if(GTANALYZE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
