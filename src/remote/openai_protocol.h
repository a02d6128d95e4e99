// The OpenAI-compatible HTTP API as this backend speaks it: request bodies built from the guest's
// input and options, streamed chunks read back, error bodies and /v1/models lists understood.
// Pure functions over JSON text, so they are tested without an engine.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "remote/sse_parser.h"
#include "wasinn/nn/request_options.h"

namespace wasinn::remote {

enum class Endpoint { chat_completions, completions };
const char* path_of(Endpoint endpoint);  // "/chat/completions" or "/completions"

// What the guest sent: a prompt to wrap as one user message, chat messages (a JSON array of
// {role, content}), or a raw (already templated) prompt.
enum class InputKind { user_prompt, messages, raw_prompt };

// A streaming request body. Options the guest did not set are left to the engine, except the
// sampling mode: GenAI's default is greedy, so a request without do_sample / temperature asks
// for temperature 0 and the same guest gets the same kind of answer from either backend.
// A JSON schema (json-schema option) goes as OpenAI's response_format (`true`: json_object; a
// `false` schema is nn::Error(invalid_argument)). Messages that are not a JSON array of objects
// are nn::Error(invalid_argument).
std::string request_body(const std::string& model_id, InputKind kind, const std::string& text,
                         const nn::RequestOptions& options);
Endpoint endpoint_for(InputKind kind);

// One event of a streamed answer, read.
struct StreamChunk {
  bool done = false;                        // the "[DONE]" sentinel
  std::string text;                         // the new text (choices[0].delta.content or .text)
  std::optional<std::string> finish_reason;
  std::optional<size_t> prompt_tokens, completion_tokens;  // from `usage`
};
// nn::Error(runtime_error) naming `url` for malformed JSON, an unexpected shape, or an error the
// engine reports inside the stream.
StreamChunk parse_chunk(const SseEvent& event, const std::string& url);

// The message of an engine's error body ({"error": {"message": ...}}, {"error": "..."},
// {"message": ...}, {"detail": ...}), or the body itself, shortened, when it is none of those.
std::string engine_error_message(const std::string& body);

// nn::Error(unsupported_operation) for an option this backend does not send to the engine and
// that changes what the answer means (guidance by grammar, regex or lark; embedding;
// max_length / ctx-size): a guest must not believe it got what it asked for.
void refuse_unserved_options(const nn::RequestOptions& options);

// The model ids a /v1/models body lists; nn::Error(runtime_error) naming `url` when malformed.
std::vector<std::string> model_ids(const std::string& body, const std::string& url);

}  // namespace wasinn::remote
