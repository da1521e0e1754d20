# BPF objects and their libbpf skeletons (the libbpf-bootstrap shape): a `.bpf.c` compiled by
# clang -target bpf, then `bpftool gen skeleton` into a `.skel.h` that the loader includes.
#
#   gtanalyze_bpf_skeleton(TARGET SOURCE [DEPENDS headers...])
# defines an INTERFACE library TARGET whose include directory holds NAME.skel.h, where NAME is
# SOURCE's file name without `.bpf.c`; the skeleton's C name is NAME too.
find_program(GTANALYZE_BPF_CLANG NAMES clang clang-19 clang-16 clang-15 clang-14)
find_program(GTANALYZE_BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin)

function(gtanalyze_bpf_skeleton target source)
  cmake_parse_arguments(ARG "" "" "DEPENDS" ${ARGN})
  if(NOT GTANALYZE_BPF_CLANG OR NOT GTANALYZE_BPFTOOL)
    message(FATAL_ERROR "the eBPF collector needs clang and bpftool (or -DGTANALYZE_COLLECTOR=OFF)")
  endif()
  get_filename_component(src "${source}" ABSOLUTE)
  get_filename_component(file "${src}" NAME)
  string(REGEX REPLACE "\\.bpf\\.c$" "" name "${file}")
  set(outdir "${CMAKE_CURRENT_BINARY_DIR}/bpf")
  set(obj "${outdir}/${name}.bpf.o")
  set(skel "${outdir}/${name}.skel.h")
  # The multiarch include dir gives <asm/types.h> to -target bpf builds.
  execute_process(COMMAND ${CMAKE_C_COMPILER} -print-multiarch OUTPUT_VARIABLE multiarch
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT multiarch)
    set(multiarch "${CMAKE_SYSTEM_PROCESSOR}-linux-gnu")
  endif()
  add_custom_command(
    OUTPUT "${obj}" "${skel}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${outdir}"
    COMMAND ${GTANALYZE_BPF_CLANG} -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall
            -I/usr/include/${multiarch} -I${CMAKE_CURRENT_SOURCE_DIR} -c "${src}" -o "${obj}"
    COMMAND ${GTANALYZE_BPFTOOL} gen skeleton "${obj}" name ${name} > "${skel}"
    DEPENDS "${src}" ${ARG_DEPENDS}
    COMMENT "BPF ${file} -> ${name}.skel.h"
    VERBATIM)
  add_custom_target(${target}_gen DEPENDS "${skel}")
  add_library(${target} INTERFACE)
  add_dependencies(${target} ${target}_gen)
  target_include_directories(${target} SYSTEM INTERFACE "${outdir}")
endfunction()
