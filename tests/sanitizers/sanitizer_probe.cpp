// sanitizer-probe PROGRAM [ARGS...]: commits one real error that this build's sanitizer reports
// without stopping the process, then becomes PROGRAM (exec, same pid). Run as the daemon
// harness's wrapper it puts a genuine report into the daemon's output, so a test can prove that
// such a report fails the test (tests/integration/sanitizer_report_test.cpp). Built only in the
// sanitizer presets; UBSan recovers here (this target alone), so the probe goes on to exec.

#include <unistd.h>

#include <climits>
#include <cstdio>
#include <thread>

namespace {

#if defined(__SANITIZE_THREAD__)
// Two threads write one plain int with nothing ordering them: a data race ThreadSanitizer reports.
void CommitError() {
  static int shared_counter = 0;
  std::thread first([] { ++shared_counter; });
  std::thread second([] { ++shared_counter; });
  first.join();
  second.join();
}
#else
// Signed overflow: UBSan's "runtime error: signed integer overflow". volatile keeps it at run time.
void CommitError() {
  volatile int largest = INT_MAX;
  volatile int overflowed = largest + 1;
  (void)overflowed;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: sanitizer-probe PROGRAM [ARGS...]\n");
    return 2;
  }
  CommitError();
  execvp(argv[1], argv + 1);
  std::perror("sanitizer-probe: exec");
  return 127;
}
