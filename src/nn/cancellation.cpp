#include "wasinn/nn/cancellation.h"

namespace wasinn::nn {
namespace {

thread_local const Cancellation* current = nullptr;

}  // namespace

void Cancellation::cancel(const std::string& reason, ErrorCode code) {
  std::lock_guard lock(mutex_);
  if (flag_.load(std::memory_order_relaxed)) return;
  reason_ = reason;
  code_ = code;
  flag_.store(true, std::memory_order_release);
}

std::string Cancellation::reason() const {
  std::lock_guard lock(mutex_);
  return reason_;
}

void Cancellation::check() const {
  if (!cancelled()) return;
  std::lock_guard lock(mutex_);
  throw Cancelled(code_, reason_);
}

CancellationScope::CancellationScope(const Cancellation* cancellation) noexcept : previous_(current) {
  current = cancellation;
}

CancellationScope::~CancellationScope() { current = previous_; }

void check_current_cancellation() {
  if (current != nullptr) current->check();
}

}  // namespace wasinn::nn
