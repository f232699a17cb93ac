// Identity with real binaries (#15): the subject registry served over mutual TLS with the
// demo's access policy (config/access-policy.txt), called with the certificates
// tools/dev-certs makes, and the same registry in plaintext with the policy (the finding
// "any loopback caller claiming registry-admin reads ID numbers"); and the registry's Kafka
// clients on the test broker's TLS listener, which requires client certificates, as
// Strimzi's does in production (--kafka_tls_*).
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/subject/v1/public.grpc.pb.h"
#include "jianguan/subject/v1/subject.grpc.pb.h"
#include "libs/core/clock.h"
#include "libs/core/uscc.h"
#include "libs/events/consumer.h"
#include "libs/server/tls.h"
#include "libs/testing/child_process.h"
#include "libs/testing/command_run.h"
#include "libs/testing/kafka.h"
#include "libs/testing/metrics_scrape.h"
#include "libs/testing/ports.h"
#include "libs/testing/service_binary.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/uscc_series.h"

namespace jianguan {
namespace {

namespace v1 = subject::v1;

constexpr char kPolicy[] = JG_SOURCE_DIR "/config/access-policy.txt";
constexpr char kIdNumber[] = "330782198001011234";

// The certificates of a test: the suite's (tools/dev-certs) and three that must be refused.
struct Certificates {
  testing::TempDir dir{"jg-tls"};
  Certificates() {
    const testing::CommandOutput made = testing::RunCommand(
        {JG_DEV_CERTS, dir.path(), "--expired", "expired",
         "spiffe://jianguan/dept/330700-SCJG/system/jgctl", "--foreign", "foreign",
         "spiffe://jianguan/dept/330700-SCJG/system/jgctl", "--plain", "nameless",
         "https://example.org/not-jianguan"});
    REQUIRE(made.exit_code == 0);
  }
  std::string Path(const std::string& name, const std::string& ext) const {
    return absl::StrCat(dir.path(), "/", name, ".", ext);
  }
  // Mutual TLS as `name`, trusting the suite's CA.
  std::shared_ptr<grpc::ChannelCredentials> As(const std::string& name) const {
    absl::StatusOr<TlsFiles> files =
        ReadTlsFiles(Path(name, "pem"), Path(name, "key"), Path("ca", "pem"));
    REQUIRE(files.ok());
    return MutualTlsChannelCredentials(*files);
  }
  // TLS that checks the server but presents no client certificate.
  std::shared_ptr<grpc::ChannelCredentials> Anonymous() const {
    absl::StatusOr<TlsFiles> files =
        ReadTlsFiles(Path("ca", "pem"), Path("ca", "key"), Path("ca", "pem"));
    REQUIRE(files.ok());
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = files->ca_pem;
    return grpc::SslCredentials(options);
  }
  std::vector<std::string> ServerFlags(const std::string& service) const {
    return {"--tls_cert", Path(service, "pem"), "--tls_key", Path(service, "key"), "--tls_ca",
            Path("ca", "pem"), "--access_policy", kPolicy};
  }
};

v1::Subject Sample() {
  const std::string first17 = "92330782MA2TL8001";
  v1::Subject s;
  s.set_uscc(first17 + UsccCheckCharacter(first17));
  s.set_name("义乌市身份测试商行");
  s.set_type(v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS);
  s.mutable_legal_representative()->set_name("李四");
  s.mutable_legal_representative()->set_id_number(kIdNumber);
  s.mutable_industry()->set_code("5212");
  s.mutable_registration_region()->set_code("330782");
  return s;
}

struct Answer {
  grpc::Status status;
  v1::Subject subject;
};

// GetSubject over `channel`, with `metadata` added (what a client may claim).
Answer Get(const std::shared_ptr<grpc::Channel>& channel, const std::string& uscc,
           const std::vector<std::pair<std::string, std::string>>& metadata = {}) {
  auto stub = v1::SubjectRegistry::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
  v1::GetSubjectRequest request;
  request.set_uscc(uscc);
  Answer answer;
  answer.status = stub->GetSubject(&context, request, &answer.subject);
  return answer;
}

std::shared_ptr<grpc::Channel> Dial(const testing::ServiceBinary& service,
                                    std::shared_ptr<grpc::ChannelCredentials> credentials) {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", service.grpc_port()),
                             std::move(credentials));
}

SCENARIO("over mutual TLS the certificate says who calls; nothing else does") {
  Certificates certs;
  testing::TempDir data("jg-tls-registry");
  testing::ServiceBinary registry(JG_SUBJECT_REGISTRY, data.Sub("registry"),
                                  certs.ServerFlags("subject-registry"), absl::Seconds(60),
                                  certs.As("dept-330700-SCJG"));
  // The city bureau registers a subject (its certificate is the department's).
  {
    auto stub = v1::SubjectRegistry::NewStub(registry.channel());
    grpc::ClientContext context;
    v1::RegisterSubjectRequest request;
    request.set_request_id("tls-register-1");
    *request.mutable_subject() = Sample();
    v1::RegisterSubjectResponse response;
    const grpc::Status status = stub->RegisterSubject(&context, request, &response);
    INFO(status.error_message());
    REQUIRE(status.ok());
  }
  const std::string uscc = Sample().uscc();

  WHEN("a department calls with its certificate") {
    THEN("the grant of the policy decides, not the metadata") {
      const Answer admin = Get(registry.channel(), uscc);
      REQUIRE(admin.status.ok());
      CHECK(admin.subject.legal_representative().id_number() == kIdNumber);

      const auto yiwu = Dial(registry, certs.As("dept-330782-SCJG"));
      const Answer masked = Get(yiwu, uscc);
      REQUIRE(masked.status.ok());
      CHECK(masked.subject.legal_representative().id_number_masked());
      CHECK(masked.subject.legal_representative().id_number() != kIdNumber);

      // Claiming another department and the role in metadata changes nothing.
      const Answer claimed = Get(yiwu, uscc,
                                 {{"x-jg-department", "330700-SCJG"},
                                  {"x-jg-system", "jgctl"},
                                  {"x-jg-role", "registry-admin"}});
      REQUIRE(claimed.status.ok());
      CHECK(claimed.subject.legal_representative().id_number_masked());
    }
  }

  WHEN("a caller has no certificate, an expired one, one from another CA or one without names") {
    struct Case {
      std::shared_ptr<grpc::ChannelCredentials> credentials;
      std::string says;
    };
    const Case cases[] = {
        {certs.Anonymous(), "no client certificate"},
        {certs.As("expired"), "expired on 2020-01-02"},
        {certs.As("foreign"), "not issued by the suite's CA"},
        {certs.As("nameless"), "exactly one URI"},
    };
    THEN("each is UNAUTHENTICATED, saying why") {
      for (const Case& c : cases) {
        const Answer answer = Get(Dial(registry, c.credentials), uscc,
                                  {{"x-jg-department", "330700-SCJG"},
                                   {"x-jg-role", "registry-admin"}});
        INFO(answer.status.error_message());
        CHECK(answer.status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
        CHECK(answer.status.error_message().find(c.says) != std::string::npos);
      }
    }
  }

  WHEN("jgctl calls with a department's certificate") {
    const std::string target = absl::StrCat("127.0.0.1:", registry.grpc_port());
    THEN("it works with --tls_dir and with the three files, and fails without them") {
      const testing::CommandOutput by_dir = testing::RunCommand(
          {JG_JGCTL, "subjects", "get", uscc, "--registry", target, "--tls_dir",
           certs.dir.path(), "--department", "330782-SCJG"});
      CHECK(by_dir.exit_code == 0);
      CHECK(by_dir.Says("id_number_masked: true"));
      CHECK_FALSE(by_dir.Says(kIdNumber));

      const testing::CommandOutput by_files = testing::RunCommand(
          {JG_JGCTL, "subjects", "get", uscc, "--registry", target, "--tls_cert",
           certs.Path("dept-330700-SCJG", "pem"), "--tls_key",
           certs.Path("dept-330700-SCJG", "key"), "--tls_ca", certs.Path("ca", "pem")});
      CHECK(by_files.exit_code == 0);
      CHECK(by_files.Says(kIdNumber));

      const testing::CommandOutput plain = testing::RunCommand(
          {JG_JGCTL, "subjects", "get", uscc, "--registry", target, "--department",
           "330700-SCJG"});
      CHECK(plain.exit_code != 0);
    }
  }
}

// A natural person's subject (特定自然人) for the public lists: its name is a person's name.
v1::Subject NaturalPerson() {
  const std::string first17 = "Y1330782MA2TL8002";
  v1::Subject s;
  s.set_uscc(first17 + UsccCheckCharacter(first17));
  s.set_name("王小明");
  s.set_type(v1::SUBJECT_TYPE_SPECIFIC_NATURAL_PERSON);
  s.mutable_legal_representative()->set_name("王小明");
  s.mutable_legal_representative()->set_id_number("330782199002023456");
  s.mutable_industry()->set_code("5212");
  s.mutable_registration_region()->set_code("330782");
  return s;
}

SCENARIO("the public lists need no credentials and show nothing personal") {
  Certificates certs;
  testing::TempDir data("jg-tls-public");
  const int public_port = testing::FreeLoopbackPort();
  std::vector<std::string> flags = certs.ServerFlags("subject-registry");
  flags.insert(flags.end(), {"--public_port", std::to_string(public_port)});
  testing::ServiceBinary registry(JG_SUBJECT_REGISTRY, data.Sub("registry"), flags,
                                  absl::Seconds(60), certs.As("dept-330700-SCJG"));
  auto stub = v1::SubjectRegistry::NewStub(registry.channel());
  // Two subjects registered and listed as abnormal by the city bureau; a third stays normal.
  v1::Subject other = Sample();
  const std::string other17 = "92330782MA2TL8003";
  other.set_uscc(other17 + UsccCheckCharacter(other17));
  other.set_name("义乌市公示测试商行");
  for (const v1::Subject& subject : {Sample(), NaturalPerson(), other}) {
    grpc::ClientContext context;
    v1::RegisterSubjectRequest request;
    request.set_request_id("public-register-" + subject.uscc());
    *request.mutable_subject() = subject;
    v1::RegisterSubjectResponse response;
    const grpc::Status status = stub->RegisterSubject(&context, request, &response);
    INFO(status.error_message());
    REQUIRE(status.ok());
  }
  for (const v1::Subject& subject : {Sample(), NaturalPerson()}) {
    grpc::ClientContext context;
    v1::ChangeSubjectStatusRequest request;
    request.set_request_id("public-list-" + subject.uscc());
    request.set_uscc(subject.uscc());
    request.set_action(v1::STATUS_ACTION_LIST_ABNORMAL);
    request.set_reason(v1::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS);
    request.set_note("金市监异〔2026〕1号");
    v1::ChangeSubjectStatusResponse response;
    const grpc::Status status = stub->ChangeSubjectStatus(&context, request, &response);
    INFO(status.error_message());
    REQUIRE(status.ok());
  }

  // Anyone: TLS that checks the server, no client certificate, no metadata.
  const auto anonymous = grpc::CreateChannel(absl::StrCat("127.0.0.1:", public_port),
                                             certs.Anonymous());
  auto lists = v1::PublicRegistry::NewStub(anonymous);
  grpc::ClientContext list_context;
  v1::ListPublicListingsRequest list_request;
  list_request.set_list(v1::PUBLIC_LIST_ABNORMAL_OPERATION);
  list_request.set_region_prefix("3307");
  v1::ListPublicListingsResponse listed;
  const grpc::Status list_status = lists->ListPublicListings(&list_context, list_request, &listed);
  INFO(list_status.error_message());
  REQUIRE(list_status.ok());
  REQUIRE(listed.listings_size() == 2);
  const std::string today_year = absl::FormatTime("%Y", absl::Now(), BeijingTime());
  for (const v1::PublicListing& listing : listed.listings()) {
    CHECK(listing.reason() == v1::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS);
    CHECK(std::to_string(listing.listed_on().year()) == today_year);
    CHECK(listing.moves_on().year() == listing.listed_on().year() + 3);
    CHECK(listing.department().code() == "330700-SCJG");
    if (listing.uscc() == NaturalPerson().uscc()) {
      CHECK(listing.name() == "王**");
      CHECK(listing.name_masked());
    } else {
      CHECK(listing.name() == Sample().name());
      CHECK_FALSE(listing.name_masked());
    }
  }
  // Nothing personal anywhere in the answer's bytes.
  const std::string bytes = listed.SerializeAsString();
  for (const std::string& personal : {std::string("王小明"), std::string("李四"),
                                      std::string(kIdNumber), std::string("330782199002023456")}) {
    CHECK(bytes.find(personal) == std::string::npos);
  }

  // A subject on neither list and one never registered read the same.
  auto get = [&](const std::string& uscc) {
    grpc::ClientContext context;
    v1::GetPublicListingRequest request;
    request.set_uscc(uscc);
    v1::PublicListing listing;
    return std::pair(lists->GetPublicListing(&context, request, &listing), listing);
  };
  CHECK(get(NaturalPerson().uscc()).first.ok());
  CHECK(get(NaturalPerson().uscc()).second.name() == "王**");
  const std::string unknown17 = "92330782MA2TL8009";
  const grpc::Status normal = get(other.uscc()).first;
  const grpc::Status unknown = get(unknown17 + UsccCheckCharacter(unknown17)).first;
  CHECK(normal.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(unknown.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(get("not-a-uscc").first.error_code() == grpc::StatusCode::INVALID_ARGUMENT);

  // jgctl reads them the same way: the CA to check the server, nothing to show.
  const std::string public_target = absl::StrCat("127.0.0.1:", public_port);
  const testing::CommandOutput by_jgctl = testing::RunCommand(
      {JG_JGCTL, "subjects", "public-list", "abnormal", "--public_registry", public_target,
       "--tls_ca", certs.Path("ca", "pem")});
  CHECK(by_jgctl.exit_code == 0);
  CHECK(by_jgctl.Says("王**"));
  CHECK(by_jgctl.Says(Sample().uscc()));
  CHECK_FALSE(by_jgctl.Says("王小明"));
  const testing::CommandOutput not_listed = testing::RunCommand(
      {JG_JGCTL, "subjects", "public-get", other.uscc(), "--public_registry", public_target,
       "--tls_ca", certs.Path("ca", "pem")});
  CHECK(not_listed.exit_code == 1);
  CHECK(not_listed.Says("is on neither public list"));

  // The public listener serves only the public lists; the main port still wants a certificate.
  const Answer registry_on_public = Get(anonymous, Sample().uscc(),
                                        {{"x-jg-department", "330700-SCJG"}});
  CHECK(registry_on_public.status.error_code() == grpc::StatusCode::UNIMPLEMENTED);
  auto lists_on_main = v1::PublicRegistry::NewStub(Dial(registry, certs.Anonymous()));
  grpc::ClientContext main_context;
  v1::ListPublicListingsResponse ignored;
  CHECK_FALSE(lists_on_main->ListPublicListings(&main_context, list_request, &ignored).ok());
}

SCENARIO("the registry's Kafka clients speak TLS with its certificate; strangers get nothing") {
  const testing::KafkaTlsListener kafka = testing::KafkaTls();
  const auto file = [&](const std::string& name) { return kafka.certificates + "/" + name; };
  testing::TempDir data("jg-kafka-tls");
  testing::ServiceBinary registry(
      JG_SUBJECT_REGISTRY, data.Sub("registry"),
      {"--kafka_brokers", kafka.brokers, "--kafka_tls_ca", file("ca.pem"), "--kafka_tls_cert",
       file("subject-registry.pem"), "--kafka_tls_key", file("subject-registry.key")});

  // Its own consumer joined over TLS: the timeline group holds partitions.
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (registry.Lag("subject-registry-timeline") < 0) {
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(200));
  }
  // The Kafka certificates' expiry is on /metrics.
  CHECK(testing::SampleValue(registry.Metrics(), "jianguan_tls_certificate_expiry_timestamp_seconds",
                             {R"(certificate="kafka_client")"}) >
        static_cast<double>(absl::ToUnixSeconds(absl::Now())));

  // A subject no other run registered; its event is published over TLS.
  v1::Subject subject = Sample();
  subject.set_uscc(testing::SeriesUscc(
      "92330782", static_cast<uint64_t>(absl::ToUnixMillis(absl::Now()) % 1'000'000'000)));
  {
    auto stub = v1::SubjectRegistry::NewStub(registry.channel());
    grpc::ClientContext context;
    context.AddMetadata("x-jg-department", "330700-SCJG");
    v1::RegisterSubjectRequest request;
    request.set_request_id("kafka-tls-" + subject.uscc());
    *request.mutable_subject() = subject;
    v1::RegisterSubjectResponse response;
    const grpc::Status status = stub->RegisterSubject(&context, request, &response);
    INFO(status.error_message());
    REQUIRE(status.ok());
  }

  // Reads the subject topic over TLS as `name` (a certificate in `dir`) for up to `wait`;
  // true once the subject's event arrived.
  const auto sees_event = [&](const std::string& dir, const std::string& name,
                              const std::string& ca, absl::Duration wait) {
    testing::TempDir reader_dir("jg-kafka-tls-reader");
    auto store = store::Store::Open({.path = reader_dir.path(), .families = {"x"}});
    REQUIRE(store.ok());
    std::atomic<bool> seen{false};
    events::EventConsumer reader(
        **store,
        {.brokers = kafka.brokers,
         .group = testing::UniqueName("it-kafka-tls"),
         .topics = {"jianguan.subject.v1"},
         .source = "tls-test",
         .properties = {{"security.protocol", "ssl"},
                        {"ssl.ca.location", ca},
                        {"ssl.certificate.location", dir + "/" + name + ".pem"},
                        {"ssl.key.location", dir + "/" + name + ".key"}}},
        [&](const events::ConsumedEvent& event, store::UnitOfWork&) {
          if (event.key == subject.uscc()) seen = true;
          return absl::OkStatus();
        });
    REQUIRE(reader.Start().ok());
    const absl::Time until = absl::Now() + wait;
    while (!seen && absl::Now() < until) absl::SleepFor(absl::Milliseconds(200));
    reader.Stop();
    return seen.load();
  };
  // A department's system with a certificate of the suite's CA reads it...
  CHECK(sees_event(kafka.certificates, "dept-330700-SCJG", file("ca.pem"), absl::Seconds(60)));
  // ...one whose certificate another CA issued is refused by the broker and reads nothing.
  testing::TempDir foreign("jg-kafka-tls-foreign");
  REQUIRE(testing::RunCommand({JG_DEV_CERTS, foreign.path(), "--foreign", "stranger",
                               "spiffe://jianguan/dept/330700-SCJG/system/jgctl"})
              .exit_code == 0);
  CHECK_FALSE(sees_event(foreign.path(), "stranger", file("ca.pem"), absl::Seconds(8)));
}

SCENARIO("a service refuses to start exposed without TLS, or on TLS without a policy") {
  Certificates certs;
  testing::TempDir data("jg-tls-refusals");
  auto exit_status = [&](std::vector<std::string> flags) {
    std::vector<std::string> argv = {JG_SUBJECT_REGISTRY, "--grpc_port", "0", "--metrics_port",
                                     "0", "--data_dir", data.Sub("registry"),
                                     "--kafka_brokers", testing::KafkaBrokers()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    testing::ChildProcess child(argv);
    const std::optional<int> status = child.Wait(absl::Seconds(30));
    REQUIRE(status.has_value());
    REQUIRE(WIFEXITED(*status));
    return WEXITSTATUS(*status);
  };
  CHECK(exit_status({"--grpc_host", "0.0.0.0"}) == 2);
  CHECK(exit_status({"--tls_cert", certs.Path("subject-registry", "pem"), "--tls_key",
                     certs.Path("subject-registry", "key"), "--tls_ca",
                     certs.Path("ca", "pem")}) == 2);
  CHECK(exit_status({"--tls_cert", certs.Path("subject-registry", "pem")}) == 2);
}

SCENARIO("with the access policy, loopback metadata cannot claim a department or a role") {
  testing::TempDir data("jg-policy-registry");
  testing::ServiceBinary registry(JG_SUBJECT_REGISTRY, data.Sub("registry"),
                                  {"--access_policy", kPolicy});
  {
    auto stub = v1::SubjectRegistry::NewStub(registry.channel());
    grpc::ClientContext context;
    context.AddMetadata("x-jg-department", "330782-SCJG");
    v1::RegisterSubjectRequest request;
    request.set_request_id("policy-register-1");
    *request.mutable_subject() = Sample();
    v1::RegisterSubjectResponse response;
    REQUIRE(stub->RegisterSubject(&context, request, &response).ok());
  }
  const std::string uscc = Sample().uscc();

  // The finding: any department name, with the role, read full ID numbers.
  const Answer anything =
      Get(registry.channel(), uscc, {{"x-jg-department", "anything"}, {"x-jg-role", "registry-admin"}});
  CHECK(anything.status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(anything.status.error_message().find("not a department code") != std::string::npos);

  const Answer unknown = Get(registry.channel(), uscc, {{"x-jg-department", "330700-NOPE"}});
  CHECK(unknown.status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(unknown.status.error_message().find("not admitted") != std::string::npos);

  const Answer ungranted = Get(registry.channel(), uscc,
                               {{"x-jg-department", "330782-SCJG"},
                                {"x-jg-role", "registry-admin"}});
  CHECK(ungranted.status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(ungranted.status.error_message().find("registry-admin") != std::string::npos);

  const Answer granted = Get(registry.channel(), uscc,
                             {{"x-jg-department", "330700-SCJG"},
                              {"x-jg-system", "jgctl"},
                              {"x-jg-role", "registry-admin"}});
  REQUIRE(granted.status.ok());
  CHECK(granted.subject.legal_representative().id_number() == kIdNumber);

  const Answer plain = Get(registry.channel(), uscc, {{"x-jg-department", "330782-SCJG"}});
  REQUIRE(plain.status.ok());
  CHECK(plain.subject.legal_representative().id_number_masked());
}

}  // namespace
}  // namespace jianguan
