#include "remote/openai_protocol.h"

#include <nlohmann/json.hpp>

#include "wasinn/nn/error.h"

namespace wasinn::remote {
namespace {

using nlohmann::json;
using nn::Error;
using nn::ErrorCode;

constexpr size_t kQuoteLimit = 300;  // of an engine's unstructured text, in an error message

std::string shortened(const std::string& text) {
  if (text.size() <= kQuoteLimit) return text;
  return text.substr(0, kQuoteLimit) + "...";
}

json messages_of(const std::string& text) {
  auto messages = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (messages.is_discarded() || !messages.is_array())
    throw Error(ErrorCode::invalid_argument, "messages must be a JSON array of {\"role\", \"content\"} objects");
  for (const auto& m : messages)
    if (!m.is_object() || !m.contains("role"))
      throw Error(ErrorCode::invalid_argument, "each message must be an object with a \"role\"");
  return messages;
}

// A JSON schema as OpenAI's response_format, which vLLM, SGLang, TGI and llama.cpp's server
// honour (each turns it into its own constrained decoding); `true` (any JSON) is json_object.
json response_format(const nn::Guidance& guidance) {
  auto schema = json::parse(guidance.data, nullptr, /*allow_exceptions=*/false);
  if (schema.is_boolean() && schema.get<bool>()) return {{"type", "json_object"}};
  if (!schema.is_object())
    throw Error(ErrorCode::invalid_argument,
                "'" + guidance.option + "' for a remote engine must be a JSON schema object (or true), got " +
                    shortened(guidance.data));
  return {{"type", "json_schema"}, {"json_schema", {{"name", "wasinn_schema"}, {"schema", schema}, {"strict", true}}}};
}

}  // namespace

const char* path_of(Endpoint endpoint) {
  return endpoint == Endpoint::chat_completions ? "/chat/completions" : "/completions";
}

Endpoint endpoint_for(InputKind kind) {
  return kind == InputKind::raw_prompt ? Endpoint::completions : Endpoint::chat_completions;
}

std::string request_body(const std::string& model_id, InputKind kind, const std::string& text,
                         const nn::RequestOptions& o) {
  json body{{"model", model_id}, {"stream", true}, {"stream_options", {{"include_usage", true}}}};
  switch (kind) {
    case InputKind::user_prompt: body["messages"] = json::array({{{"role", "user"}, {"content", text}}}); break;
    case InputKind::messages: body["messages"] = messages_of(text); break;
    case InputKind::raw_prompt: body["prompt"] = text; break;
  }
  if (o.max_new_tokens) body["max_tokens"] = *o.max_new_tokens;
  // Sampling as GenAI resolves it (genai::resolve): a named temperature > 0 samples, do_sample
  // false or temperature 0 is greedy, and nothing at all is greedy too.
  bool sample = o.do_sample.value_or(o.temperature ? *o.temperature > 0.0 : false);
  if (o.temperature && *o.temperature == 0.0) sample = false;
  if (!sample) {
    body["temperature"] = 0.0;
  } else if (o.temperature) {
    body["temperature"] = *o.temperature;
  }
  if (o.top_p) body["top_p"] = *o.top_p;
  if (o.top_k) body["top_k"] = *o.top_k;  // not OpenAI's; vLLM, SGLang, TGI and llama.cpp take it
  if (o.repetition_penalty) body["repetition_penalty"] = *o.repetition_penalty;
  if (o.seed) body["seed"] = *o.seed;
  if (!o.stop.empty()) body["stop"] = o.stop;
  if (o.guidance) body["response_format"] = response_format(*o.guidance);
  return body.dump();
}

StreamChunk parse_chunk(const SseEvent& event, const std::string& url) {
  StreamChunk chunk;
  if (event.data == "[DONE]") {
    chunk.done = true;
    return chunk;
  }
  auto j = json::parse(event.data, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    throw Error(ErrorCode::runtime_error,
                "the engine at " + url + " sent malformed JSON in its event stream: " + shortened(event.data));
  if (j.contains("error") || event.type == "error")
    throw Error(ErrorCode::runtime_error,
                "the engine at " + url + " reported an error mid-answer: " + engine_error_message(event.data));
  try {
    if (auto choices = j.find("choices"); choices != j.end() && choices->is_array() && !choices->empty()) {
      const auto& choice = (*choices)[0];
      const json* text = nullptr;
      if (auto delta = choice.find("delta"); delta != choice.end() && delta->is_object()) {
        if (auto c = delta->find("content"); c != delta->end()) text = &*c;
      } else if (auto t = choice.find("text"); t != choice.end()) {
        text = &*t;
      }
      if (text && !text->is_null()) chunk.text = text->get<std::string>();
      if (auto f = choice.find("finish_reason"); f != choice.end() && !f->is_null())
        chunk.finish_reason = f->get<std::string>();
    }
    if (auto usage = j.find("usage"); usage != j.end() && usage->is_object()) {
      if (usage->contains("prompt_tokens")) chunk.prompt_tokens = (*usage)["prompt_tokens"].get<size_t>();
      if (usage->contains("completion_tokens")) chunk.completion_tokens = (*usage)["completion_tokens"].get<size_t>();
    }
  } catch (const json::exception& e) {
    throw Error(ErrorCode::runtime_error, "the engine at " + url + " sent an event of an unexpected shape (" +
                                              e.what() + "): " + shortened(event.data));
  }
  return chunk;
}

std::string engine_error_message(const std::string& body) {
  auto j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    for (const char* key : {"error", "message", "detail"}) {
      auto it = j.find(key);
      if (it == j.end()) continue;
      if (it->is_string()) return it->get<std::string>();
      if (it->is_object()) {
        if (auto m = it->find("message"); m != it->end() && m->is_string()) return m->get<std::string>();
        return it->dump();
      }
    }
  }
  auto end = body.find_last_not_of(" \t\r\n");
  return shortened(end == std::string::npos ? std::string("(empty body)") : body.substr(0, end + 1));
}

std::vector<std::string> model_ids(const std::string& body, const std::string& url) {
  auto j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  auto data = j.is_object() ? j.find("data") : j.end();
  if (j.is_discarded() || !j.is_object() || data == j.end() || !data->is_array())
    throw Error(ErrorCode::runtime_error,
                "the engine at " + url + " answered /models with no model list: " + shortened(body));
  std::vector<std::string> ids;
  for (const auto& m : *data)
    if (m.is_object() && m.contains("id") && m["id"].is_string()) ids.push_back(m["id"].get<std::string>());
  return ids;
}

void refuse_unserved_options(const nn::RequestOptions& options) {
  auto refuse = [](const std::string& what) {
    throw nn::Error(nn::ErrorCode::unsupported_operation,
                    what + " is not forwarded to a remote engine yet: use a local model for it");
  };
  // A JSON schema travels as response_format (request_body); grammars and regexes have no
  // OpenAI-compatible field every engine takes.
  if (options.guidance && options.guidance->type != "json_schema")
    refuse("constrained output by '" + options.guidance->option + "' (grammar, regex, lark; json-schema is)");
  if (options.guidance) response_format(*options.guidance);  // a schema it cannot send fails here, early
  if (options.embedding.value_or(false)) refuse("embedding");
  if (options.max_length) refuse("max_length / ctx-size");
}

}  // namespace wasinn::remote
