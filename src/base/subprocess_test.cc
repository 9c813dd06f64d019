// RunProgram against /bin/sh scripts (the test may use a shell; the code
// under test never does).
#include "base/subprocess.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace base {
namespace {

std::vector<std::string> Sh(const std::string& script) { return {"/bin/sh", "-c", script}; }

TEST(RunProgram, CollectsOutputAndExitCode) {
  Result<RunResult> r = RunProgram(Sh("printf hello; printf oops >&2; exit 3"), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->out, "hello");
  EXPECT_EQ(r->err, "oops");
  EXPECT_EQ(r->exit_code, 3);
}

TEST(RunProgram, NoShellNoEnvironmentNoStdin) {
  // The argument is passed as is: no globbing, no variable expansion.
  Result<RunResult> r = RunProgram({"/bin/echo", "$HOME *"}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "$HOME *\n");
  ::setenv("WAGATE_SUBPROCESS_TEST_SECRET", "s3cret", 1);
  r = RunProgram(Sh("env; cat; echo end"), {});  // cat reads /dev/null: ends at once
  ::unsetenv("WAGATE_SUBPROCESS_TEST_SECRET");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out.find("s3cret"), std::string::npos) << r->out;
  EXPECT_NE(r->out.find("end\n"), std::string::npos);
}

TEST(RunProgram, KilledPastTheDeadline) {
  RunOptions options;
  options.timeout = std::chrono::milliseconds(200);
  Result<RunResult> r = RunProgram(Sh("sleep 5"), options);
  EXPECT_EQ(r.status().code(), Code::kDeadlineExceeded) << r.status().ToString();
}

TEST(RunProgram, KilledPastTheOutputLimit) {
  RunOptions options;
  options.max_stdout = 1000;
  Result<RunResult> r = RunProgram(Sh("yes"), options);
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted) << r.status().ToString();
}

TEST(RunProgram, MissingProgram) {
  Result<RunResult> r = RunProgram({"/nonexistent/ffmpeg", "-version"}, {});
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(RunProgram({}, {}).status().code(), Code::kInvalidArgument);
}

TEST(FindExecutable, SearchesPathAndChecksPaths) {
  EXPECT_TRUE(FindExecutable("sh"));
  EXPECT_EQ(FindExecutable("/bin/sh"), "/bin/sh");
  EXPECT_FALSE(FindExecutable("/nonexistent/ffmpeg"));
  EXPECT_FALSE(FindExecutable("no-such-program-wagate"));
  EXPECT_FALSE(FindExecutable(""));
}

}  // namespace
}  // namespace base
