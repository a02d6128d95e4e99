// Text inputs (a prompt, chat messages, JSON options) arrive as u8 tensors on both ABIs; every
// backend that takes text checks them the same way, here.
#pragma once

#include <string>
#include <string_view>

#include "wasinn/nn/tensor.h"

namespace wasinn::nn {

// `tensor`'s bytes as text. nn::Error(invalid_argument), naming `what`, unless it is a valid u8
// tensor of dims [len] (or no dims) holding strict UTF-8.
std::string text_input(const Tensor& tensor, std::string_view what);

}  // namespace wasinn::nn
