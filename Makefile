# The two set-up commands (see README.md):
#   make demo   installs everything, builds, and answers a prompt with the default model
#   make test   installs everything, builds, and runs every test
# Both are idempotent; a second run reuses the dependency cache and the build tree.

BUILD_DIR ?= build
CACHE_DIR := $(or $(WASINN_CACHE_DIR),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/wasinn)
PROMPT ?= What is the capital of France? Answer in one sentence.
CTEST_FLAGS ?= --output-on-failure

CMAKE_CONFIGURE = cmake -S . -B $(BUILD_DIR) -G Ninja -DWASINN_DEPS_FILE=$(CACHE_DIR)/deps.cmake -DWASINN_WERROR=ON

.PHONY: all deps default-model build test demo clean

all: build

deps:
	WASINN_CACHE_DIR=$(CACHE_DIR) scripts/bootstrap.sh

default-model:
	WASINN_CACHE_DIR=$(CACHE_DIR) scripts/bootstrap.sh --default-model

build: deps
	$(CMAKE_CONFIGURE)
	cmake --build $(BUILD_DIR)

test: default-model build
	ctest --test-dir $(BUILD_DIR) $(CTEST_FLAGS)

demo: default-model build
	$(BUILD_DIR)/bin/wasinn generate --model $(CACHE_DIR)/models/smollm2 "$(PROMPT)"

clean:
	rm -rf $(BUILD_DIR)
