#include "wasinn/nn/model_name.h"

#include <string>

#include "wasinn/nn/error.h"

namespace wasinn::nn {
namespace {

constexpr size_t kMaxNameLength = 255;  // a file-name component on every common file system

}  // namespace

void validate_model_name(std::string_view name) {
  auto bad = [&](const std::string& why) {
    throw Error(ErrorCode::invalid_argument, "invalid model name: " + why);
  };
  if (name.empty()) bad("it is empty");
  if (name.size() > kMaxNameLength) bad("it is longer than " + std::to_string(kMaxNameLength) + " bytes");
  if (name == "." || name == "..") bad("'" + std::string(name) + "' names a directory, not a model");
  for (char c : name) {
    if (c == '\0') bad("it contains a NUL byte");
    if (c == '/' || c == '\\') bad("'" + std::string(name) + "' contains a path separator");
    if (static_cast<unsigned char>(c) < 0x20) bad("it contains a control character");
  }
}

}  // namespace wasinn::nn
