# libFuzzer targets (clang only), one per decoder entry point: tests/fuzz/fuzz_*.cpp. Included by
# the top-level CMakeLists.txt after the stages when GTANALYZE_FUZZ is ON; every stage is then
# instrumented for coverage and built with ASan + UBSan (UB aborts, so the fuzzer sees it).
# tests/fuzz/run-fuzzers.sh configures such a build and runs every target for a bounded time.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "GTANALYZE_FUZZ needs clang (libFuzzer): configure with CXX=clang++")
endif()

set(GTANALYZE_FUZZ_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
foreach(stage ${GTANALYZE_STAGES})
  target_compile_options(${stage} PRIVATE -fsanitize=fuzzer-no-link ${GTANALYZE_FUZZ_FLAGS})
endforeach()

# The entry points live in a small library so the Catch2 replay test can share the sources.
add_library(gtanalyze_fuzz_entry STATIC ${PROJECT_SOURCE_DIR}/tests/fuzz/entry_points.cpp)
target_include_directories(gtanalyze_fuzz_entry PUBLIC ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
target_link_libraries(gtanalyze_fuzz_entry PUBLIC gtanalyze_lib)
target_compile_options(gtanalyze_fuzz_entry PRIVATE -fsanitize=fuzzer-no-link ${GTANALYZE_FUZZ_FLAGS})

foreach(target old_format generational text pipeline)
  add_executable(fuzz_${target} ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_${target}.cpp)
  target_link_libraries(fuzz_${target} PRIVATE gtanalyze_fuzz_entry)
  target_compile_options(fuzz_${target} PRIVATE -fsanitize=fuzzer ${GTANALYZE_FUZZ_FLAGS})
  target_link_options(fuzz_${target} PRIVATE -fsanitize=fuzzer ${GTANALYZE_FUZZ_FLAGS})
endforeach()
