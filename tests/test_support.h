// Helpers shared by the tests: the tiny model, temporary directories, error-code assertions.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <random>
#include <cstring>
#include <string>

#include "wasinn/nn/error.h"
#include "wasinn/nn/tensor.h"

namespace wasinn::test {

inline const std::filesystem::path kTinyModel = WASINN_TEST_TINY_MODEL;

// A fresh directory under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("wasinn-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Copies the tiny model into `dir` (small: a few MB), so a test may break one file.
inline void copy_tiny_model(const std::filesystem::path& dir) {
  std::filesystem::copy(kTinyModel, dir, std::filesystem::copy_options::recursive);
}

// Runs `f`, expecting nn::Error with `code`; returns its message.
inline std::string expect_nn_error(nn::ErrorCode code, const std::function<void()>& f) {
  try {
    f();
  } catch (const nn::Error& e) {
    EXPECT_EQ(nn::to_string(e.code()), nn::to_string(code)) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "expected nn::Error " << nn::to_string(code);
  return {};
}

inline nn::Tensor i64_tensor(std::vector<uint32_t> dims, const std::vector<int64_t>& values) {
  return nn::Tensor::from_values<int64_t>(nn::TensorType::i64, std::move(dims), values);
}

inline std::vector<float> floats(const nn::Tensor& t) {
  std::vector<float> out(t.data.size() / sizeof(float));
  std::memcpy(out.data(), t.data.data(), out.size() * sizeof(float));
  return out;
}

// The classifier test model's output for `input`, computed natively by the ONNX backend.
std::vector<float> native_classifier_output(const std::filesystem::path& model_file, const std::vector<float>& input);

// Expects `printed` (space-separated numbers, as the classify guests print) to equal `expected`.
void expect_printed_floats_near(const std::string& printed, const std::vector<float>& expected, double tolerance);

}  // namespace wasinn::test
