// mip6-ike: our IKEv2 engine on real UDP sockets, for interop tests and manual use.
//
//   mip6-ike initiate --local ADDR --remote ADDR --psk-file F --id ID --remote-id ID
//                     [--cert F --key F [--rsa-pss]] [--ca F]...
//                     [--request-address] [--transport-mode] [--timeout S] [--dump-keys]
//                     [--ike-keylog FILE] [--verbose]
//   mip6-ike respond  --listen ADDR --psk-file F --id ID --pool PREFIX/LEN [--once]
//                     [--cert F --key F [--rsa-pss]] [--ca F]...
//                     [--redirect-to ADDR] [--capacity N] [--cookie-threshold N] [--quiet]
//                     [--timeout S] [--dump-keys] [--ike-keylog FILE] [--verbose]
//
// initiate prints one JSON object and exits 0 only when the IKE SA is established.
// respond prints one JSON line per established or failed SA; with --once it exits after the
// first one (0 when established). With --redirect-to or --capacity every IKE_SA_INIT request
// is decided before any DH (engine::IkeResponder) and one JSON line per decision is printed:
// --capacity N serves the first N peers; the others (every peer without --capacity) are
// redirected to --redirect-to when they announced RFC 5685 support, else refused with
// NO_PROPOSAL_CHOSEN (R5685-03); --quiet leaves the per-decision lines out (a redirecting
// gateway under load; the exit summary still counts every decision). Log lines go to stderr. Keys
// are printed only with
// --dump-keys; --ike-keylog FILE appends every IKE SA's SK_e*/SK_a* to FILE (mode 0600) in
// Wireshark's ikev2_decryption_table format, for Wireshark and `mip6-dissect --ike-keys`. IDs: an
// IPv6 address is ID_IPV6_ADDR, text with '@' ID_RFC822_ADDR, anything else ID_FQDN. The PSK is the
// file's content without trailing white space; the same PSK is used for every peer identity. NAT
// traversal (RFC 7296 2.23): both commands bind UDP 500 and 4500 on their address; when a NAT is
// detected the initiator moves to 4500 from IKE_AUTH on and the side behind the NAT sends
// keepalives. The JSON shows "nat" and the SA's current ports, and the Child SA's "udp_encap".
// --cookie-threshold N: answer N(COOKIE) once N SAs are half-open (0: always; R7296-21), through
// the IkeResponder front. Certificates (RFC 7296 3.6-3.8, RFC 7427), both commands: --cert FILE
// (PEM; the first certificate is ours, any further ones are sent as the chain) with --key FILE
// (PEM, not encrypted) makes us sign AUTH instead of using the PSK; --ca FILE (repeatable, PEM, may
// hold several CAs) lets peers authenticate with certificates chaining to those CAs; --rsa-pss
// signs with RSASSA-PSS instead of PKCS#1 v1.5 when the peer supports RFC 7427. --psk-file is then
// optional; at least one of --psk-file and --cert is needed. ID "keyid:HEX" (or strongSwan's
// "@#HEX") is ID_KEY_ID. The JSON shows the AUTH methods used ("auth") and, for a failure, a
// "detail" such as the certificate verification error.
// INFORMATIONAL and RFC 5685 after IKE_SA_INIT:
//   initiate --follow-redirects [--stay S] [--until-moved] [--delete-after S] [--dpd S]
//     runs the mobile node's daemon (mn::MnDaemon, initiate_follow.h): it follows redirects
//     at IKE_SA_INIT, in IKE_AUTH and gateway-initiated ones (make-before-break, the old SA
//     deleted once the new one is up) and prints one JSON line per step ("event": established,
//     redirected, gateway_changed, old_sa_deleted, sa_deleted, ...) and a final {"result": ...}. It
//     exits at establishment unless --stay S (keep the SA up S seconds, exit 0), --until-moved
//     (exit 0 once a gateway-initiated move completed and the old SA is deleted) or --delete-after
//     S (delete the IKE SA S seconds after establishment, exit 0 when that Delete is answered). A
//     gateway-initiated redirect is followed after a random delay below --move-jitter S (default 2;
//     0 = at once) so that a drained HA's peers do not reconnect all at once. A redirect naming its
//     gateway by FQDN (RFC 5685 GW Ident Type 3) is resolved from
//     --resolve NAME=ADDR[,NAME=ADDR...] first, then by the system resolver (IPv6 addresses).
//   respond [--redirect-at-auth ID=ADDR[,ID=ADDR...]] redirects those identities in IKE_AUTH
//     (RFC 5685 6) once their AUTH verified; [--redirect-established-to ADDR --after S]
//     sends a gateway-initiated REDIRECT (RFC 5685 5) S seconds after each SA is established;
//     [--grace S] (default 30 s): after either redirect, the SA is deleted by us if the
//     client has not deleted it by then; [--delete-after S] deletes each IKE SA S seconds
//     after establishment; [--exit-when-closed] exits 0 when the first IKE SA is deleted (by
//     either side); [--dpd S] liveness checks after S seconds of silence. One JSON line per event
//     ("event": sa_deleted, child_sa_deleted, redirect_sent, redirect_acknowledged, ...).
#include <exception>
#include <iostream>
#include <string>

#include "ike/io/udp_transport.h"
#include "tools/mip6-ike/cli_args.h"
#include "tools/mip6-ike/initiate.h"
#include "tools/mip6-ike/initiate_follow.h"
#include "tools/mip6-ike/lifecycle.h"
#include "tools/mip6-ike/respond.h"
#include "tools/mip6-ike/tool_credentials.h"
#include "tools/mip6-ike/tool_setup.h"

namespace {

using namespace mip6_ike;

void usage() {
  std::cerr
      << "usage: mip6-ike initiate --local ADDR --remote ADDR --id ID --remote-id ID\n"
         "                         [--psk-file F] [--cert F --key F [--rsa-pss]] [--ca F]...\n"
         "                         [--request-address] [--transport-mode]\n"
         "                         [--ike-proposal P] [--esp-proposal P]\n"
         "                         [--timeout S] [--dump-keys] [--ike-keylog FILE] [--verbose]\n"
         "                         [--follow-redirects [--stay S] [--until-moved]\n"
         "                          [--delete-after S] [--dpd S] [--resolve NAME=ADDR[,...]]\n"
         "                          [--move-jitter S]]\n"
         "       mip6-ike respond --listen ADDR --id ID --pool PREFIX/LEN\n"
         "                        [--psk-file F] [--cert F --key F [--rsa-pss]] [--ca F]...\n"
         "                        [--once] [--redirect-to ADDR] [--capacity N]\n"
         "                        [--cookie-threshold N] [--quiet]\n"
         "                        [--redirect-at-auth ID=ADDR[,...]] [--grace S]\n"
         "                        [--redirect-established-to ADDR --after S]\n"
         "                        [--delete-after S] [--exit-when-closed] [--dpd S]\n"
         "                        [--ike-proposal P] [--esp-proposal P]\n"
         "                        [--timeout S] [--dump-keys] [--ike-keylog FILE] [--verbose]\n";
}

int run_initiate(int argc, char** argv) {
  const auto args =
      parse_args(argc, argv,
                 {"local", "remote", "psk-file", "id", "remote-id", "timeout", "ike-keylog", "cert",
                  "key", "ca", "stay", "delete-after", "dpd", "resolve", "move-jitter"},
                 {"request-address", "transport-mode", "dump-keys", "verbose", "rsa-pss",
                  "follow-redirects", "until-moved"});
  if (!args || !require(*args, {"local", "remote", "id", "remote-id"})) {
    usage();
    return kExitUsage;
  }
  const auto local = ike::io::parse_address(args->values.at("local"));
  const auto remote = ike::io::parse_address(args->values.at("remote"));
  const auto timeout = timeout_option(*args, 20);
  auto creds = load_credentials(*args);
  if (!local || !remote || !timeout || !creds) {
    std::cerr << "mip6-ike: bad --local, --remote, --timeout or credentials\n";
    return kExitUsage;
  }
  const InitiateTarget target{*local, *remote, *timeout};
  const base::Logger log = make_logger(args->flag("verbose"));
  if (args->flag("follow-redirects")) {
    return run_initiate_follow(*args, target, *creds, log);
  }
  const auto lifecycle = parse_lifecycle(*args);
  if (!lifecycle) {
    return kExitUsage;
  }
  if (lifecycle->any()) {
    return run_initiate_lifecycle(*args, target, *creds, *lifecycle, log);
  }
  return run_initiate_once(*args, target, *creds, log);
}

int run_respond(int argc, char** argv) {
  const auto args =
      parse_args(argc, argv,
                 {"listen", "psk-file", "id", "pool", "timeout", "redirect-to", "capacity",
                  "ike-keylog", "cookie-threshold", "cert", "key", "ca", "redirect-at-auth",
                  "redirect-established-to", "after", "grace", "delete-after", "dpd"},
                 {"once", "dump-keys", "verbose", "rsa-pss", "quiet", "exit-when-closed"});
  if (!args || !require(*args, {"listen", "id", "pool"})) {
    usage();
    return kExitUsage;
  }
  return mip6_ike::run_respond(*args);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) {
      usage();
      return kExitUsage;
    }
    const std::string cmd = argv[1];
    if (cmd == "initiate") {
      return run_initiate(argc, argv);
    }
    if (cmd == "respond") {
      return run_respond(argc, argv);
    }
    usage();
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "mip6-ike: " << e.what() << "\n";
    return kExitFailed;
  }
}
