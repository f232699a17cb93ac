// Mutual TLS: who calls, from the client certificate.
//
// Every certificate of the suite is issued by the suite's CA and names its holder in one URI
// subject alternative name (docs/security.md):
//
//   spiffe://jianguan/dept/330700-SCJG/system/jgctl              a department's system
//   spiffe://jianguan/dept/330700-SCJG/system/jgctl/user/u-17    a person in it
//   spiffe://jianguan/system/inspection                           a suite service
//
// The server asks for a client certificate but lets the handshake finish whatever it gets,
// then the CertificateAuthenticator checks it (chain to the suite's CA, validity dates, the
// URI) and answers every failure as UNAUTHENTICATED saying what is wrong: a handshake
// refused inside OpenSSL would reach the client only as "UNAVAILABLE: handshake failed". The
// handshake still proves the client holds the certificate's private key.
//
// Metadata identity (x-jg-department, x-jg-system, x-jg-role) is ignored under TLS, with two
// exceptions: a system's certificate that names no user lets the system name the person
// using it in x-jg-user (the department's own sign-on vouches for its users); and a suite
// service whose certificate names no department, and whom the access policy allows to
// `delegate`, names the department it acts for in x-jg-department (inspection resolving a
// commitment for the task's lead department).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/server/access_policy.h"
#include "libs/server/identity.h"

namespace grpc {
class ChannelCredentials;
class ServerCredentials;
}  // namespace grpc

namespace jianguan {

/// The PEM texts of one party's certificate chain, private key and the suite's CA.
struct TlsFiles {
  std::string cert_pem;
  std::string key_pem;
  std::string ca_pem;
};

/// Reads the three files; NOT_FOUND naming the one that cannot be read, INVALID_ARGUMENT
/// naming the one that holds no PEM block.
absl::StatusOr<TlsFiles> ReadTlsFiles(const std::string& cert_path, const std::string& key_path,
                                      const std::string& ca_path);

/// Reads one PEM file given by `--flag`: NOT_FOUND when it cannot be read, INVALID_ARGUMENT
/// when it holds no PEM block, each naming the flag and the path.
absl::StatusOr<std::string> ReadPemFile(std::string_view flag, const std::string& path);

/// The earliest notAfter of the certificates in `pem` (a chain or a CA bundle), for the
/// expiry gauge; INVALID_ARGUMENT when it holds no certificate.
absl::StatusOr<absl::Time> EarliestExpiry(std::string_view pem);

/// Server credentials presenting `files`' certificate and requesting the client's.
std::shared_ptr<grpc::ServerCredentials> MutualTlsServerCredentials(const TlsFiles& files);
/// Server credentials presenting `files`' certificate and asking nothing of the client: for
/// the public listener (ServiceHostOptions::public_port).
std::shared_ptr<grpc::ServerCredentials> ServerTlsCredentials(const TlsFiles& files);
/// Channel credentials presenting `files`' certificate and trusting only the suite's CA.
std::shared_ptr<grpc::ChannelCredentials> MutualTlsChannelCredentials(const TlsFiles& files);

/// The names an identity URI carries.
struct CertificateIdentity {
  std::string department;  // empty for a suite service
  std::string system;
  std::string user;
  std::string uri;
};

/// Parses "spiffe://jianguan/dept/D/system/S[/user/U]" or "spiffe://jianguan/system/S";
/// INVALID_ARGUMENT saying what is wrong otherwise.
absl::StatusOr<CertificateIdentity> ParseIdentityUri(std::string_view uri);

/// Resolves callers from client certificates. Thread-safe. Verified certificates are
/// remembered (by their PEM text, up to a few thousand) until they expire, so a connection's
/// calls after the first cost one hash lookup.
class CertificateAuthenticator final : public Authenticator {
 public:
  /// INVALID_ARGUMENT when `ca_pem` holds no certificate.
  static absl::StatusOr<std::shared_ptr<CertificateAuthenticator>> Create(
      std::string_view ca_pem, std::shared_ptr<const AccessPolicy> policy);
  ~CertificateAuthenticator() override;

  absl::StatusOr<Caller> Authenticate(const CallAttributes& call) const override;
  RoleSource role_source() const override { return RoleSource::kGranted; }

 private:
  struct State;
  explicit CertificateAuthenticator(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace jianguan
