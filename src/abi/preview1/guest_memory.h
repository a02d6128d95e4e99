// Bounds-checked access to a guest's linear memory. Every pointer and length a guest hands over
// goes through here; a range that does not lie wholly inside the memory is AbiError
// (invalid_argument) naming the parameter, and nothing is read or written.
//
// The view is valid for one host call only: memory can grow (and move) only while guest code
// runs, which it does not while a host function is executing.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <wasmtime.hh>

namespace wasinn::abi::preview1 {

// Whether [offset, offset + length) lies inside a memory of `size` bytes; no overflow for any
// inputs (it never computes offset + length).
constexpr bool in_bounds(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

class GuestMemory {
 public:
  explicit GuestMemory(std::span<uint8_t> bytes) : bytes_(bytes) {}
  // The calling instance's exported `memory`; AbiError(missing_memory) when it exports none.
  static GuestMemory of(wasmtime::Caller& caller);

  // `length` is 64-bit so that counts multiplied by element sizes cannot wrap before the check.
  std::span<uint8_t> range(uint32_t offset, uint64_t length, std::string_view what) const;
  uint32_t read_u32(uint32_t offset, std::string_view what) const;
  void write_u32(uint32_t offset, uint32_t value, std::string_view what) const;
  // The bytes as text, which must be valid UTF-8 (else invalid_argument).
  std::string read_utf8(uint32_t offset, uint32_t length, std::string_view what) const;

 private:
  std::span<uint8_t> bytes_;
};

}  // namespace wasinn::abi::preview1
