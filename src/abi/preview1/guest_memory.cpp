#include "abi/preview1/guest_memory.h"

#include <bit>
#include <cstring>

#include "abi/preview1/error_numbers.h"
#include "wasinn/nn/utf8.h"

namespace wasinn::abi::preview1 {

// Wasm memory is little-endian; the copies below rely on the host being so too.
static_assert(std::endian::native == std::endian::little, "the core-module ABI assumes a little-endian host");

GuestMemory GuestMemory::of(wasmtime::Caller& caller) {
  auto exported = caller.get_export("memory");
  const auto* memory = exported ? std::get_if<wasmtime::Memory>(&*exported) : nullptr;
  if (memory == nullptr) throw AbiError(ErrorNumber::missing_memory, "the guest exports no memory named `memory`");
  return GuestMemory(memory->data(caller.context()));
}

std::span<uint8_t> GuestMemory::range(uint32_t offset, uint64_t length, std::string_view what) const {
  if (!in_bounds(offset, length, bytes_.size()))
    throw AbiError(ErrorNumber::invalid_argument,
                   std::string(what) + ": " + std::to_string(length) + " bytes at " + std::to_string(offset) +
                       " lie outside the guest's memory of " + std::to_string(bytes_.size()) + " bytes");
  return bytes_.subspan(offset, static_cast<size_t>(length));
}

uint32_t GuestMemory::read_u32(uint32_t offset, std::string_view what) const {
  uint32_t value;
  std::memcpy(&value, range(offset, sizeof value, what).data(), sizeof value);  // guest pointers may be unaligned
  return value;
}

void GuestMemory::write_u32(uint32_t offset, uint32_t value, std::string_view what) const {
  std::memcpy(range(offset, sizeof value, what).data(), &value, sizeof value);
}

std::string GuestMemory::read_utf8(uint32_t offset, uint32_t length, std::string_view what) const {
  auto bytes = range(offset, length, what);
  std::string text(bytes.begin(), bytes.end());
  if (!nn::is_valid_utf8(text)) throw AbiError(ErrorNumber::invalid_argument, std::string(what) + " is not valid UTF-8");
  return text;
}

}  // namespace wasinn::abi::preview1
