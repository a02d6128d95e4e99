# Imported targets for the third-party libraries scripts/bootstrap.sh installed. The paths come
# from the manifest it writes ($WASINN_CACHE_DIR/deps.cmake); run `make deps` to create it.
if(NOT WASINN_DEPS_FILE)
  if(DEFINED ENV{WASINN_CACHE_DIR})
    set(WASINN_DEPS_FILE "$ENV{WASINN_CACHE_DIR}/deps.cmake")
  elseif(DEFINED ENV{XDG_CACHE_HOME})
    set(WASINN_DEPS_FILE "$ENV{XDG_CACHE_HOME}/wasinn/deps.cmake")
  else()
    set(WASINN_DEPS_FILE "$ENV{HOME}/.cache/wasinn/deps.cmake")
  endif()
endif()
if(NOT EXISTS "${WASINN_DEPS_FILE}")
  message(FATAL_ERROR "No dependency manifest at ${WASINN_DEPS_FILE}: run scripts/bootstrap.sh (or `make deps`) first.")
endif()
include("${WASINN_DEPS_FILE}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${WASINN_DEPS_FILE}")

# ONNX Runtime: the PyPI wheel's library with the C/C++ headers from npm (see deps/versions.env).
add_library(wasinn::onnxruntime SHARED IMPORTED)
set_target_properties(wasinn::onnxruntime PROPERTIES
  IMPORTED_LOCATION "${WASINN_RUNTIME_LIB_DIR}/libonnxruntime.so.1"
  INTERFACE_INCLUDE_DIRECTORIES "${WASINN_ORT_INCLUDE_DIR}"
  INTERFACE_COMPILE_DEFINITIONS "ORT_API_MANUAL_INIT")

# ONNX Runtime GenAI: the PyPI wheel's library; its declarations are ours (src/genai/oga_api.h).
add_library(wasinn::genai SHARED IMPORTED)
set_target_properties(wasinn::genai PROPERTIES
  IMPORTED_LOCATION "${WASINN_RUNTIME_LIB_DIR}/libonnxruntime-genai.so")

# wasmtime's C/C++ API: the prebuilt library from the PyPI wheel, with the crate's headers and
# the conf.h bootstrap generated to match what the library exports (scripts/wasmtime_headers.py).
# A function the host calls that the library lacks fails the link. The library has no SONAME,
# so link it by name.
add_library(wasinn::wasmtime SHARED IMPORTED)
set_target_properties(wasinn::wasmtime PROPERTIES
  IMPORTED_LOCATION "${WASINN_WASMTIME_DIR}/lib/libwasmtime.so"
  IMPORTED_NO_SONAME TRUE
  INTERFACE_INCLUDE_DIRECTORIES "${WASINN_WASMTIME_DIR}/include")

find_package(nlohmann_json 3.11 REQUIRED CONFIG)
find_package(CLI11 REQUIRED CONFIG)
find_package(GTest REQUIRED CONFIG)
find_package(benchmark REQUIRED CONFIG)

# Where the libraries above live, for RPATHs of build-tree binaries.
set(WASINN_RUNTIME_RPATH "${WASINN_RUNTIME_LIB_DIR};${WASINN_WASMTIME_DIR}/lib")
