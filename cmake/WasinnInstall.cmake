# `cmake --install`: the wasinn CLI, libwasinn with its public headers as a CMake package
# (find_package(wasinn) -> wasinn::wasinn), and the runtime libraries they load, side by side.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS wasinn EXPORT wasinnTargets LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS wasinn-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/wasinn DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
file(GLOB WASINN_RUNTIME_FILES "${WASINN_RUNTIME_LIB_DIR}/libonnxruntime*")
install(FILES ${WASINN_RUNTIME_FILES} "${WASINN_WASMTIME_DIR}/lib/libwasmtime.so" DESTINATION ${CMAKE_INSTALL_LIBDIR})

install(EXPORT wasinnTargets NAMESPACE wasinn:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/wasinn)
configure_package_config_file(cmake/wasinnConfig.cmake.in "${CMAKE_BINARY_DIR}/wasinnConfig.cmake"
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/wasinn)
write_basic_package_version_file("${CMAKE_BINARY_DIR}/wasinnConfigVersion.cmake" COMPATIBILITY SameMinorVersion)
install(FILES "${CMAKE_BINARY_DIR}/wasinnConfig.cmake" "${CMAKE_BINARY_DIR}/wasinnConfigVersion.cmake"
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/wasinn)

# gguf-import: the GGUF converter (scripts/models/*.py; it runs under the bootstrap's Python),
# found by the installed library at ../share/wasinn/converter.
file(GLOB WASINN_CONVERTER_SCRIPTS "${CMAKE_SOURCE_DIR}/scripts/models/*.py")
install(FILES ${WASINN_CONVERTER_SCRIPTS} DESTINATION ${CMAKE_INSTALL_DATADIR}/wasinn/converter)
