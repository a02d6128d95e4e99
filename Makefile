# The two set-up commands (see README.md):
#   make demo   installs everything, builds, and a wasm guest streams the default model's answer
#   make test   installs everything, builds, and runs every test
# Both are idempotent; a second run reuses the dependency cache and the build tree.

BUILD_DIR ?= build
CACHE_DIR := $(or $(WASINN_CACHE_DIR),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/wasinn)
PROMPT ?= What is the capital of France? Answer in one sentence.
CTEST_FLAGS ?= --output-on-failure
# ctest runs tests in parallel: most of them wait on one model or one process, not on the CPU.
CTEST_JOBS ?= $(shell nproc)

CMAKE_CONFIGURE = cmake -S . -B $(BUILD_DIR) -G Ninja -DWASINN_DEPS_FILE=$(CACHE_DIR)/deps.cmake -DWASINN_WERROR=ON

.PHONY: all deps default-model configure build test demo bench fuzz fuzz-build mutation clean

all: build

deps:
	WASINN_CACHE_DIR=$(CACHE_DIR) scripts/bootstrap.sh $(BOOTSTRAP_ARGS)

default-model:
	WASINN_CACHE_DIR=$(CACHE_DIR) scripts/bootstrap.sh --default-model

# These need the default model too (a target-specific value also reaches the prerequisites).
demo test bench: BOOTSTRAP_ARGS = --default-model

configure: deps
	$(CMAKE_CONFIGURE)

build: configure
	cmake --build $(BUILD_DIR)

# The whole suite; the concurrency tests again in a ThreadSanitizer build; then the whole suite
# again with AddressSanitizer (leaks included) and UndefinedBehaviorSanitizer on our code (GenAI,
# ONNX Runtime and wasmtime are prebuilt and run uninstrumented). No suppressions are needed.
# The package test is left out there: it builds an uninstrumented example against the install.
SANITIZER_ENV = ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
test: build
	ctest --test-dir $(BUILD_DIR) -j $(CTEST_JOBS) $(CTEST_FLAGS)
	cmake -S . -B $(BUILD_DIR)-tsan -G Ninja -DWASINN_DEPS_FILE=$(CACHE_DIR)/deps.cmake -DWASINN_WERROR=ON -DWASINN_SANITIZE=thread
	cmake --build $(BUILD_DIR)-tsan --target wasinn-tsan-tests
	ctest --test-dir $(BUILD_DIR)-tsan -R tsan $(CTEST_FLAGS)
	cmake -S . -B $(BUILD_DIR)-asan -G Ninja -DWASINN_DEPS_FILE=$(CACHE_DIR)/deps.cmake -DWASINN_WERROR=ON \
	  -DWASINN_SANITIZE=address,undefined
	cmake --build $(BUILD_DIR)-asan
	$(SANITIZER_ENV) ctest --test-dir $(BUILD_DIR)-asan -j $(CTEST_JOBS) -E "^package[.]" $(CTEST_FLAGS)
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SHORT_SECONDS)

# Fuzzing (fuzz/): libFuzzer on both wasi-nn ABIs, our code built by Debian's clang with
# coverage, AddressSanitizer and UndefinedBehaviorSanitizer, in its own tree. `make test` runs
# each target for FUZZ_SHORT_SECONDS from the seed corpus; `make fuzz FUZZ_SECONDS=N` runs longer,
# and each run starts from what the earlier ones found ($(BUILD_DIR)-fuzz/fuzz-work).
LLVM_MAJOR := $(shell sed -n 's/^LLVM_MAJOR=//p' deps/versions.env)
FUZZ_SHORT_SECONDS ?= 30
FUZZ_SECONDS ?= 600
fuzz-build: deps
	CC=clang-$(LLVM_MAJOR) CXX=clang++-$(LLVM_MAJOR) cmake -S . -B $(BUILD_DIR)-fuzz -G Ninja \
	  -DWASINN_DEPS_FILE=$(CACHE_DIR)/deps.cmake -DWASINN_WERROR=ON -DWASINN_FUZZ=ON
	cmake --build $(BUILD_DIR)-fuzz --target fuzzers
fuzz: fuzz-build
	fuzz/run_fuzzers.sh $(BUILD_DIR)-fuzz $(FUZZ_SECONDS)

# The streaming chat guest (a wasm core module) asks the default model through wasi-nn. Builds
# only what that needs: the CLI and the guest, not the tests.
demo: configure
	cmake --build $(BUILD_DIR) --target wasinn-cli guest-stream
	$(BUILD_DIR)/bin/wasinn run --nn-preload default:GenAI:AUTO:$(CACHE_DIR)/models/smollm2 \
	  $(BUILD_DIR)/guests/stream.wasm default "$(PROMPT)" '{"chat_template": true, "n-predict": 256}'

# Backend vs native GenAI on the default model; the logits decode loop on the tiny model
# (stateless decoding on a real model is O(n^2) and takes minutes: pass DECODE_MODEL to try).
DECODE_MODEL ?= $(BUILD_DIR)/models/tiny-llama
# Then the peer: llama.cpp (PyPI xllamacpp) on the GGUF the default model came from, against
# GenAI on the converted model and wasinn running the streaming guest, interleaved; and the
# component ABI's memory per tensor byte. Run it on an idle machine.
PYTHON = $(shell sed -n 's/^set(WASINN_PYTHON "\(.*\)")$$/\1/p' $(CACHE_DIR)/deps.cmake)
bench: build
	$(BUILD_DIR)/bin/wasinn-bench --model $(CACHE_DIR)/models/smollm2 --decode-model $(DECODE_MODEL)
	$(BUILD_DIR)/bin/wasinn-abi-bench --model $(CACHE_DIR)/models/smollm2 --onnx-dir $(BUILD_DIR)/models/onnx \
	  --guests $(BUILD_DIR)/guests
	$(PYTHON) bench/peer_bench.py --gguf $(CACHE_DIR)/downloads/SmolLM2-135M-Instruct.gguf \
	  --model $(CACHE_DIR)/models/smollm2 --wasinn $(BUILD_DIR)/bin/wasinn --guest $(BUILD_DIR)/guests/stream.wasm --runs 5
	$(PYTHON) bench/tensor_memory.py --wasinn $(BUILD_DIR)/bin/wasinn \
	  --guest $(BUILD_DIR)/guests/big_tensor_component.component.wasm
	$(PYTHON) bench/remote_bench.py --gguf $(CACHE_DIR)/downloads/SmolLM2-135M-Instruct.gguf --wasinn $(BUILD_DIR)/bin/wasinn --guests $(BUILD_DIR)/guests

# Mutation testing (universalmutator, pinned) of src/nn, src/abi and src/genai on a seeded
# sample, in its own tree under /tmp (about 55 minutes on 2 cores; not part of make test). Knobs:
# MUT_SEED, MUT_SAMPLE_NN/ABI/GENAI, MUT_DEADLINE_MIN; see scripts/mutation.sh.
mutation: deps
	WASINN_DEPS_FILE=$(CACHE_DIR)/deps.cmake scripts/mutation.sh

clean:
	rm -rf $(BUILD_DIR) $(BUILD_DIR)-tsan $(BUILD_DIR)-asan $(BUILD_DIR)-fuzz
