#pragma once
// A value of type T, or the error E saying why there is none: the shape shared by Result<T>
// (E = Status) and core's FieldResult<T> (E = FieldError). Each names its own error accessor.

#include <utility>
#include <variant>

namespace stemedb {

template <typename T, typename E>
class ValueOrError {
 public:
  ValueOrError(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  ValueOrError(E error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 protected:
  const E& error_value() const { return std::get<E>(v_); }

 private:
  std::variant<T, E> v_;
};

}  // namespace stemedb
