# One static library per pipeline stage (src/<stage>), so that the layering is checked by the build.
#
# gtanalyze_stage(NAME [SOURCES file...] [USES stage...]) makes gtanalyze_NAME from the .cpp files of
# src/NAME (or the SOURCES given) and links it to the stages it USES. Its sources see src/ through a
# view that holds only src/NAME and the folders of those stages (symbolic links in the build tree),
# so `#include "analysis/..."` inside src/parser fails to compile instead of quietly reaching
# forward. USES lists every stage whose headers the sources (or the headers they include) name.
# A stage without .cpp files (src/base) is an INTERFACE library. Every compiled stage is appended
# to GTANALYZE_STAGES, for flags that all of them take (fuzz.cmake).
function(gtanalyze_stage name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES;USES")
  if(NOT arg_SOURCES)
    file(GLOB_RECURSE arg_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  endif()
  if(NOT arg_SOURCES)
    # Header-only (src/base): nothing to compile, only the folder to reach.
    add_library(gtanalyze_${name} INTERFACE)
    return()
  endif()
  set(view ${PROJECT_BINARY_DIR}/stage-views/${name})
  file(REMOVE_RECURSE ${view})
  file(MAKE_DIRECTORY ${view})
  foreach(folder ${name} ${arg_USES})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${folder} ${view}/${folder} SYMBOLIC)
  endforeach()

  add_library(gtanalyze_${name} STATIC ${arg_SOURCES})
  target_include_directories(gtanalyze_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include PRIVATE ${view})
  foreach(used ${arg_USES})
    target_link_libraries(gtanalyze_${name} PUBLIC gtanalyze_${used})
  endforeach()
  target_link_libraries(gtanalyze_${name} PUBLIC fmt::fmt)
  # Times and durations follow Go's int64 arithmetic, which wraps on overflow (a damaged trace can
  # hold any value): -fwrapv makes that defined behaviour here too, and keeps our numbers Go's.
  target_compile_options(gtanalyze_${name} PRIVATE -fwrapv)
  gtanalyze_warnings(gtanalyze_${name})
  set(GTANALYZE_STAGES ${GTANALYZE_STAGES} gtanalyze_${name} PARENT_SCOPE)
endfunction()
