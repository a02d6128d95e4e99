#include "wasinn/runtime_versions.h"

#include <onnxruntime_c_api.h>

#include "genai/oga.h"
#include "wasinn/build_info.h"

namespace wasinn {

RuntimeVersions runtime_versions() {
  return {WASINN_VERSION, OrtGetApiBase()->GetVersionString(), oga::loaded_version(), oga::loaded_library_path()};
}

void verify_runtime() { oga::verify_symbols(); }

}  // namespace wasinn
