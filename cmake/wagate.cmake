# Helpers shared by every folder's CMakeLists.txt.

# Warnings are errors on our own code only (not on third-party headers, which
# are included as SYSTEM by their imported targets).
# GCC 12 reports false positives at -O2 that -Werror would turn into broken
# builds: -Wrestrict inside libstdc++ for "lit" + std::string (GCC PR105651)
# and -Wmismatched-new-delete on Asio's coroutine frames, whose class-specific
# operator new/delete pair GCC 12 fails to match. Both are off for GCC < 13.
function(wagate_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wno-missing-field-initializers
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict
      -Wno-mismatched-new-delete>)
endfunction()

# wagate_library(<name> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# Declares the library target of one src/ folder. Include paths are rooted at
# src/ so that headers are included as "base/status.h", "store/store.h", ...
function(wagate_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  wagate_warnings(${name})
endfunction()

# wagate_test(<name> SOURCES ... DEPS ...) — one GoogleTest binary, registered with ctest.
function(wagate_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(NOT WAGATE_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest_main GTest::gmock)
  wagate_warnings(${name})
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
