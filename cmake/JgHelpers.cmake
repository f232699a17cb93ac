# Helpers that keep each folder's CMakeLists.txt to a few lines.
#
#   jg_library(core SRCS a.cc b.cc DEPS absl::status PUBLIC_DEPS ...)
#     -> target jianguan_core, alias jianguan::core, headers included as "libs/core/a.h".
#   jg_test(NAME core_uscc SRCS uscc_test.cc DEPS jianguan::core LABELS unit)
#     -> one Catch2 executable registered with CTest under the given labels.

# Designated initializers that leave defaulted members out are the intended style, hence
# -Wno-missing-field-initializers.
set(JG_WARNINGS -Wall -Wextra -Wpedantic -Wno-unused-parameter -Wno-missing-field-initializers)

function(jg_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;PUBLIC_DEPS" ${ARGN})
  add_library(jianguan_${name} ${ARG_SRCS})
  add_library(jianguan::${name} ALIAS jianguan_${name})
  target_include_directories(jianguan_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(jianguan_${name} PRIVATE ${JG_WARNINGS})
  target_link_libraries(jianguan_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_DEPS})
endfunction()

function(jg_executable name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${JG_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()

# Every test gets JG_DATA_ROOT (reference data) and JG_SOURCE_ROOT in its environment.
function(jg_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS;FIXTURES" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${ARG_NAME} PRIVATE ${JG_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} jianguan::catch_main)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
  set_tests_properties(${ARG_NAME} PROPERTIES
    LABELS "${ARG_LABELS}"
    TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "JG_DATA_ROOT=${JG_DATA_ROOT};JG_SOURCE_ROOT=${PROJECT_SOURCE_DIR};JG_BINARY_ROOT=${PROJECT_BINARY_DIR};JG_KAFKA_TEST_BROKERS=127.0.0.1:${JG_TEST_KAFKA_PORT}")
  if(ARG_FIXTURES)
    set_tests_properties(${ARG_NAME} PROPERTIES FIXTURES_REQUIRED "${ARG_FIXTURES}")
  endif()
endfunction()

# Adds every direct subfolder of the current source folder that has a CMakeLists.txt, so a
# new service's tests need no edit of the folder above (tests/unit, tests/integration, …).
function(jg_add_subdirectories)
  file(GLOB entries LIST_DIRECTORIES true RELATIVE "${CMAKE_CURRENT_SOURCE_DIR}"
       CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*")
  foreach(dir ${entries})
    if(EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt")
      add_subdirectory(${dir})
    endif()
  endforeach()
endfunction()
