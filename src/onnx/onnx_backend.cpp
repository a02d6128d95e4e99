#include "wasinn/onnx/onnx_backend.h"

#include <onnxruntime_cxx_api.h>

#include "onnx/onnx_graph.h"
#include "wasinn/nn/error.h"

namespace wasinn::onnx {
namespace {

using nn::Error;
using nn::ErrorCode;

// The project builds with ORT_API_MANUAL_INIT (nothing touches ONNX Runtime during static
// initialisation), so the C++ API's function table is set here, before the first Ort object,
// and the process's one Ort::Env is made with it. A function-local static makes racing first
// loads wait for one initialisation.
const Ort::Env& shared_env() {
  static const Ort::Env env = [] {
    const OrtApiBase* base = OrtGetApiBase();
    const OrtApi* api = base->GetApi(ORT_API_VERSION);
    if (!api)
      throw Error(ErrorCode::runtime_error, std::string("the loaded onnxruntime ") + base->GetVersionString() +
                                                " does not provide C API version " + std::to_string(ORT_API_VERSION));
    Ort::InitApi(api);
    return Ort::Env(ORT_LOGGING_LEVEL_WARNING, "wasinn-onnx");
  }();
  return env;
}

Ort::SessionOptions session_options(nn::ExecutionTarget target) {
  Ort::SessionOptions options;
  // Each graph runs on the calling thread, with no thread pool of its own. ONNX Runtime's
  // default gave every loaded graph a pool of one thread per core, spinning after each run: a
  // guest's 64 live graphs meant 64 pools taking cores from every other guest (profiling the
  // fuzzer showed them as most of its time). Parallelism comes from many guests, each on its own
  // thread. (The Env's shared pools are not an option: GenAI creates the process's one OrtEnv
  // first, without them, and ONNX Runtime then refuses sessions that ask for them.)
  options.SetIntraOpNumThreads(1);
  options.SetInterOpNumThreads(1);
  switch (target) {
    case nn::ExecutionTarget::cpu:
    case nn::ExecutionTarget::autodetect: break;  // the CPU provider is always there
    case nn::ExecutionTarget::gpu:
      // No silent CPU fallback: a guest that asked for a GPU learns it has none.
      try {
        Ort::CUDAProviderOptions cuda;
        options.AppendExecutionProvider_CUDA_V2(*cuda);
      } catch (const Ort::Exception& e) {
        throw Error(ErrorCode::runtime_error,
                    std::string("execution target gpu needs onnxruntime's CUDA execution provider: ") + e.what());
      }
      break;
    case nn::ExecutionTarget::tpu:
      throw Error(ErrorCode::unsupported_operation, "the onnx backend has no execution provider for target tpu");
  }
  return options;
}

Error session_error(const Ort::Exception& e, nn::ExecutionTarget target) {
  // Bytes that are not an ONNX model, or a model whose graph does not hold together.
  bool bad_model = e.GetOrtErrorCode() == ORT_INVALID_PROTOBUF || e.GetOrtErrorCode() == ORT_INVALID_GRAPH;
  return Error(bad_model ? ErrorCode::invalid_encoding : ErrorCode::runtime_error,
               std::string("onnxruntime could not load the model for target ") +
                   std::string(nn::to_string(target)) + ": " + e.what());
}

}  // namespace

std::shared_ptr<nn::Graph> OnnxBackend::load(std::span<const std::span<const uint8_t>> builders,
                                             nn::ExecutionTarget target) {
  if (builders.size() != 1)
    throw Error(ErrorCode::invalid_argument, "an onnx graph is loaded from exactly one builder (the model bytes), got " +
                                                 std::to_string(builders.size()));
  if (builders[0].empty()) throw Error(ErrorCode::invalid_encoding, "the onnx model bytes are empty");
  const Ort::Env& env = shared_env();
  Ort::SessionOptions options = session_options(target);
  try {
    Ort::Session session(env, builders[0].data(), builders[0].size(), options);
    return std::make_shared<OnnxGraph>(std::move(session));
  } catch (const Ort::Exception& e) {
    throw session_error(e, target);
  }
}

}  // namespace wasinn::onnx
