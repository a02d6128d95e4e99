// Embedding wasinn's GenAI backend in a C++ program, with no WebAssembly involved:
//   embed MODEL_DIR PROMPT
#include <wasinn/genai/backend.h>
#include <wasinn/genai/generation_session.h>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: embed MODEL_DIR PROMPT\n";
    return 2;
  }
  try {
    wasinn::genai::ModelRegistry registry;
    registry.add("model", argv[1]);
    auto backend = std::make_shared<wasinn::genai::GenAIBackend>(
        std::move(registry), wasinn::genai::BackendOptions::from_environment());

    // The wasi-nn way: a graph, a context, named tensors.
    auto graph = backend->load_by_name("model", R"({"max_tokens": 16})");
    auto ctx = graph->init_execution_context();
    ctx->set_input("prompt", wasinn::nn::Tensor::from_bytes(argv[2]));
    ctx->compute();
    std::cout << "response: " << ctx->get_output("response").as_string() << "\n";

    // The streaming way: a generation session, piece by piece.
    wasinn::genai::RequestOptions request;
    request.max_new_tokens = 16;
    auto session = wasinn::genai::GenerationSession::from_prompt(
        backend->open("model"), argv[2], wasinn::genai::resolve(backend->options(), request));
    std::cout << "streamed: ";
    while (auto piece = session.next_piece()) std::cout << *piece << std::flush;
    std::cout << "\n" << session.metadata().to_json() << "\n";
  } catch (const wasinn::nn::Error& e) {
    std::cerr << "error (" << wasinn::nn::to_string(e.code()) << "): " << e.what() << "\n";
    return 1;
  }
  return 0;
}
