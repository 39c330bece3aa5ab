# Read by ctest after the integration tests are discovered (tests/CMakeLists.txt): the tests of
# the suites in STEMEDB_SANITIZE_SUITES get the label `sanitize` beside `integration`.
foreach(test IN LISTS integration_sanitize_TESTS)
  set_tests_properties(${test} PROPERTIES LABELS "integration;sanitize")
endforeach()
