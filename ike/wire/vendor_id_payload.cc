#include "ike/wire/vendor_id_payload.h"

namespace ike::wire {

ParseResult<VendorIdPayload> VendorIdPayload::decode(std::span<const std::uint8_t> body) {
  VendorIdPayload v;
  v.data.assign(body.begin(), body.end());
  return v;
}

EncodeStatus VendorIdPayload::encode(base::ByteWriter& w) const {
  w.write_bytes(data);
  return {};
}

}  // namespace ike::wire
