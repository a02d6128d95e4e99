#include "gguf/converter_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>

#include "wasinn/nn/error.h"

namespace wasinn::gguf {
namespace {

using nn::Error;
using nn::ErrorCode;

constexpr size_t kTailLines = 20;
constexpr std::string_view kProgress = "progress: ";
constexpr std::string_view kError = "error: ";

// Collects the child's lines as the contract reads them.
class LineReader {
 public:
  LineReader(ProcessResult& result, const std::function<void(std::string_view)>& on_progress)
      : result_(result), on_progress_(on_progress) {}

  void feed(const char* data, size_t n) {
    pending_.append(data, n);
    for (size_t eol; (eol = pending_.find('\n')) != std::string::npos;) {
      line(pending_.substr(0, eol));
      pending_.erase(0, eol + 1);
    }
  }
  void finish() {
    if (!pending_.empty()) line(pending_);
    pending_.clear();
    for (const auto& l : tail_) result_.tail += l + "\n";
  }

 private:
  void line(const std::string& l) {
    if (l.starts_with(kProgress)) {
      if (on_progress_) on_progress_(l);
      return;
    }
    if (l.starts_with(kError) && result_.error_line.empty()) result_.error_line = l.substr(kError.size());
    else if (result_.first_line.empty() && !l.empty()) result_.first_line = l;
    tail_.push_back(l);
    if (tail_.size() > kTailLines) tail_.pop_front();
  }

  ProcessResult& result_;
  const std::function<void(std::string_view)>& on_progress_;
  std::string pending_;
  std::deque<std::string> tail_;
};

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::function<void(std::string_view)>& on_progress) {
  // Everything the child needs is made before fork: after it, only async-signal-safe calls.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    throw Error(ErrorCode::runtime_error, std::string("cannot make a pipe for the converter: ") + std::strerror(errno));
  int null_in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    // The converter must not outlive a host that is killed mid-conversion.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    if (null_in >= 0) ::dup2(null_in, 0);
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int fork_errno = errno;
  ::close(out[1]);
  if (null_in >= 0) ::close(null_in);
  if (pid < 0) {
    ::close(out[0]);
    throw Error(ErrorCode::runtime_error, std::string("cannot start the converter: ") + std::strerror(fork_errno));
  }

  ProcessResult result;
  LineReader reader(result, on_progress);
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(out[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reader.feed(buffer, static_cast<size_t>(n));
  }
  ::close(out[0]);
  reader.finish();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_status = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

}  // namespace wasinn::gguf
