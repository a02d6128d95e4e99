// Stopping work from outside: a GenerationSession's own cancellation handle, the ambient one an
// ABI layer sets (a guest's deadline), and host::run's deadline and cancellation on real guests.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "host/wasm_runner.h"
#include "host/watchdog.h"
#include "test_support.h"
#include "wasinn/genai/backend.h"
#include "wasinn/genai/generation_session.h"

namespace wasinn {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<const genai::LoadedModel> tiny_model() {
  genai::ModelRegistry registry;
  registry.add("tiny", test::kTinyModel);
  genai::GenAIBackend backend(std::move(registry), genai::BackendOptions{});
  return backend.open("tiny");
}

genai::GenerationSettings long_generation() {
  genai::GenerationSettings settings;
  settings.max_length = 1024;
  return settings;
}

TEST(Cancellation, ASessionsOwnHandleStopsItBeforeItsNextTokenWithTheReason) {
  auto session = genai::GenerationSession::from_prompt(tiny_model(), "Once upon a time", long_generation());
  ASSERT_TRUE(session.next_piece().has_value());
  size_t generated = session.metadata().output_tokens;
  session.cancellation()->cancel("the embedder gave up");
  auto message = test::expect_nn_error(nn::ErrorCode::runtime_error, [&] { session.next_piece(); });
  EXPECT_EQ(message, "the embedder gave up");
  EXPECT_EQ(session.metadata().output_tokens, generated) << "no token after the cancellation";
}

TEST(Cancellation, ACancelledScopeStopsSessionsOnItsThreadOnly) {
  nn::Cancellation deadline;
  deadline.cancel("past the deadline", nn::ErrorCode::timeout);
  auto model = tiny_model();
  {
    nn::CancellationScope scope(&deadline);
    test::expect_nn_error(nn::ErrorCode::timeout,
                          [&] { genai::GenerationSession::from_prompt(model, "Hello", long_generation()); });
    // Another thread has no scope: its work goes on.
    std::thread other([&] {
      auto session = genai::GenerationSession::from_prompt(model, "Hello", long_generation());
      EXPECT_TRUE(session.next_piece().has_value());
    });
    other.join();
  }
  auto after = genai::GenerationSession::from_prompt(model, "Hello", long_generation());
  EXPECT_TRUE(after.next_piece().has_value()) << "the scope ended with its block";
}

TEST(Cancellation, TheFirstReasonAndCodeWin) {
  nn::Cancellation c;
  EXPECT_FALSE(c.cancelled());
  EXPECT_NO_THROW(c.check());
  c.cancel("first", nn::ErrorCode::timeout);
  c.cancel("second");
  EXPECT_EQ(c.reason(), "first");
  test::expect_nn_error(nn::ErrorCode::timeout, [&] { c.check(); });
}

TEST(Durations, ParseWasmtimeStyleSpellings) {
  EXPECT_EQ(host::parse_duration("2s"), 2000ms);
  EXPECT_EQ(host::parse_duration("500ms"), 500ms);
  EXPECT_EQ(host::parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(host::parse_duration("2m"), 120000ms);
  EXPECT_EQ(host::parse_duration("1h"), 3600000ms);
  EXPECT_EQ(host::parse_duration("3"), 3000ms);
  EXPECT_EQ(host::parse_duration("250us"), 1ms) << "rounded up, never to zero";
  for (const char* bad : {"", "s", "soon", "2 s", "-1s", "2parsecs", "nan", "inf"})
    EXPECT_THROW(host::parse_duration(bad), std::invalid_argument) << bad;
  EXPECT_EQ(host::format_duration(2000ms), "2s");
  EXPECT_EQ(host::format_duration(1500ms), "1500ms");
}

host::RunOptions spin_run(const char* guest) {
  host::RunOptions options;
  options.wasm_path = std::string(WASINN_TEST_GUEST_DIR) + "/" + guest;
  options.stdout_path = "/dev/null";
  options.stderr_path = "/dev/null";
  return options;
}

TEST(HostRun, ADeadlineStopsASpinningGuestOfEitherKind) {
  for (const char* guest : {"spin.wasm", "spin.component.wasm"}) {
    auto options = spin_run(guest);
    options.timeout = 300ms;
    EXPECT_EQ(host::run(options, std::make_shared<nn::Backends>()), host::kTimeoutStatus) << guest;
  }
}

TEST(HostRun, AnEmbedderCancellationStopsASpinningGuest) {
  auto options = spin_run("spin.wasm");
  options.cancellation = std::make_shared<nn::Cancellation>();
  std::thread canceller([c = options.cancellation] {
    std::this_thread::sleep_for(200ms);
    c->cancel("shutting down");
  });
  EXPECT_EQ(host::run(options, std::make_shared<nn::Backends>()), host::kInterruptedStatus);
  canceller.join();
}

}  // namespace
}  // namespace wasinn
