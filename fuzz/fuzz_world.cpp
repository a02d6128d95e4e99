#include "fuzz_world.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "wasinn/genai/backend.h"
#include "wasinn/onnx/onnx_backend.h"

namespace wasinn::fuzz {
namespace {

using Clock = std::chrono::steady_clock;

// Totals for the report at exit: libFuzzer counts inputs; the figure that matters is calls.
std::atomic<uint64_t> total_inputs{0};
std::atomic<uint64_t> total_calls{0};
Clock::time_point started = Clock::now();

void report() {
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::fprintf(stderr, "wasinn-fuzz: %llu inputs, %llu wasi-nn calls in %.0f s (%.0f calls/s)\n",
               static_cast<unsigned long long>(total_inputs.load()),
               static_cast<unsigned long long>(total_calls.load()), seconds,
               seconds > 0 ? static_cast<double>(total_calls.load()) / seconds : 0.0);
}

std::chrono::milliseconds input_budget() {
  const char* value = std::getenv("WASINN_FUZZ_INPUT_MS");
  return std::chrono::milliseconds(value ? std::strtoll(value, nullptr, 10) : 1000);
}

}  // namespace

// One thread for the whole run, so that an input costs no thread start.
struct World::Watchdog {
  std::mutex mutex;
  std::condition_variable wake;
  std::shared_ptr<nn::Cancellation> current;
  Clock::time_point deadline;
  bool stopping = false;
  std::thread thread{[this] { loop(); }};

  ~Watchdog() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    thread.join();
  }

  void loop() {
    std::unique_lock lock(mutex);
    while (!stopping) {
      if (current && Clock::now() >= deadline) {
        current->cancel("the fuzz input ran past its time budget", nn::ErrorCode::timeout);
        current.reset();
      }
      wake.wait_for(lock, std::chrono::milliseconds(20));
    }
  }
};

World& World::get() {
  // Never destroyed: libFuzzer exits from inside its loop, and GenAI's own static teardown must
  // not race a model still held here.
  static World* world = new World();
  return *world;
}

World::World() : watchdog_(std::make_shared<Watchdog>()) {
  genai::ModelRegistry registry;
  registry.add("tiny", WASINN_FUZZ_TINY_MODEL_DIR);
  // A root as well, so that names reach the registry's file-system checks (`..`, `/`, ...).
  registry.add_root(WASINN_FUZZ_MODEL_ROOT);
  // A host's own cap on prompt + response (a guest may still ask for up to the model's context):
  // most inputs then cost milliseconds, not the time budget.
  genai::BackendOptions options;
  options.max_length = 64;
  auto genai_backend = std::make_shared<genai::GenAIBackend>(std::move(registry), options);
  backends_ = std::make_shared<nn::Backends>();
  backends_->set_name_loader(genai_backend);
  backends_->add_byte_loader(nn::GraphEncoding::onnx, std::make_shared<onnx::OnnxBackend>());
  // Keep the tiny model loaded for the whole run: otherwise each input that drops its last graph
  // would unload it and the next would pay the load again.
  static std::shared_ptr<nn::Graph> keep = backends_->load_by_name("tiny");
  std::atexit(report);
}

std::shared_ptr<nn::Cancellation> World::begin_input() {
  auto cancellation = std::make_shared<nn::Cancellation>();
  std::lock_guard lock(watchdog_->mutex);
  watchdog_->current = cancellation;
  watchdog_->deadline = Clock::now() + input_budget();
  return cancellation;
}

void World::end_input(uint64_t calls) {
  {
    std::lock_guard lock(watchdog_->mutex);
    watchdog_->current.reset();
  }
  total_inputs += 1;
  total_calls += calls;
  if (total_inputs % 10000 == 0) report();  // progress for long runs
  try {
    if (++inputs_ % 64 != 0) return;
    auto graph = backends_->load_by_name("tiny");
    auto context = graph->init_execution_context();
    context->set_input(0u, nn::Tensor::from_bytes("Hello"));
    context->set_input(1u, nn::Tensor::from_bytes(R"({"n-predict": 2})"));
    context->compute();
    if (context->get_output(0u).data.empty()) finding("the tiny model generated nothing after this input");
  } catch (const std::exception& e) {
    finding(std::string("the host stopped serving the tiny model after this input: ") + e.what());
  }
}

void World::finding(std::string_view what) {
  std::fprintf(stderr, "wasinn-fuzz: FINDING: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

}  // namespace wasinn::fuzz
