// Every enum whose values users see (logs, JSON events and keys, counters, mip6ctl,
// mip6-dissect) names each enumerator once, in snake_case, uniquely within the enum. The
// enumerators come from the MIP6_ENUM_NAMES / MIP6_COUNTER_NAMES tables themselves, whose
// completeness the compiler checks (-Wswitch in the generated switch); this test checks the
// names those tables produce. An enum that gets a table belongs in TreeEnums below.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <typeinfo>

#include "ha/daemon/control_protocol.h"
#include "ha/daemon/event_format.h"
#include "ha/daemon/ha_events.h"
#include "ha/policy/admission_policy.h"
#include "ha/policy/home_address_authorizer.h"
#include "ha/policy/reservation_ledger.h"
#include "ike/base/log.h"
#include "ike/crypto/ikev2_decryption_table.h"
#include "ike/crypto/signature.h"
#include "ike/crypto/transform_ids.h"
#include "ike/engine/admission.h"
#include "ike/engine/engine_types.h"
#include "ike/engine/ike_initiator_session.h"
#include "ike/engine/ike_responder.h"
#include "ike/engine/signature_auth.h"
#include "ike/engine/sk_protection.h"
#include "ike/engine/task.h"
#include "ike/wire/auth_payload.h"
#include "ike/wire/cert_payload.h"
#include "ike/wire/cp_payload.h"
#include "ike/wire/header.h"
#include "ike/wire/id_payload.h"
#include "ike/wire/non_esp_marker.h"
#include "ike/wire/notify_payload.h"
#include "ike/wire/parse_error.h"
#include "ike/wire/payload_type.h"
#include "ike/wire/rules.h"
#include "ike/wire/ts_payload.h"
#include "mip6/binding/binding_cache.h"
#include "mip6/binding/binding_update_list.h"
#include "mip6/binding/home_agents_list.h"
#include "mip6/engine/dhaad.h"
#include "mip6/engine/ha_binding_engine.h"
#include "mip6/engine/mh_receiver.h"
#include "mip6/engine/mn_registration_engine.h"
#include "mip6/wire/icmpv6_mobility.h"
#include "mip6/wire/mobility_header.h"
#include "mip6/wire/mobility_options.h"
#include "mip6/wire/parse_error.h"
#include "mn/core/mn_core.h"
#include "tools/mip6-dissect/dissect.h"
#include "tools/mip6-load/answer_classifier.h"

namespace clash {
// Two enumerators whose snake_case names collide: the check below must notice.
enum class Server : std::uint8_t { HttpServer, HTTPServer };
MIP6_ENUM_NAMES(Server, HttpServer, HTTPServer);
}  // namespace clash

namespace {

bool is_snake_case(std::string_view name) {
  if (name.empty() || name.front() == '_' || name.back() == '_' ||
      name.find("__") != std::string_view::npos) {
    return false;
  }
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return !(name.front() >= '0' && name.front() <= '9');
}

template <class E>
void expect_named(std::set<std::string>& problems) {
  const auto values = base::enum_values<E>();
  const std::string enum_label = typeid(E).name();
  if (values.empty()) {
    problems.insert(enum_label + ": no enumerators listed");
  }
  std::set<std::string_view> seen;
  for (const E value : values) {
    const std::string_view name = to_string(value);
    const std::string where =
        enum_label + " value " + std::to_string(static_cast<long long>(value));
    if (name == "unknown" || name.empty()) {
      problems.insert(where + ": no name");
    }
    if (!is_snake_case(name)) {
      problems.insert(where + ": \"" + std::string(name) + "\" is not snake_case");
    }
    if (!seen.insert(name).second) {
      problems.insert(where + ": \"" + std::string(name) + "\" named twice");
    }
  }
}

template <class... E>
struct EnumList {
  static std::set<std::string> problems() {
    std::set<std::string> out;
    (expect_named<E>(out), ...);
    return out;
  }
  static constexpr std::size_t kSize = sizeof...(E);
};

using TreeEnums = EnumList<
    ::ha::daemon::ControlCounter, ::ha::daemon::EventName, ::ha::daemon::CoreCounter,
    ::ha::daemon::SaEnd, ::ha::daemon::MoveKind, ::ha::daemon::MoveResult,
    ::ha::policy::AdmissionReason, ::ha::policy::AdmissionConfigError,
    ::ha::policy::AdmissionCounter, ::ha::policy::DecisionOutcome, ::ha::policy::AuthorizerError,
    ::ha::policy::LedgerCounter, ::ike::crypto::TableParseErrc, ::ike::crypto::SignatureHash,
    ::ike::crypto::SignatureAlgorithm, ::ike::crypto::KeyType, ::ike::crypto::TransformType,
    ::ike::crypto::EncrAlgorithm, ::ike::crypto::PrfAlgorithm, ::ike::crypto::IntegAlgorithm,
    ::ike::crypto::DhGroup, ::ike::crypto::EsnMode, ::ike::engine::DecisionPoint,
    ::ike::engine::Role, ::ike::engine::IkeSaState, ::ike::engine::ChildMode,
    ::ike::engine::FailureReason, ::ike::engine::IkeCounter, ::ike::engine::SessionError,
    ::ike::engine::RedirectPoint, ::ike::engine::InitOutcome, ::ike::engine::ResponderCounter,
    ::ike::engine::AuthFailure, ::ike::engine::OpenErrc, ::ike::engine::TaskKind,
    ::ike::wire::AuthMethod, ::ike::wire::CertEncoding, ::ike::wire::CfgType,
    ::ike::wire::CpAttrType, ::ike::wire::ExchangeType, ::ike::wire::IdType,
    ::ike::wire::Udp4500Kind, ::ike::wire::NotifyType, ::ike::wire::GwIdentType,
    ::ike::wire::ParseErrc, ::ike::wire::EncodeErrc, ::ike::wire::PayloadType,
    ::ike::wire::ProtocolId, ::ike::wire::RuleErrc, ::ike::wire::TsType,
    ::mip6::binding::BindingState, ::mip6::binding::CacheError, ::mip6::binding::CommitOutcome,
    ::mip6::binding::BindingCacheCounter, ::mip6::binding::ExpiryKind, ::mip6::binding::BulState,
    ::mip6::binding::HaListCounter, ::mip6::engine::DhaadCounter, ::mip6::engine::HaAdminState,
    ::mip6::engine::HaEventKind, ::mip6::engine::BuDropReason, ::mip6::engine::HaCounter,
    ::mip6::engine::HaSwitchError, ::mip6::engine::MhDrop, ::mip6::engine::MhReceiverCounter,
    ::mip6::engine::RegistrationFailure, ::mip6::engine::MnCounter, ::mip6::wire::Icmpv6Type,
    ::mip6::wire::NdOptionType, ::mip6::wire::MhType, ::mip6::wire::BaStatus,
    ::mip6::wire::BeStatus, ::mip6::wire::MobilityOptionType, ::mip6::wire::DnsUpdateStatus,
    ::mip6::wire::ParseErrc, ::mn::MnCoreCounter, ::mip6::dissect::InputKind,
    ::mip6load::AnswerKind, ::mip6load::MalformedReason, ::base::LogLevel>;

TEST(EnumNamesTree, EveryEnumeratorHasOneSnakeCaseName) {
  const std::set<std::string> problems = TreeEnums::problems();
  for (const auto& p : problems) {
    ADD_FAILURE() << p;
  }
  EXPECT_TRUE(problems.empty());
  EXPECT_GE(TreeEnums::kSize, 79U);
}

TEST(EnumNamesTree, CollidingNamesAreReported) {
  std::set<std::string> problems;
  expect_named<clash::Server>(problems);
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_NE(problems.begin()->find("\"http_server\" named twice"), std::string::npos);
  EXPECT_FALSE(is_snake_case("Binding-Update"));
  EXPECT_FALSE(is_snake_case("sa-established"));
  EXPECT_TRUE(is_snake_case("sha2_256"));
}

TEST(EnumNamesTree, CounterTablesCoverEveryCounter) {
  EXPECT_EQ(base::enum_values<ike::engine::IkeCounter>().size(),
            static_cast<std::size_t>(ike::engine::IkeCounter::kCount));
  EXPECT_EQ(base::enum_values<mip6::engine::HaCounter>().size(),
            static_cast<std::size_t>(mip6::engine::HaCounter::kCount));
}

TEST(EnumNamesTree, UserVisibleNamesAreSnakeCase) {
  EXPECT_EQ(to_string(ha::daemon::EventName::SaEstablished), "sa_established");
  EXPECT_EQ(to_string(ike::engine::IkeSaState::Established), "established");
  EXPECT_EQ(to_string(ike::crypto::EncrAlgorithm::AesGcm16), "aes_gcm16");
  EXPECT_EQ(to_string(mip6::wire::MhType::BindingUpdate), "binding_update");
  EXPECT_EQ(to_string(ha::policy::AdmissionReason::AssignedElsewhere), "assigned_elsewhere");
}

}  // namespace
