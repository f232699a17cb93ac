# Helpers that keep each folder's CMakeLists.txt to a few lines.
#
#   jg_library(core SRCS a.cc b.cc DEPS absl::status PUBLIC_DEPS ...)
#     -> target jianguan_core, alias jianguan::core, headers included as "libs/core/a.h".
#   jg_test(NAME core_uscc SRCS uscc_test.cc DEPS jianguan::core LABELS unit)
#     -> one Catch2 executable registered with CTest under the given labels.

# Designated initializers that leave defaulted members out are the intended style, hence
# -Wno-missing-field-initializers.
set(JG_WARNINGS -Wall -Wextra -Wpedantic -Wno-unused-parameter -Wno-missing-field-initializers)

# The tsan preset (JG_SANITIZE=thread): every executable links the shims in cmake/tsan/, which
# make the synchronization of Debian's uninstrumented librdkafka (C11 threads), Abseil
# (absl::Mutex, CondVar, Notification) and gRPC (its completion queue's hand-off of a tag)
# visible to TSan, and every test runs with
# cmake/tsan/suppressions.txt (races inside those libraries only). docs/race-detector.md.
if(JG_SANITIZE MATCHES "thread")
  # protobuf's map fields take the layout of Debian's uninstrumented libprotobuf, whatever
  # -fsanitize=thread makes its headers believe (the header says why).
  add_compile_options(-include${CMAKE_CURRENT_LIST_DIR}/tsan/protobuf_map_layout.h)
  add_library(jianguan_tsan_shim OBJECT ${CMAKE_CURRENT_LIST_DIR}/tsan/c11_threads_shim.cc
              ${CMAKE_CURRENT_LIST_DIR}/tsan/absl_sync_shim.cc
              ${CMAKE_CURRENT_LIST_DIR}/tsan/grpc_cq_shim.cc)
  target_compile_options(jianguan_tsan_shim PRIVATE ${JG_WARNINGS})
  target_link_libraries(jianguan_tsan_shim PUBLIC absl::synchronization absl::time
                        Threads::Threads ${CMAKE_DL_LIBS})
  # ld exports a definition only when a shared library linked at build time references it;
  # name them so the shims also reach a library that arrives indirectly.
  set(JG_TSAN_SHIM_SYMBOLS thrd_create thrd_join thrd_detach thrd_current thrd_exit mtx_init
      mtx_lock mtx_trylock mtx_timedlock mtx_unlock mtx_destroy cnd_init cnd_signal
      cnd_broadcast cnd_wait cnd_timedwait cnd_destroy call_once
      _ZN4absl*5Mutex* _ZN4absl*7CondVar* _ZN4absl*12Notification* _ZNK4absl*12Notification*
      _Z16grpc_cq_begin_opP21grpc_completion_queuePv grpc_completion_queue_next)
  list(TRANSFORM JG_TSAN_SHIM_SYMBOLS PREPEND "LINKER:--export-dynamic-symbol="
       OUTPUT_VARIABLE JG_TSAN_SHIM_LINK_OPTIONS)
  # halt_on_error: a race fails the test (and stops a child service at once, which its test
  # notices); second_deadlock_stack: both stacks of a lock-order inversion;
  # ignore_noninstrumented_modules: the memory accesses of interceptors that Debian's
  # uninstrumented libraries call (their malloc/free, memcpy, write) are not recorded, since
  # the library's handoffs around them are invisible (docs/race-detector.md says what that
  # costs).
  set(JG_TSAN_OPTIONS "suppressions=${CMAKE_CURRENT_LIST_DIR}/tsan/suppressions.txt:halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1")
endif()

function(_jg_sanitizer_runtime target)
  if(TARGET jianguan_tsan_shim)
    target_link_libraries(${target} PRIVATE jianguan_tsan_shim)
    target_link_options(${target} PRIVATE ${JG_TSAN_SHIM_LINK_OPTIONS})
  endif()
endfunction()

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
  _jg_sanitizer_runtime(${name})
  if(TARGET PkgConfig::JEMALLOC)
    # jemalloc replaces malloc by defining it, ahead of libc (the test
    # container_runtime_packages' list names its package).
    target_link_libraries(${name} PRIVATE PkgConfig::JEMALLOC)
  endif()
endfunction()

# Every test gets JG_DATA_ROOT (reference data) and JG_SOURCE_ROOT in its environment.
function(jg_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS;FIXTURES" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${ARG_NAME} PRIVATE ${JG_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} jianguan::catch_main)
  _jg_sanitizer_runtime(${ARG_NAME})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  if(JG_TSAN_OPTIONS)
    # TSan runs our code 5-15 times slower; sampling_restart_test took 550 of its 600 s.
    math(EXPR ARG_TIMEOUT "${ARG_TIMEOUT} * 3")
  endif()
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
  # The test broker's TLS listener (tests/CMakeLists.txt: two ports above the plain one,
  # certificates from tools/dev-certs in its directory).
  math(EXPR tls_port "${JG_TEST_KAFKA_PORT} + 2")
  set(env "JG_DATA_ROOT=${JG_DATA_ROOT};JG_SOURCE_ROOT=${PROJECT_SOURCE_DIR};JG_BINARY_ROOT=${PROJECT_BINARY_DIR};JG_KAFKA_TEST_BROKERS=127.0.0.1:${JG_TEST_KAFKA_PORT};JG_KAFKA_TEST_TLS_BROKERS=127.0.0.1:${tls_port};JG_KAFKA_TEST_TLS_DIR=${PROJECT_BINARY_DIR}/kafka-test/certs")
  set_tests_properties(${ARG_NAME} PROPERTIES
    LABELS "${ARG_LABELS}"
    TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "${env}")
  if(JG_TSAN_OPTIONS)
    # Prepended, so options given when running ctest come later and win, e.g.
    # TSAN_OPTIONS=halt_on_error=0 to see every report of a run.
    set_tests_properties(${ARG_NAME} PROPERTIES
      ENVIRONMENT_MODIFICATION "TSAN_OPTIONS=string_prepend:${JG_TSAN_OPTIONS}:")
  endif()
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
