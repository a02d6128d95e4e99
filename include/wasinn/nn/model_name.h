// The names guests load models by (load_by_name): every backend checks them the same way, before
// a name touches the file system.
#pragma once

#include <string_view>

namespace wasinn::nn {

// nn::Error(invalid_argument) unless `name` is a plain directory name: not empty, at most 255
// bytes, not "." or "..", no path separator, NUL or control character.
void validate_model_name(std::string_view name);

}  // namespace wasinn::nn
