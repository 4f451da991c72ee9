// Result<T, E>: a value or an expected failure. DNS input is hostile by default, so parse and
// build functions report failures as values instead of throwing.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

namespace tern {

template <class E>
struct Err {
  E error;
};

template <class E>
Err<E> fail(E e) {
  return Err<E>{e};
}

template <class T, class E>
class Result {
 public:
  Result(const T& value) : v_(std::in_place_index<0>, value) {}        // NOLINT: implicit on purpose
  Result(T&& value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Err<E> e) : v_(std::in_place_index<1>, e.error) {}          // NOLINT: implicit on purpose

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const {
    assert(ok());
    return std::get<0>(v_);
  }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  E error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

  // The value, or `fallback` when this holds an error.
  T value_or(T fallback) const { return ok() ? std::get<0>(v_) : std::move(fallback); }

 private:
  std::variant<T, E> v_;
};

}  // namespace tern
