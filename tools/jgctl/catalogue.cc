// jgctl items | forms | inspectors | applicable | catalogue import: read the catalogue and
// load a catalogue file into it (--catalogue, env JG_GRPC_TARGET).
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/catalogue/v1/catalogue.grpc.pb.h"
#include "libs/core/string_view_compat.h"
#include "tools/jgctl/client.h"
#include "tools/jgctl/commands.h"
#include "tools/jgctl/flags.h"

#include <fstream>
#include <sstream>

ABSL_FLAG(std::string, catalogue, "127.0.0.1:7101", "catalogue address (env JG_GRPC_TARGET)");
ABSL_FLAG(std::string, dept, "", "items/forms/inspectors: only this department");
ABSL_FLAG(std::string, item, "", "inspectors: only those authorised for this item code");
ABSL_FLAG(std::string, on, "", "inspectors: only those available on this date (YYYY-MM-DD)");
ABSL_FLAG(std::string, subject_type, "enterprise",
          "applicable: enterprise, individual_business, farmers_cooperative, natural_person, "
          "public_institution");
ABSL_FLAG(std::string, industry, "", "applicable: GB/T 4754-2017 code");
ABSL_FLAG(std::string, region, "", "applicable: GB/T 2260 code");
ABSL_FLAG(std::vector<std::string>, licences, {}, "applicable: licence kinds held");
ABSL_FLAG(std::vector<std::string>, tags, {}, "applicable: supervision tags");

namespace jianguan::jgctl {
namespace {

namespace v1 = ::jianguan::catalogue::v1;

std::unique_ptr<v1::Catalogue::Stub> Stub() {
  return v1::Catalogue::NewStub(Connect(absl::GetFlag(FLAGS_catalogue), "127.0.0.1:7101"));
}

// Calls a List method page by page, printing each page with `print`.
template <typename Request, typename Response, typename Call, typename Print>
int ListAll(Request request, Call call, Print print) {
  auto stub = Stub();
  do {
    grpc::ClientContext context;
    Identify(context);
    Response response;
    if (auto status = call(*stub, context, request, response); !status.ok()) return Fail(status);
    print(response);
    request.mutable_page()->set_page_token(response.page().next_page_token());
  } while (!request.page().page_token().empty());
  return 0;
}

int Import(const std::string& path) {
  std::string content;
  if (!ReadWholeFile(path, &content)) return 1;
  v1::ImportCatalogueRequest request;
  request.set_request_id("import-" + std::to_string(std::hash<std::string>()(content)));
  request.set_format(path.size() > 4 && path.substr(path.size() - 4) == ".csv"
                         ? v1::IMPORT_FORMAT_INSPECTORS_CSV
                         : v1::IMPORT_FORMAT_JSON);
  request.set_content(content);
  grpc::ClientContext context;
  Identify(context);
  v1::ImportCatalogueResponse response;
  if (auto status = Stub()->ImportCatalogue(&context, request, &response); !status.ok()) {
    return Fail(status);
  }
  for (const auto& row : response.rows()) {
    if (!row.error().empty()) std::printf("%s refused: %s\n", row.row().c_str(), row.error().c_str());
  }
  std::printf("%s: %d applied, %d refused\n", path.c_str(), response.applied(), response.refused());
  return response.refused() == 0 ? 0 : 1;
}

int Items() {
  v1::ListItemsRequest request;
  request.set_department(absl::GetFlag(FLAGS_dept));
  return ListAll<v1::ListItemsRequest, v1::ListItemsResponse>(
      request,
      [](auto& stub, auto& context, const auto& r, auto& out) { return stub.ListItems(&context, r, &out); },
      [](const v1::ListItemsResponse& response) {
        for (const auto& view : response.items()) {
          std::printf("%-12s v%-3d %-10s %s\n", view.item().code().c_str(), view.item().version(),
                      v1::LifecycleState_Name(view.lifecycle().state()).substr(16).c_str(),
                      view.item().name().c_str());
        }
      });
}

int Forms() {
  v1::ListFormsRequest request;
  request.set_department(absl::GetFlag(FLAGS_dept));
  return ListAll<v1::ListFormsRequest, v1::ListFormsResponse>(
      request,
      [](auto& stub, auto& context, const auto& r, auto& out) { return stub.ListForms(&context, r, &out); },
      [](const v1::ListFormsResponse& response) {
        for (const auto& view : response.forms()) {
          std::printf("%-14s v%-3d %3d check points  %s\n", view.form().code().c_str(),
                      view.form().version(), view.form().check_points_size(),
                      view.form().name().c_str());
        }
      });
}

int Inspectors() {
  v1::ListInspectorsRequest request;
  request.set_department(absl::GetFlag(FLAGS_dept));
  request.set_authorised_item(absl::GetFlag(FLAGS_item));
  if (const std::string on = absl::GetFlag(FLAGS_on); !on.empty()) {
    std::vector<std::string> parts = absl::StrSplit(on, '-');
    if (parts.size() != 3) {
      std::fprintf(stderr, "jgctl: --on takes YYYY-MM-DD\n");
      return 2;
    }
    request.mutable_available_on()->set_year(std::atoi(parts[0].c_str()));
    request.mutable_available_on()->set_month(std::atoi(parts[1].c_str()));
    request.mutable_available_on()->set_day(std::atoi(parts[2].c_str()));
  }
  return ListAll<v1::ListInspectorsRequest, v1::ListInspectorsResponse>(
      request,
      [](auto& stub, auto& context, const auto& r, auto& out) {
        return stub.ListInspectors(&context, r, &out);
      },
      [](const v1::ListInspectorsResponse& response) {
        for (const auto& i : response.inspectors()) {
          const auto& until = i.certificate().valid_until();
          std::printf("%s  %-12s %-14s until %04d-%02d-%02d %-9s %s\n", i.id().c_str(),
                      i.department().code().c_str(), i.certificate().number().c_str(),
                      until.year(), until.month(), until.day(),
                      v1::InspectorStatus_Name(i.status()).substr(17).c_str(), i.name().c_str());
        }
      });
}

int Applicable() {
  v1::ListApplicableItemsRequest request;
  v1::SubjectAttributes* subject = request.mutable_subject();
  std::string type = absl::GetFlag(FLAGS_subject_type);
  for (char& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  v1::SubjectType parsed;
  if (!v1::SubjectType_Parse("SUBJECT_TYPE_" + type, &parsed)) {
    std::fprintf(stderr, "jgctl: unknown --subject_type\n");
    return 2;
  }
  subject->set_type(parsed);
  subject->mutable_industry()->set_code(absl::GetFlag(FLAGS_industry));
  subject->mutable_region()->set_code(absl::GetFlag(FLAGS_region));
  for (const auto& l : absl::GetFlag(FLAGS_licences)) subject->add_licence_kinds(l);
  for (const auto& t : absl::GetFlag(FLAGS_tags)) subject->add_tags(t);
  grpc::ClientContext context;
  Identify(context);
  v1::ListApplicableItemsResponse response;
  if (auto status = Stub()->ListApplicableItems(&context, request, &response); !status.ok()) {
    return Fail(status);
  }
  for (const auto& item : response.items()) {
    std::string departments;
    for (const auto& d : item.departments()) departments += d.code() + " ";
    std::printf("%-12s v%-3d %-36s %s\n", item.code().c_str(), item.version(), departments.c_str(),
                item.name().c_str());
  }
  return 0;
}

}  // namespace

int Catalogue(const std::vector<std::string>& args) {
  const std::string& command = args.at(0);
  if (command == "items") return Items();
  if (command == "forms") return Forms();
  if (command == "inspectors") return Inspectors();
  if (command == "applicable") return Applicable();
  if (command == "catalogue" && args.size() == 3 && args[1] == "import") return Import(args[2]);
  std::fprintf(stderr, "jgctl: usage: catalogue import FILE.json|FILE.csv\n");
  return 2;
}

}  // namespace jianguan::jgctl
