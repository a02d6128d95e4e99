// The host side of one kind of wasi:nn resource: the values behind the `rep` numbers that
// wasmtime hands to the guest inside resource handles. wasmtime maps the guest's handles to reps
// and checks their types; this table maps reps to values.
//
// Reps count up from 1 and skip any rep still live when the counter wraps, so a rep is never
// reused while a handle to it may exist. Not thread-safe: one store drives it.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>

namespace wasinn::abi::preview2 {

template <typename T>
class ResourceTable {
 public:
  uint32_t insert(T value) {
    while (next_ == 0 || values_.contains(next_)) ++next_;
    uint32_t rep = next_++;
    values_.emplace(rep, std::move(value));
    return rep;
  }

  // nullptr when `rep` is not live.
  T* find(uint32_t rep) {
    auto it = values_.find(rep);
    return it == values_.end() ? nullptr : &it->second;
  }

  // Removes the value, for a caller that takes ownership of it (an `own` handle passed in).
  std::optional<T> take(uint32_t rep) {
    auto it = values_.find(rep);
    if (it == values_.end()) return std::nullopt;
    std::optional<T> value(std::move(it->second));
    values_.erase(it);
    return value;
  }

  void erase(uint32_t rep) { values_.erase(rep); }
  size_t size() const { return values_.size(); }

 private:
  std::unordered_map<uint32_t, T> values_;
  uint32_t next_ = 1;
};

}  // namespace wasinn::abi::preview2
