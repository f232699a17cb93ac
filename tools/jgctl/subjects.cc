// jgctl subjects: import a CSV file (tools/datagen/subjects.py's columns) into the subject
// registry over the streaming call with a progress line, and read subjects back.
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/subject/v1/public.grpc.pb.h"
#include "jianguan/subject/v1/subject.grpc.pb.h"
#include "libs/core/csv.h"
#include "libs/core/string_view_compat.h"
#include "tools/jgctl/client.h"
#include "tools/jgctl/commands.h"
#include "tools/jgctl/flags.h"

ABSL_FLAG(std::string, registry, "127.0.0.1:7102",
          "subject-registry address (env JG_GRPC_TARGET)");
ABSL_FLAG(int32_t, batch, 1000, "rows per import batch");
ABSL_FLAG(std::string, region_prefix, "", "subjects list: registration region prefix");
ABSL_FLAG(std::string, industry_prefix, "", "subjects list: industry prefix");
ABSL_FLAG(std::string, name_prefix, "", "subjects list: name prefix");
ABSL_FLAG(std::string, tag, "", "subjects list: tag");
ABSL_FLAG(int32_t, page_size, 20, "subjects list/profile: page size");
ABSL_FLAG(std::string, public_registry, "127.0.0.1:7202",
          "subjects public-*: the registry's public listener (no credentials; TLS checking the "
          "server with --tls_ca when given)");
ABSL_FLAG(std::string, page_token, "", "subjects public-list: the page to read");

namespace jianguan::jgctl {
namespace {

namespace v1 = ::jianguan::subject::v1;

std::unique_ptr<v1::SubjectRegistry::Stub> Registry() {
  return v1::SubjectRegistry::NewStub(Connect(absl::GetFlag(FLAGS_registry), "127.0.0.1:7102"));
}

// The public listener takes no credentials: plaintext, or TLS that checks the server against
// --tls_ca (JG_TLS_CA) when one is given.
std::unique_ptr<v1::PublicRegistry::Stub> PublicRegistry() {
  const std::string ca = WithEnvironment(absl::GetFlag(FLAGS_tls_ca), "", "JG_TLS_CA");
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!ca.empty()) {
    std::string pem;
    if (!ReadWholeFile(ca, &pem)) {
      std::fprintf(stderr, "jgctl: cannot read --tls_ca %s\n", ca.c_str());
      std::exit(2);
    }
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = pem;
    credentials = grpc::SslCredentials(options);
  }
  return v1::PublicRegistry::NewStub(
      grpc::CreateChannel(absl::GetFlag(FLAGS_public_registry), credentials));
}

void PrintListing(const v1::PublicListing& l) {
  std::printf("%s  %-6s %-32s listed %s%s%s%s\n", l.uscc().c_str(),
              l.registration_region().code().c_str(), l.name().c_str(),
              DateText(l.listed_on()).c_str(),
              l.list() == v1::PUBLIC_LIST_ABNORMAL_OPERATION
                  ? absl::StrCat("  moves ", DateText(l.moves_on()), "  ",
                                 v1::AbnormalReason_Name(l.reason()).substr(16))
                        .c_str()
                  : "",
              l.department().code().empty() ? "" : "  by ", l.department().code().c_str());
}

// jgctl subjects public-list abnormal|serious | public-get USCC: the public lists.
int Public(const std::vector<std::string>& args) {
  auto stub = PublicRegistry();
  grpc::ClientContext context;
  if (args[0] == "public-get" && args.size() == 2) {
    v1::GetPublicListingRequest request;
    request.set_uscc(args[1]);
    v1::PublicListing listing;
    if (auto s = stub->GetPublicListing(&context, request, &listing); !s.ok()) return Fail(s);
    PrintListing(listing);
    return 0;
  }
  if (args[0] == "public-list" && args.size() == 2 &&
      (args[1] == "abnormal" || args[1] == "serious")) {
    v1::ListPublicListingsRequest request;
    request.set_list(args[1] == "abnormal" ? v1::PUBLIC_LIST_ABNORMAL_OPERATION
                                           : v1::PUBLIC_LIST_SERIOUS_VIOLATION);
    request.set_region_prefix(absl::GetFlag(FLAGS_region_prefix));
    request.mutable_page()->set_page_size(absl::GetFlag(FLAGS_page_size));
    request.mutable_page()->set_page_token(absl::GetFlag(FLAGS_page_token));
    v1::ListPublicListingsResponse response;
    if (auto s = stub->ListPublicListings(&context, request, &response); !s.ok()) return Fail(s);
    for (const auto& listing : response.listings()) PrintListing(listing);
    if (!response.page().next_page_token().empty()) {
      std::printf("next page token: %s\n", response.page().next_page_token().c_str());
    }
    return 0;
  }
  std::fprintf(stderr,
               "usage: jgctl subjects public-list abnormal|serious [--region_prefix P] "
               "[--page_token T] | public-get USCC\n");
  return 2;
}

void PrintSubject(const v1::Subject& s) {
  std::printf("%s  %-8s %-6s %-6s %-30s v%lld %s\n", s.uscc().c_str(),
              v1::SubjectStatus_Name(s.status()).substr(15).c_str(),
              s.registration_region().code().c_str(), s.industry().code().c_str(), s.name().c_str(),
              static_cast<long long>(s.version()), s.legal_representative().id_number().c_str());
}

bool SetDate(std::string_view text, common::v1::Date* date) {
  std::vector<std::string> parts = absl::StrSplit(AbslView(text), '-');
  int y = 0, m = 0, d = 0;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &y) || !absl::SimpleAtoi(parts[1], &m) ||
      !absl::SimpleAtoi(parts[2], &d)) {
    return false;
  }
  date->set_year(y);
  date->set_month(m);
  date->set_day(d);
  return true;
}

// One CSV record as an import row; what does not parse is left for the registry to name.
v1::ImportRow ToRow(const CsvRecord& record, const std::vector<size_t>& col) {
  const auto& f = record.fields;
  v1::ImportRow row;
  row.set_row_number(record.line);
  v1::Subject* s = row.mutable_subject();
  s->set_uscc(f[col[0]]);
  s->set_name(f[col[1]]);
  int type = 0;
  (void)absl::SimpleAtoi(f[col[2]], &type);
  s->set_type(static_cast<v1::SubjectType>(type));
  s->mutable_legal_representative()->set_name(f[col[3]]);
  s->mutable_legal_representative()->set_id_number(f[col[4]]);
  int64_t fen = 0;
  if (absl::SimpleAtoi(f[col[5]], &fen)) s->mutable_registered_capital()->set_fen(fen);
  if (!f[col[6]].empty() && !SetDate(f[col[6]], s->mutable_established_on())) {
    s->mutable_established_on()->set_year(-1);  // refused by the registry, naming the field
  }
  s->mutable_industry()->set_code(f[col[7]]);
  s->mutable_registration_region()->set_code(f[col[8]]);
  s->mutable_business_address()->mutable_region()->set_code(f[col[9]]);
  s->mutable_business_address()->set_detail(f[col[10]]);
  double lat = 0, lon = 0;
  if (absl::SimpleAtod(f[col[11]], &lat) && absl::SimpleAtod(f[col[12]], &lon)) {
    s->mutable_location()->set_latitude(lat);
    s->mutable_location()->set_longitude(lon);
  }
  s->set_business_scope(f[col[13]]);
  for (absl::string_view tag : absl::StrSplit(f[col[14]], ';', absl::SkipEmpty())) {
    s->add_tags(std::string(tag));
  }
  return row;
}

int Import(const std::string& path) {
  auto records = ReadCsvFile(path);
  if (!records.ok() || records->empty()) {
    std::fprintf(stderr, "jgctl: %s\n", records.ok() ? "empty file" : std::string(records.status().message()).c_str());
    return 1;
  }
  auto col = CsvColumns((*records)[0],
                        {"uscc", "name", "type", "legal_representative", "id_number",
                         "registered_capital_fen", "established_on", "industry",
                         "registration_region", "business_region", "business_address", "latitude",
                         "longitude", "business_scope", "tags"},
                        path);
  if (!col.ok()) {
    std::fprintf(stderr, "jgctl: %s\n", std::string(col.status().message()).c_str());
    return 1;
  }
  auto stub = Registry();
  grpc::ClientContext context;
  Identify(context);
  auto stream = stub->ImportSubjects(&context);
  const size_t total = records->size() - 1;
  const size_t batch = std::max(1, absl::GetFlag(FLAGS_batch));
  // Batches are written ahead by one thread while this one reads the answers.
  std::thread writer([&] {
    for (size_t i = 1; i < records->size(); i += batch) {
      v1::ImportSubjectsRequest request;
      for (size_t j = i; j < std::min(records->size(), i + batch); ++j) {
        *request.add_rows() = ToRow((*records)[j], *col);
      }
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
  });
  const absl::Time start = absl::Now();
  int64_t accepted = 0, unchanged = 0, refused = 0;
  v1::ImportSubjectsResponse answer;
  while (stream->Read(&answer)) {
    accepted += answer.accepted();
    unchanged += answer.unchanged();
    refused += answer.errors_size();
    for (const auto& error : answer.errors()) {
      for (const auto& v : error.violations()) {
        std::fprintf(stderr, "\nrow %lld: %s: %s", static_cast<long long>(error.row_number()),
                     v.field().c_str(), v.description().c_str());
      }
    }
    const int64_t done = accepted + unchanged + refused;
    std::fprintf(stderr, "\rimported %lld/%zu rows: %lld accepted, %lld unchanged, %lld refused, %.0f rows/s ",
                 static_cast<long long>(done), total, static_cast<long long>(accepted),
                 static_cast<long long>(unchanged), static_cast<long long>(refused),
                 done / std::max(1e-3, absl::ToDoubleSeconds(absl::Now() - start)));
  }
  writer.join();
  std::fprintf(stderr, "\n");
  const grpc::Status status = stream->Finish();
  if (!status.ok()) return Fail(status);
  // Every row gets a verdict; fewer means the stream broke (an answer that did not parse
  // ends it as well), and a silent exit 0 would claim rows that were never confirmed.
  if (const int64_t done = accepted + unchanged + refused; done != static_cast<int64_t>(total)) {
    std::fprintf(stderr,
                 "jgctl: the import stream ended with %lld of %zu rows answered; the rest may "
                 "not be stored (run the import again: unchanged rows are left alone)\n",
                 static_cast<long long>(done), total);
    return 1;
  }
  return refused == 0 ? 0 : 1;
}

}  // namespace

int Subjects(const std::vector<std::string>& args) {
  const std::string verb = args.empty() ? "" : args[0];
  if (verb == "public-list" || verb == "public-get") return Public(args);
  auto stub = Registry();
  grpc::ClientContext context;
  Identify(context);
  if (verb == "import" && args.size() == 2) return Import(args[1]);
  if (verb == "get" && args.size() == 2) {
    v1::GetSubjectRequest request;
    request.set_uscc(args[1]);
    v1::Subject subject;
    if (auto s = stub->GetSubject(&context, request, &subject); !s.ok()) return Fail(s);
    std::printf("%s", subject.DebugString().c_str());
    return 0;
  }
  if (verb == "list" && args.size() == 1) {
    v1::ListSubjectsRequest request;
    request.mutable_filter()->set_region_prefix(absl::GetFlag(FLAGS_region_prefix));
    request.mutable_filter()->set_industry_prefix(absl::GetFlag(FLAGS_industry_prefix));
    request.mutable_filter()->set_name_prefix(absl::GetFlag(FLAGS_name_prefix));
    request.mutable_filter()->set_tag(absl::GetFlag(FLAGS_tag));
    request.mutable_page()->set_page_size(absl::GetFlag(FLAGS_page_size));
    v1::ListSubjectsResponse response;
    if (auto s = stub->ListSubjects(&context, request, &response); !s.ok()) return Fail(s);
    for (const auto& subject : response.subjects()) PrintSubject(subject);
    if (!response.page().next_page_token().empty()) {
      std::printf("next page token: %s\n", response.page().next_page_token().c_str());
    }
    return 0;
  }
  if (verb == "profile" && args.size() == 2) {
    v1::GetSubjectProfileRequest request;
    request.set_uscc(args[1]);
    request.mutable_page()->set_page_size(absl::GetFlag(FLAGS_page_size));
    v1::GetSubjectProfileResponse response;
    if (auto s = stub->GetSubjectProfile(&context, request, &response); !s.ok()) return Fail(s);
    PrintSubject(response.subject());
    for (const auto& e : response.timeline()) {
      std::printf("  %s  %-18s %s\n", e.time().ShortDebugString().c_str(), e.source().c_str(),
                  e.summary().c_str());
    }
    return 0;
  }
  std::fprintf(stderr,
               "usage: jgctl subjects import FILE.csv | get USCC | list [--region_prefix P] | "
               "profile USCC | public-list abnormal|serious | public-get USCC\n");
  return 2;
}

}  // namespace jianguan::jgctl
