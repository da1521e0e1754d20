# ASan + UBSan for the whole build (library, tools and tests), used by the "asan" preset and CI.
if(GTANALYZE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
