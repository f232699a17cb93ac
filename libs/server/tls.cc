#include "libs/core/string_view_compat.h"
#include "libs/server/tls.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "libs/core/status_macros.h"
#include "libs/core/text_checks.h"

namespace jianguan {
namespace {

constexpr std::string_view kUriPrefix = "spiffe://jianguan/";
// Verified certificates remembered at most; the table is emptied when it is full (a few
// thousand callers is a whole province's systems; emptying costs one verification each).
constexpr size_t kRememberedCertificates = 4096;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct NamesFree {
  void operator()(GENERAL_NAMES* n) const { GENERAL_NAMES_free(n); }
};

// Every certificate in a PEM text, in order.
std::vector<X509Ptr> ReadCertificates(std::string_view pem) {
  std::vector<X509Ptr> certificates;
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return certificates;
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certificates.emplace_back(x);
  }
  return certificates;
}

// "2026-12-04 10:00:00 UTC", from an ASN.1 time.
std::string ShowTime(const ASN1_TIME* time) {
  struct tm parts = {};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return "an unreadable date";
  char text[32];
  strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &parts);
  return text;
}

absl::Time ToTime(const ASN1_TIME* time) {
  struct tm parts = {};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return absl::InfinitePast();
  return absl::FromTM(parts, absl::UTCTimeZone());
}

std::string ReadFile(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  std::stringstream text;
  if (*ok) text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<std::string> ReadPemFile(std::string_view flag, const std::string& path) {
  bool ok = false;
  std::string pem = ReadFile(path, &ok);
  if (!ok) return absl::NotFoundError(absl::StrCat("--", AbslView(flag), ": cannot read ", path));
  if (pem.find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", AbslView(flag), ": ", path, " holds no PEM block"));
  }
  return pem;
}

absl::StatusOr<TlsFiles> ReadTlsFiles(const std::string& cert_path, const std::string& key_path,
                                      const std::string& ca_path) {
  TlsFiles files;
  ASSIGN_OR_RETURN(files.cert_pem, ReadPemFile("tls_cert", cert_path));
  ASSIGN_OR_RETURN(files.key_pem, ReadPemFile("tls_key", key_path));
  ASSIGN_OR_RETURN(files.ca_pem, ReadPemFile("tls_ca", ca_path));
  return files;
}

absl::StatusOr<absl::Time> EarliestExpiry(std::string_view pem) {
  const std::vector<X509Ptr> certificates = ReadCertificates(pem);
  if (certificates.empty()) return absl::InvalidArgumentError("no certificate in the PEM text");
  absl::Time earliest = absl::InfiniteFuture();
  for (const X509Ptr& certificate : certificates) {
    earliest = std::min(earliest, ToTime(X509_get0_notAfter(certificate.get())));
  }
  return earliest;
}

std::shared_ptr<grpc::ServerCredentials> MutualTlsServerCredentials(const TlsFiles& files) {
  // Requested, not verified by the handshake: CertificateAuthenticator verifies it and can
  // then say why a certificate is refused (see tls.h).
  grpc::SslServerCredentialsOptions options(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
  options.pem_root_certs = files.ca_pem;
  options.pem_key_cert_pairs.push_back({files.key_pem, files.cert_pem});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ServerCredentials> ServerTlsCredentials(const TlsFiles& files) {
  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({files.key_pem, files.cert_pem});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> MutualTlsChannelCredentials(const TlsFiles& files) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = files.ca_pem;
  options.pem_private_key = files.key_pem;
  options.pem_cert_chain = files.cert_pem;
  return grpc::SslCredentials(options);
}

absl::StatusOr<CertificateIdentity> ParseIdentityUri(std::string_view uri) {
  auto refuse = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "identity URI ", QuotedInput(uri, 120), " ", AbslView(why),
        " (expected spiffe://jianguan/dept/DEPARTMENT/system/SYSTEM[/user/USER] or "
        "spiffe://jianguan/system/SERVICE)"));
  };
  if (!uri.starts_with(kUriPrefix)) return refuse("is not a jianguan identity");
  const std::vector<std::string> parts =
      absl::StrSplit(AbslView(uri.substr(kUriPrefix.size())), '/');
  if (parts.size() % 2 != 0) return refuse("does not pair each name with its value");
  CertificateIdentity identity{.uri = std::string(uri)};
  for (size_t i = 0; i < parts.size(); i += 2) {
    const std::string& key = parts[i];
    const std::string& value = parts[i + 1];
    if (value.empty()) return refuse(absl::StrCat("has an empty ", key));
    std::string* slot = key == "dept"     ? &identity.department
                        : key == "system" ? &identity.system
                        : key == "user"   ? &identity.user
                                          : nullptr;
    if (slot == nullptr) return refuse(absl::StrCat("has an unknown part '", key, "'"));
    if (!slot->empty()) return refuse(absl::StrCat("names ", key, " twice"));
    *slot = value;
  }
  if (identity.system.empty()) return refuse("names no system");
  if (!identity.department.empty() && !IsDepartmentCode(identity.department)) {
    return refuse("names a department that is not a department code");
  }
  if (identity.department.empty() && !identity.user.empty()) {
    return refuse("names a user outside a department");
  }
  return identity;
}

struct CertificateAuthenticator::State {
  std::unique_ptr<X509_STORE, StoreFree> trusted;
  std::shared_ptr<const AccessPolicy> policy;

  struct Verified {
    absl::StatusOr<CertificateIdentity> identity;
    absl::Time not_after;
  };
  mutable absl::Mutex mu;
  mutable absl::flat_hash_map<std::string, Verified> verified ABSL_GUARDED_BY(mu);

  Verified Verify(std::string_view pem) const;
};

CertificateAuthenticator::State::Verified CertificateAuthenticator::State::Verify(
    std::string_view pem) const {
  std::vector<X509Ptr> chain = ReadCertificates(pem);
  if (chain.empty()) {
    return {absl::UnauthenticatedError("the client certificate cannot be read"),
            absl::InfiniteFuture()};
  }
  X509* leaf = chain.front().get();
  const absl::Time not_after = ToTime(X509_get0_notAfter(leaf));

  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> context(X509_STORE_CTX_new());
  if (context == nullptr || X509_STORE_CTX_init(context.get(), trusted.get(), leaf, nullptr) != 1) {
    return {absl::InternalError("cannot set up certificate verification"), absl::InfinitePast()};
  }
  X509_STORE_CTX_set_purpose(context.get(), X509_PURPOSE_SSL_CLIENT);
  if (X509_verify_cert(context.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(context.get());
    std::string why;
    switch (error) {
      case X509_V_ERR_CERT_HAS_EXPIRED:
        why = absl::StrCat("the client certificate expired on ",
                           ShowTime(X509_get0_notAfter(leaf)),
                           "; ask the suite's CA for a new one");
        break;
      case X509_V_ERR_CERT_NOT_YET_VALID:
        why = absl::StrCat("the client certificate is not valid before ",
                           ShowTime(X509_get0_notBefore(leaf)));
        break;
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      case X509_V_ERR_CERT_SIGNATURE_FAILURE: {
        char issuer[256] = {};
        X509_NAME_oneline(X509_get_issuer_name(leaf), issuer, sizeof issuer);
        why = absl::StrCat("the client certificate was not issued by the suite's CA (its issuer is ",
                           ShownUtf8(issuer), ")");
        break;
      }
      default:
        why = absl::StrCat("the client certificate does not verify: ",
                           X509_verify_cert_error_string(error));
    }
    // Remembered for a minute only: the CA or the clock may be put right meanwhile.
    return {absl::UnauthenticatedError(why), absl::Now() + absl::Minutes(1)};
  }

  // The one jianguan URI among the subject alternative names.
  std::unique_ptr<GENERAL_NAMES, NamesFree> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(leaf, NID_subject_alt_name, nullptr, nullptr)));
  std::vector<std::string> uris;
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* text = name->d.uniformResourceIdentifier;
    std::string uri(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                    static_cast<size_t>(ASN1_STRING_length(text)));
    if (uri.starts_with(kUriPrefix)) uris.push_back(std::move(uri));
  }
  if (uris.size() != 1) {
    return {absl::UnauthenticatedError(absl::StrCat(
                "the client certificate must name its holder in exactly one URI like "
                "spiffe://jianguan/dept/330700-SCJG/system/jgctl; it has ",
                uris.size())),
            not_after};
  }
  absl::StatusOr<CertificateIdentity> identity = ParseIdentityUri(uris.front());
  if (!identity.ok()) {
    return {absl::UnauthenticatedError(
                absl::StrCat("the client certificate's ", identity.status().message())),
            not_after};
  }
  return {std::move(identity), not_after};
}

absl::StatusOr<std::shared_ptr<CertificateAuthenticator>> CertificateAuthenticator::Create(
    std::string_view ca_pem, std::shared_ptr<const AccessPolicy> policy) {
  auto state = std::make_unique<State>();
  state->trusted.reset(X509_STORE_new());
  std::vector<X509Ptr> authorities = ReadCertificates(ca_pem);
  if (authorities.empty()) {
    return absl::InvalidArgumentError("--tls_ca holds no certificate");
  }
  for (const X509Ptr& authority : authorities) {
    if (X509_STORE_add_cert(state->trusted.get(), authority.get()) != 1) {
      return absl::InvalidArgumentError("--tls_ca: a certificate cannot be trusted");
    }
  }
  state->policy = std::move(policy);
  return std::shared_ptr<CertificateAuthenticator>(new CertificateAuthenticator(std::move(state)));
}

CertificateAuthenticator::CertificateAuthenticator(std::unique_ptr<State> state)
    : state_(std::move(state)) {}

CertificateAuthenticator::~CertificateAuthenticator() = default;

absl::StatusOr<Caller> CertificateAuthenticator::Authenticate(const CallAttributes& call) const {
  std::string pem;
  if (call.auth_context != nullptr) {
    for (const grpc::string_ref& value :
         call.auth_context->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME)) {
      pem.assign(value.data(), value.size());
    }
  }
  if (pem.empty()) {
    return absl::UnauthenticatedError(
        "no client certificate: this server takes calls over mutual TLS only (give jgctl "
        "--tls_cert, --tls_key and --tls_ca)");
  }

  State::Verified verified;
  const absl::Time now = absl::Now();
  {
    absl::MutexLock lock(&state_->mu);
    auto it = state_->verified.find(pem);
    if (it != state_->verified.end() && now < it->second.not_after) verified = it->second;
  }
  if (verified.not_after == absl::Time()) {
    verified = state_->Verify(pem);
    absl::MutexLock lock(&state_->mu);
    if (state_->verified.size() >= kRememberedCertificates) state_->verified.clear();
    state_->verified.insert_or_assign(pem, verified);
  }
  if (!verified.identity.ok()) return verified.identity.status();
  if (now >= verified.not_after) {
    return absl::UnauthenticatedError("the client certificate has expired");
  }

  const CertificateIdentity& identity = *verified.identity;
  Caller caller{.department = identity.department,
                .user_id = identity.user,
                .system = identity.system,
                .identity = identity.uri};
  if (caller.user_id.empty()) {
    // A department's system vouches for the person using it (its own sign-on); the
    // department and the system stay the certificate's. A certificate that names a user
    // fixes it.
    caller.user_id = std::string(call.Metadata(LoopbackMetadataAuthenticator::kUserKey));
  }
  if (caller.department.empty()) {
    // A suite service acting for a department (see tls.h).
    if (state_->policy == nullptr || !state_->policy->MayDelegate(identity.system)) {
      return absl::UnauthenticatedError(absl::StrCat(
          "the client certificate (", identity.uri,
          ") names no department, and the access policy does not let system '", identity.system,
          "' act for one"));
    }
    caller.department = std::string(call.Metadata(LoopbackMetadataAuthenticator::kDepartmentKey));
    if (caller.department.empty()) {
      return absl::UnauthenticatedError(absl::StrCat(
          "system '", identity.system, "' acts for a department: name it in metadata '",
          AbslView(LoopbackMetadataAuthenticator::kDepartmentKey), "'"));
    }
  }
  return caller;
}

}  // namespace jianguan
