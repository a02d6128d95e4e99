// The numbers a guest holds for its graphs and execution contexts. One table per kind per
// instance, with a cap on live entries (a guest cannot exhaust the host by loading in a loop).
// Handles count up from 0, as WasmEdge's do, and are never handed out twice, so a stale handle
// cannot reach an object loaded later; after 2^32 handles the table refuses (busy).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>

#include "abi/preview1/error_numbers.h"

namespace wasinn::abi::preview1 {

template <typename T>
class HandleTable {
 public:
  HandleTable(std::string kind, uint32_t limit) : kind_(std::move(kind)), limit_(limit) {}

  // AbiError(busy) when one more entry would not fit: checked before expensive work (a load),
  // so a guest over its limit learns it before the host spends time.
  void require_room() const {
    if (entries_.size() >= limit_)
      throw AbiError(ErrorNumber::busy, "too many live " + kind_ + "s (the limit is " + std::to_string(limit_) + ")");
    if (next_ > UINT32_MAX) throw AbiError(ErrorNumber::busy, "every " + kind_ + " handle has been used");
  }

  uint32_t insert(T value) {
    require_room();
    auto handle = static_cast<uint32_t>(next_++);
    entries_.emplace(handle, std::move(value));
    return handle;
  }

  // AbiError(invalid_argument) for a handle that was never issued or is gone.
  T& get(uint32_t handle) {
    auto it = entries_.find(handle);
    if (it == entries_.end()) throw unknown(handle);
    return it->second;
  }

  void erase(uint32_t handle) {
    if (entries_.erase(handle) == 0) throw unknown(handle);
  }

  size_t size() const { return entries_.size(); }

 private:
  AbiError unknown(uint32_t handle) const {
    return AbiError(ErrorNumber::invalid_argument, "no live " + kind_ + " with handle " + std::to_string(handle));
  }

  std::string kind_;
  uint32_t limit_;
  uint64_t next_ = 0;
  std::unordered_map<uint32_t, T> entries_;
};

}  // namespace wasinn::abi::preview1
