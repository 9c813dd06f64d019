# Helpers shared by every folder's CMakeLists.txt.

# Warnings are errors on our own code only (not on third-party headers, which
# are included as SYSTEM by their imported targets).
# GCC 12 at -O2 reports false positives inside libstdc++ that -Werror would
# turn into broken Release builds: -Wrestrict, -Warray-bounds and
# -Wstringop-overflow/-overread on std::string concatenation (GCC PR105329,
# PR105545, PR105651), and -Wmismatched-new-delete on Asio's coroutine frames,
# whose class-specific operator new/delete pair it fails to match. These are
# off for GCC < 13 only; Debug builds and newer compilers keep them.
set(WAGATE_GCC12_NOISE -Wno-restrict -Wno-array-bounds -Wno-stringop-overflow
    -Wno-stringop-overread -Wno-mismatched-new-delete)
function(wagate_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wno-missing-field-initializers)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE ${WAGATE_GCC12_NOISE})
  endif()
endfunction()

# One section per function and per data object in our own code, so that
# --gc-sections drops what is unused and the linker can place each function
# where cmake/hot_text.ld says (the code a running server executes packed
# together; docs/benchmarks.md, "Idle memory").
function(wagate_sections target)
  target_compile_options(${target} PRIVATE -ffunction-sections -fdata-sections)
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
  wagate_sections(${name})
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
