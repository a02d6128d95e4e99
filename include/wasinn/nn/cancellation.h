// Stopping host work from another thread: a deadline, SIGINT or an embedder raises a
// Cancellation, and work in progress (a generation, between tokens) checks it and stops with
// nn::Cancelled.
//
// Work finds the cancellation that applies to it in two ways: a GenerationSession has one of its
// own (GenerationSession::cancellation(), for embedders), and an ABI layer sets the one of its
// guest around every call into the nn core (CancellationScope), so that a deadline reaches a
// generation in progress without every interface in between carrying it.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "wasinn/nn/error.h"

namespace wasinn::nn {

// What stopped work throws: an nn::Error with the code the canceller chose (timeout for a
// deadline); an ABI layer that knows its guest was stopped turns it into a trap instead.
class Cancelled : public Error {
 public:
  Cancelled(ErrorCode code, const std::string& reason) : Error(code, reason) {}
};

class Cancellation {
 public:
  // Raises the flag; the first reason (and code) given is kept. Safe from any thread (not from
  // a signal handler: raise an atomic flag there and call this from a normal thread).
  void cancel(const std::string& reason, ErrorCode code = ErrorCode::runtime_error);
  bool cancelled() const noexcept { return flag_.load(std::memory_order_acquire); }
  std::string reason() const;
  // Throws Cancelled(code, reason) once raised.
  void check() const;

 private:
  std::atomic<bool> flag_{false};
  mutable std::mutex mutex_;
  std::string reason_;
  ErrorCode code_ = ErrorCode::runtime_error;
};

// Makes `cancellation` the one that host work on this thread answers to, until the scope ends
// (scopes nest; null means none).
class CancellationScope {
 public:
  explicit CancellationScope(const Cancellation* cancellation) noexcept;
  ~CancellationScope();
  CancellationScope(const CancellationScope&) = delete;
  CancellationScope& operator=(const CancellationScope&) = delete;

 private:
  const Cancellation* previous_;
};

// Throws Cancelled when the innermost scope's cancellation on this thread has been raised.
void check_current_cancellation();

}  // namespace wasinn::nn
