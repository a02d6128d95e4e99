# Builds C guests with Debian's clang for wasm32-wasi (a WASI preview 1 core module) and, on
# request, turns the module into a validated preview 2 command component with our guest tools
# (tools/guest-tools, over wit-component) and the preview1-to-preview2 adapter from crates.io.
#
#   wasinn_add_c_guest(NAME SOURCES a.c ... [COMPONENT] [INCLUDES dir ...]
#                      [GENERATED file ...] [DEPENDS target ...] [OPTIONS flag ...] [NO_WASI])
# produces ${CMAKE_BINARY_DIR}/guests/NAME.wasm (and NAME.component.wasm) and a target guest-NAME.
# GENERATED: absolute paths of build outputs (C sources, objects such as wit-bindgen's) to
# compile and link in as well; DEPENDS: the targets that make them; OPTIONS: extra compiler and
# linker flags; NO_WASI: the module imports no WASI, so the component is made without the adapter.
set(WASINN_GUEST_DIR "${CMAKE_BINARY_DIR}/guests")

# Our guest tools (tools/guest-tools, over wit-bindgen-c and wit-component) make C bindings and
# components. Cargo builds them the first time a component guest is built, into the dependency
# cache so that every build tree shares one copy (about 40 s on 2 cores, once); `make demo`
# builds no component and so never waits for them.
find_program(WASINN_CARGO cargo HINTS "$ENV{CARGO_HOME}/bin" "$ENV{HOME}/.cargo/bin" REQUIRED)
set(WASINN_GUEST_TOOLS "${WASINN_CACHE_DIR}/build/guest-tools/release/wasinn-guest-tools")
set(WASINN_GUEST_TOOLS_STAMP "${CMAKE_BINARY_DIR}/guest-tools.stamp")
file(GLOB_RECURSE WASINN_GUEST_TOOLS_SOURCES CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/tools/guest-tools/src/*.rs")
add_custom_command(OUTPUT "${WASINN_GUEST_TOOLS_STAMP}"
  COMMAND "${CMAKE_COMMAND}" -E env "CARGO_TARGET_DIR=${WASINN_CACHE_DIR}/build/guest-tools"
          "${WASINN_CARGO}" build --release --locked --quiet --manifest-path "${CMAKE_SOURCE_DIR}/tools/guest-tools/Cargo.toml"
  COMMAND "${CMAKE_COMMAND}" -E touch "${WASINN_GUEST_TOOLS_STAMP}"
  DEPENDS "${CMAKE_SOURCE_DIR}/tools/guest-tools/Cargo.toml" "${CMAKE_SOURCE_DIR}/tools/guest-tools/Cargo.lock"
          ${WASINN_GUEST_TOOLS_SOURCES}
  COMMENT "Building the guest tools (tools/guest-tools; about 40 s the first time)" VERBATIM)
add_custom_target(guest-tools DEPENDS "${WASINN_GUEST_TOOLS_STAMP}")
set(WASINN_GUEST_CFLAGS -O2 -Wall -Wextra -Werror --target=wasm32-wasi -Wl,--strip-debug)

function(wasinn_add_c_guest name)
  cmake_parse_arguments(G "COMPONENT;NO_WASI" "" "SOURCES;INCLUDES;GENERATED;DEPENDS;OPTIONS" ${ARGN})
  set(sources)
  foreach(s IN LISTS G_SOURCES)
    list(APPEND sources "${CMAKE_CURRENT_SOURCE_DIR}/${s}")
  endforeach()
  set(includes)
  set(headers)  # so that editing a shared guest header rebuilds the guests that include it
  foreach(i IN LISTS G_INCLUDES)
    list(APPEND includes "-I${i}")
    file(GLOB dir_headers CONFIGURE_DEPENDS "${i}/*.h")
    list(APPEND headers ${dir_headers})
  endforeach()
  set(module "${WASINN_GUEST_DIR}/${name}.wasm")
  add_custom_command(OUTPUT "${module}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${WASINN_GUEST_DIR}"
    COMMAND "${WASINN_WASM_CC}" ${WASINN_GUEST_CFLAGS} ${G_OPTIONS} ${includes} ${sources} ${G_GENERATED} -o "${module}"
    DEPENDS ${sources} ${headers} ${G_GENERATED}
    COMMENT "Building wasm guest ${name}.wasm" VERBATIM)
  set(outputs "${module}")
  if(G_COMPONENT)
    set(component "${WASINN_GUEST_DIR}/${name}.component.wasm")
    set(adapter --adapt "wasi_snapshot_preview1=${WASINN_WASI_ADAPTER_COMMAND}")
    if(G_NO_WASI)
      set(adapter)
    endif()
    add_custom_command(OUTPUT "${component}"
      COMMAND "${WASINN_GUEST_TOOLS}" component-new "${module}" ${adapter} -o "${component}"
      DEPENDS "${module}" "${WASINN_GUEST_TOOLS_STAMP}"
      COMMENT "Making wasip2 component ${name}.component.wasm" VERBATIM)
    list(APPEND outputs "${component}")
  endif()
  add_custom_target(guest-${name} ALL DEPENDS ${outputs})
  if(G_DEPENDS)
    add_dependencies(guest-${name} ${G_DEPENDS})
  endif()
endfunction()
