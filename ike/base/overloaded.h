#pragma once
// The visitor helper for std::visit over a set of lambdas:
//   std::visit(base::Overloaded{[](const A&) {...}, [](const B&) {...}}, variant);
namespace base {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace base
