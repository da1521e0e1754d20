# ASan + UBSan for the whole build (library, tools and tests), used by the "asan" preset and CI.
if(GTANALYZE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
# ThreadSanitizer, used by the "tsan" preset and CI for the tests of the reader threads.
if(GTANALYZE_SANITIZE_THREAD)
  add_compile_options(-fsanitize=thread)
  add_link_options(-fsanitize=thread)
endif()
