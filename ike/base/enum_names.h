#pragma once
// The names users see for enum values (logs, JSON events, counters, mip6ctl, mip6-dissect),
// written once per enum and in one style, snake_case:
//
//   enum class IkeSaState : std::uint8_t { Created, InitRequestSent, ... };
//   MIP6_ENUM_NAMES(IkeSaState, Created, InitRequestSent, ...);
//
// in the enum's namespace, right after it. The name of each value is its enumerator in
// snake_case ("InitRequestSent" -> "init_request_sent", "Sha2_256" -> "sha2_256"), computed at
// compile time, and the macro defines `to_string(Enum)` (found by ADL). Counter enums that
// end in `kCount` use MIP6_COUNTER_NAMES, which also checks that every index below kCount is
// listed. The list cannot drift from the enum: a listed name that is not an enumerator does
// not compile, and an enumerator left out trips -Wswitch in the generated completeness
// switch (the project builds with -Wall, and CI with -Werror). A value outside the enum (a
// wire value we do not know) prints as "unknown".
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

namespace base::enum_detail {

constexpr bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_ident(char c) { return is_upper(c) || is_lower(c) || is_digit(c) || c == '_'; }

// Every name of a stringized enumerator list, in snake_case, back to back.
template <std::size_t Count, std::size_t ListSize>
struct NameStore {
  std::array<char, 2 * ListSize> chars{};
  std::array<std::uint16_t, Count> offset{};
  std::array<std::uint16_t, Count> length{};
  std::size_t found = 0;  // identifiers seen: equals Count for a well-formed list

  [[nodiscard]] constexpr std::string_view name(std::size_t i) const {
    return {chars.data() + offset[i], length[i]};
  }
};

// `list` is #__VA_ARGS__ of the enumerators: "Created, InitRequestSent, ...".
template <std::size_t Count, std::size_t ListSize>
constexpr NameStore<Count, ListSize> make_names(const char (&list)[ListSize]) {
  NameStore<Count, ListSize> store;
  std::size_t out = 0;
  std::size_t i = 0;
  while (i < ListSize && list[i] != '\0') {
    if (!is_ident(list[i])) {
      ++i;
      continue;
    }
    const std::size_t begin = i;
    while (i < ListSize && is_ident(list[i])) {
      ++i;
    }
    if (store.found < Count) {
      store.offset[store.found] = static_cast<std::uint16_t>(out);
      for (std::size_t k = begin; k < i; ++k) {
        const char c = list[k];
        if (is_upper(c) && k > begin) {
          const char prev = list[k - 1];
          const bool next_lower = k + 1 < i && is_lower(list[k + 1]);
          // A word starts here: after a lower-case letter or digit, or at the last capital of
          // an acronym run ("HTTPServer" -> "http_server"); never doubles an underscore.
          if ((is_lower(prev) || is_digit(prev) || (is_upper(prev) && next_lower)) &&
              store.chars[out - 1] != '_') {
            store.chars[out++] = '_';
          }
        }
        store.chars[out++] = is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
      }
      store.length[store.found] =
          static_cast<std::uint16_t>(out - store.offset[store.found]);
    }
    ++store.found;
  }
  return store;
}

template <class Values>
constexpr bool is_identity_indexed(const Values& values) {
  for (std::size_t i = 0; i < std::size(values); ++i) {
    if (static_cast<std::size_t>(values[i]) != i) {
      return false;
    }
  }
  return true;
}

// Recursive __VA_OPT__ expansion (up to 256 arguments) for the completeness switch.
#define MIP6_ENUM_PARENS ()
#define MIP6_ENUM_EXPAND(...) \
  MIP6_ENUM_EXPAND3(MIP6_ENUM_EXPAND3(MIP6_ENUM_EXPAND3(MIP6_ENUM_EXPAND3(__VA_ARGS__))))
#define MIP6_ENUM_EXPAND3(...) \
  MIP6_ENUM_EXPAND2(MIP6_ENUM_EXPAND2(MIP6_ENUM_EXPAND2(MIP6_ENUM_EXPAND2(__VA_ARGS__))))
#define MIP6_ENUM_EXPAND2(...) \
  MIP6_ENUM_EXPAND1(MIP6_ENUM_EXPAND1(MIP6_ENUM_EXPAND1(MIP6_ENUM_EXPAND1(__VA_ARGS__))))
#define MIP6_ENUM_EXPAND1(...) __VA_ARGS__
#define MIP6_ENUM_FOR_EACH(macro, ...) \
  __VA_OPT__(MIP6_ENUM_EXPAND(MIP6_ENUM_FOR_EACH_STEP(macro, __VA_ARGS__)))
#define MIP6_ENUM_FOR_EACH_STEP(macro, first, ...) \
  macro(first) __VA_OPT__(MIP6_ENUM_FOR_EACH_AGAIN MIP6_ENUM_PARENS(macro, __VA_ARGS__))
#define MIP6_ENUM_FOR_EACH_AGAIN() MIP6_ENUM_FOR_EACH_STEP
#define MIP6_ENUM_CASE(enumerator) case enumerator:

}  // namespace base::enum_detail

namespace base {

// The table MIP6_ENUM_NAMES made for E (found by ADL through the enum's namespace).
template <class E>
using EnumNameTable = std::remove_pointer_t<decltype(mip6_enum_name_table(E{}))>;

// Every listed value of E, in list order.
template <class E>
constexpr std::span<const E> enum_values() {
  return EnumNameTable<E>::kValues;
}

// The snake_case name of `e`; "unknown" for a value E does not list.
template <class E>
constexpr std::string_view enum_name(E e) {
  using Table = EnumNameTable<E>;
  if constexpr (Table::kIdentityIndexed) {
    const auto i = static_cast<std::size_t>(e);
    return i < std::size(Table::kValues) ? Table::kStore.name(i) : std::string_view("unknown");
  } else {
    for (std::size_t i = 0; i < std::size(Table::kValues); ++i) {
      if (Table::kValues[i] == e) {
        return Table::kStore.name(i);
      }
    }
    return "unknown";
  }
}

}  // namespace base

#define MIP6_ENUM_NAME_TABLE(Enum, extra_case, ...)                                        \
  struct Enum##NameTable {                                                                 \
    using enum Enum;                                                                       \
    static constexpr Enum kValues[] = {__VA_ARGS__};                                       \
    static constexpr auto kStore =                                                         \
        ::base::enum_detail::make_names<std::size(kValues)>(#__VA_ARGS__);                \
    static_assert(kStore.found == std::size(kValues), "enumerator list is malformed");    \
    static constexpr bool kIdentityIndexed = ::base::enum_detail::is_identity_indexed(kValues); \
    /* -Wswitch: every enumerator of Enum must be listed (see enum_names.h). */            \
    static constexpr bool lists(Enum e) {                                                  \
      switch (e) {                                                                         \
        MIP6_ENUM_FOR_EACH(MIP6_ENUM_CASE, __VA_ARGS__)                                    \
        return true;                                                                       \
        extra_case return false;                                                           \
      }                                                                                    \
      return false;                                                                        \
    }                                                                                      \
  };                                                                                       \
  [[maybe_unused]] constexpr const Enum##NameTable* mip6_enum_name_table(Enum) {           \
    return nullptr;                                                                        \
  }                                                                                        \
  [[maybe_unused]] constexpr std::string_view to_string(Enum e) {                          \
    return ::base::enum_name(e);                                                           \
  }

// Names for an enum whose every enumerator is listed.
#define MIP6_ENUM_NAMES(Enum, ...) \
  MIP6_ENUM_NAME_TABLE(Enum, , __VA_ARGS__) static_assert(true, "needs a trailing semicolon")

// Names for a counter enum: enumerators 0..kCount-1, all listed in order, then kCount.
#define MIP6_COUNTER_NAMES(Enum, ...)                                                       \
  MIP6_ENUM_NAME_TABLE(Enum, case Enum::kCount:, __VA_ARGS__)                               \
  static_assert(std::size(Enum##NameTable::kValues) == static_cast<std::size_t>(Enum::kCount) && \
                    Enum##NameTable::kIdentityIndexed,                                      \
                "every counter below kCount is listed, in order")
