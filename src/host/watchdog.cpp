#include "host/watchdog.h"

#include <cmath>
#include <stdexcept>

namespace wasinn::host {
namespace {

// A raised cancellation is noticed within this long: it may come from a thread (or a signal)
// that cannot wake the watchdog itself.
constexpr std::chrono::milliseconds kPoll{50};

}  // namespace

Watchdog::Watchdog(const wasmtime::Engine& engine, std::shared_ptr<nn::Cancellation> cancellation,
                   std::optional<std::chrono::milliseconds> timeout)
    : engine_(engine), cancellation_(std::move(cancellation)), timeout_(timeout), thread_([this] { watch(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool Watchdog::timed_out() const {
  std::lock_guard lock(mutex_);
  return timed_out_;
}

void Watchdog::watch() {
  using clock = std::chrono::steady_clock;
  const auto deadline = timeout_ ? clock::now() + *timeout_ : clock::time_point::max();
  std::unique_lock lock(mutex_);
  while (!done_) {
    if (cancellation_->cancelled()) break;
    if (clock::now() >= deadline) {
      timed_out_ = true;
      cancellation_->cancel("the guest ran past its deadline of " + format_duration(*timeout_) + " (-W timeout)",
                            nn::ErrorCode::timeout);
      break;
    }
    wake_.wait_until(lock, std::min(deadline, clock::now() + kPoll));
  }
  if (!done_) engine_.increment_epoch();
}

std::chrono::milliseconds parse_duration(const std::string& text) {
  size_t end = 0;
  double value = 0;
  try {
    value = std::stod(text, &end);
  } catch (const std::exception&) {
    end = 0;
  }
  std::string unit = text.substr(end);
  double ms_per_unit = unit.empty() || unit == "s" ? 1e3
                       : unit == "ms"              ? 1.0
                       : unit == "us"              ? 1e-3
                       : unit == "m" || unit == "min" ? 60e3
                       : unit == "h"               ? 3600e3
                                                   : -1;
  if (end == 0 || ms_per_unit < 0 || !(value >= 0) || std::isinf(value))
    throw std::invalid_argument("'" + text + "' is not a duration (e.g. 2s, 500ms, 1.5s, 2m)");
  return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(value * ms_per_unit)));
}

std::string format_duration(std::chrono::milliseconds duration) {
  auto ms = duration.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

}  // namespace wasinn::host
