#pragma once
// Bounded reader over borrowed bytes. Every read checks the remaining length first and
// returns false on a short read; nothing ever reads outside the span (QUICHE's data reader).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace base {

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> data) : data_(data) {}

  [[nodiscard]] bool read_u8(std::uint8_t& out) {
    if (remaining() < 1) {
      return false;
    }
    out = data_[pos_++];
    return true;
  }
  [[nodiscard]] bool read_u16(std::uint16_t& out) {
    if (remaining() < 2) {
      return false;
    }
    out = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  [[nodiscard]] bool read_u32(std::uint32_t& out) {
    if (remaining() < 4) {
      return false;
    }
    out = (std::uint32_t{data_[pos_]} << 24) | (std::uint32_t{data_[pos_ + 1]} << 16) |
          (std::uint32_t{data_[pos_ + 2]} << 8) | std::uint32_t{data_[pos_ + 3]};
    pos_ += 4;
    return true;
  }
  [[nodiscard]] bool read_u64(std::uint64_t& out) {
    std::uint32_t hi = 0;
    std::uint32_t lo = 0;
    if (remaining() < 8 || !read_u32(hi) || !read_u32(lo)) {
      return false;
    }
    out = (std::uint64_t{hi} << 32) | lo;
    return true;
  }
  // Copies exactly out.size() bytes.
  [[nodiscard]] bool read_bytes(std::span<std::uint8_t> out) {
    if (remaining() < out.size()) {
      return false;
    }
    if (!out.empty()) {
      std::memcpy(out.data(), data_.data() + pos_, out.size());
    }
    pos_ += out.size();
    return true;
  }
  // Borrows the next n bytes without copying.
  [[nodiscard]] bool read_span(std::size_t n, std::span<const std::uint8_t>& out) {
    if (remaining() < n) {
      return false;
    }
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  [[nodiscard]] bool skip(std::size_t n) {
    if (remaining() < n) {
      return false;
    }
    pos_ += n;
    return true;
  }
  [[nodiscard]] bool peek_u8(std::uint8_t& out) const {
    if (remaining() < 1) {
      return false;
    }
    out = data_[pos_];
    return true;
  }

  [[nodiscard]] std::size_t offset() const { return pos_; }
  [[nodiscard]] std::size_t remaining() const { return data_.size() - pos_; }
  [[nodiscard]] bool empty() const { return remaining() == 0; }
  [[nodiscard]] std::span<const std::uint8_t> rest() const { return data_.subspan(pos_); }
  [[nodiscard]] std::span<const std::uint8_t> data() const { return data_; }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

}  // namespace base
