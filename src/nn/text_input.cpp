#include "wasinn/nn/text_input.h"

#include "wasinn/nn/error.h"
#include "wasinn/nn/utf8.h"

namespace wasinn::nn {

std::string text_input(const Tensor& tensor, std::string_view what) {
  std::string name(what);
  if (tensor.type != TensorType::u8)
    throw Error(ErrorCode::invalid_argument, name + " must be a u8 tensor of UTF-8, got " + std::string(to_string(tensor.type)));
  tensor.validate(what);
  if (tensor.dims.size() > 1) throw Error(ErrorCode::invalid_argument, name + " must have dims [len]");
  auto text = tensor.as_string();
  if (!is_valid_utf8(text)) throw Error(ErrorCode::invalid_argument, name + " is not valid UTF-8");
  return std::string(text);
}

}  // namespace wasinn::nn
