#pragma once
// Appends network-order integers to an owned buffer; patch_* fills fields (lengths,
// checksums) whose value is known only after the rest is written.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace base {

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<std::uint8_t>& out) : out_(out) {}

  void write_u8(std::uint8_t v) { out_.push_back(v); }
  void write_u16(std::uint16_t v) {
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  void write_u32(std::uint32_t v) {
    write_u16(static_cast<std::uint16_t>(v >> 16));
    write_u16(static_cast<std::uint16_t>(v));
  }
  void write_u64(std::uint64_t v) {
    write_u32(static_cast<std::uint32_t>(v >> 32));
    write_u32(static_cast<std::uint32_t>(v));
  }
  void write_bytes(std::span<const std::uint8_t> bytes) {
    out_.insert(out_.end(), bytes.begin(), bytes.end());
  }
  void write_zeros(std::size_t n) { out_.insert(out_.end(), n, 0); }

  // Overwrites a 16-bit field already written at absolute buffer offset `at`.
  void patch_u16(std::size_t at, std::uint16_t v) {
    out_.at(at) = static_cast<std::uint8_t>(v >> 8);
    out_.at(at + 1) = static_cast<std::uint8_t>(v);
  }
  void patch_u8(std::size_t at, std::uint8_t v) { out_.at(at) = v; }

  [[nodiscard]] std::size_t size() const { return out_.size(); }
  [[nodiscard]] std::vector<std::uint8_t>& buffer() { return out_; }

 private:
  std::vector<std::uint8_t>& out_;
};

}  // namespace base
