#include "services/risk/risk_service.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "jianguan/risk/v1/events.pb.h"
#include "libs/core/civil_date.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/core/timestamps.h"
#include "libs/core/uscc.h"
#include "libs/core/actor.h"
#include "libs/server/grpc_status.h"
#include "libs/server/identity.h"
#include "libs/server/serve.h"
#include "libs/server/wire_text.h"
#include "libs/write/import_rows.h"
#include "libs/write/paging.h"
#include "services/risk/domain/alert_access.h"
#include "services/risk/risk_metrics.h"

namespace jianguan::risk {
namespace {

constexpr int kMaxAttempts = 4;

// 1–64 characters of [A-Za-z0-9._-]: device ids and metrics.
bool IsIdentifier(std::string_view text) {
  return !text.empty() && text.size() <= 64 &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
         });
}

absl::CivilDay BeijingDay(absl::Time time) { return absl::ToCivilDay(time, BeijingTime()); }

// A row that passed its checks.
struct CheckedRow {
  int64_t row_number = 0;
  Reading reading;
};

void CheckReasonText(FieldViolations& v, std::string_view reason) {
  CheckText(v, "reason", reason, {.required = true, .max_chars = 500});
}

absl::Status CheckExpectedVersion(const v1::Alert& alert, int64_t expected) {
  if (expected != 0 && expected != alert.summary().version()) {
    return FailedPrecondition(alert.summary().name(),
                              absl::StrCat("is at version ", alert.summary().version(),
                                           ", not the expected ", expected, ": read it again"));
  }
  return absl::OkStatus();
}

absl::Status CheckAlertName(std::string_view name) {
  const std::string id = AlertIdOf(name);
  if (id.empty() || id.size() > 100 ||
      !std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-';
      })) {
    return InvalidField("name", "must be alerts/{id}, the id of [A-Za-z0-9-], at most 100");
  }
  return absl::OkStatus();
}

}  // namespace

RiskService::RiskService(store::Store& store, const RiskEngine& engine, const Clock& clock,
                         RiskMetrics* metrics)
    : records_(store), engine_(engine), clock_(clock), metrics_(metrics), writes_(store, clock) {}

// --- readings ---------------------------------------------------------------------------

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* RiskService::SendReadings(
    grpc::CallbackServerContext* context) {
  return RawBatchReactor::OneStage(context, [this](const Caller& caller, std::string_view batch)
                                                -> absl::StatusOr<std::string> {
    auto answer = ReadingsBatch(caller, batch);
    if (!answer.ok()) return answer.status();
    return answer->SerializeAsString();
  });
}

absl::StatusOr<v1::SendReadingsResponse> RiskService::ReadingsBatch(const Caller& caller,
                                                                    std::string_view batch) {
  v1::SendReadingsResponse answer;
  const auto refuse = [&](int64_t row_number, const FieldViolations& violations) {
    v1::ReadingError* error = answer.add_errors();
    error->set_row_number(row_number);
    AddRowViolations(*error, violations.violations());
  };
  std::vector<v1::ReadingRow> rows;
  int row_index = 0;
  const bool well_formed = ForEachField(
      batch,
      [&](int number, std::string_view bytes) {
        if (number != 1) return;  // SendReadingsRequest.rows
        const int index = row_index++;
        if (index >= kMaxReadingRows) return;
        absl::StatusOr<v1::ReadingRow> row = ParseRequest<v1::ReadingRow>(bytes);
        if (row.ok()) {
          rows.push_back(*std::move(row));
          return;
        }
        const int64_t row_number = RowNumberOf(bytes);
        v1::ReadingError* error = answer.add_errors();
        // Without a readable row number the row is named by its place: -1 for the first.
        error->set_row_number(row_number != 0 ? row_number : -(index + 1));
        AddRowViolations(*error, row.status());
      },
      [](int, uint64_t) {});
  if (!well_formed) return InvalidField("rows", "the batch is not a valid message");
  if (row_index > kMaxReadingRows) {
    return InvalidField("rows", absl::StrCat("a batch holds at most ", kMaxReadingRows, " rows"));
  }
  for (const v1::ReadingRow& row : rows) {
    answer.set_last_row_number(std::max(answer.last_row_number(), row.row_number()));
  }

  // The rows' own checks and their devices (read once per batch).
  const absl::Time now = clock_.Now();
  std::map<std::string, std::optional<v1::Device>> devices;
  std::vector<CheckedRow> checked;
  for (const v1::ReadingRow& row : rows) {
    FieldViolations v;
    const v1::Reading& r = row.reading();
    if (row.row_number() < 1) v.Add("row_number", "must be at least 1");
    const v1::Device* device = nullptr;
    if (!IsIdentifier(r.device_id())) {
      v.Add("reading.device_id", "must be 1–64 characters of [A-Za-z0-9._-]");
    } else {
      auto [it, fresh] = devices.try_emplace(r.device_id());
      if (fresh) {
        ASSIGN_OR_RETURN(it->second, records_.FindDevice(r.device_id()));
      }
      if (!it->second) {
        v.Add("reading.device_id", absl::StrCat(r.device_id(), " is not a registered device"));
      } else {
        device = &*it->second;
      }
    }
    if (!ValidateUscc(r.uscc()).ok()) {
      v.Add("reading.uscc", "is not a valid USCC");
    } else if (device != nullptr && device->uscc() != r.uscc()) {
      v.Add("reading.uscc", absl::StrCat("device ", device->device_id(), " belongs to ",
                                         device->uscc(), ", not ", r.uscc()));
    }
    if (!IsIdentifier(r.metric())) {
      v.Add("reading.metric", "must be 1–64 characters of [A-Za-z0-9._-]");
    } else if (device != nullptr && std::find(device->metrics().begin(), device->metrics().end(),
                                              r.metric()) == device->metrics().end()) {
      v.Add("reading.metric",
            absl::StrCat(r.metric(), " is not a metric of device ", device->device_id()));
    }
    if (!std::isfinite(r.value())) v.Add("reading.value", "must be a finite number");
    CheckText(v, "reading.unit", r.unit(), {.required = true, .max_chars = 16});
    const absl::Time measured = FromTimestamp(r.measure_time());
    if (!r.has_measure_time() || r.measure_time().seconds() < 946684800 /* 2000-01-01 */) {
      v.Add("reading.measure_time", "must be set, on or after 2000-01-01");
    } else if (measured > now + kReadingFutureSlack) {
      v.Add("reading.measure_time",
            absl::StrCat("lies in the future (", absl::FormatTime(absl::RFC3339_sec, measured,
                                                                   absl::UTCTimeZone()),
                         "; the service's clock reads ",
                         absl::FormatTime(absl::RFC3339_sec, now, absl::UTCTimeZone()), ")"));
    }
    if (!v.empty()) {
      refuse(row.row_number(), v);
      continue;
    }
    checked.push_back({row.row_number(),
                       Reading{.device_id = r.device_id(), .uscc = r.uscc(), .metric = r.metric(),
                               .value = r.value(), .unit = r.unit(), .time = measured}});
  }
  // Rules see each device's readings in time order, whatever order the batch had.
  std::stable_sort(checked.begin(), checked.end(), [](const CheckedRow& a, const CheckedRow& b) {
    return a.reading.time < b.reading.time;
  });
  const int64_t refused = answer.errors_size();
  std::lock_guard one_batch_at_a_time(readings_mu_);
  for (int attempt = 1;; ++attempt) {
    store::UnitOfWork work;
    RiskTx tx(records_.store(), work);
    int64_t accepted = 0;
    int64_t duplicates = 0;
    for (const CheckedRow& row : checked) {
      ASSIGN_OR_RETURN(bool stored, engine_.OnReading(tx, row.reading, now));
      ++(stored ? accepted : duplicates);
    }
    answer.set_accepted(accepted);
    answer.set_duplicates(duplicates);
    if (work.empty()) break;
    absl::Status committed = writes_.CommitImport(
        work,
        {.caller = caller,
         .method = methods_("SendReadings"),
         .resource = absl::StrCat("readings (", accepted, " rows up to row ",
                                  answer.last_row_number(), ")")},
        store::Sha256Hex(batch));
    if (committed.ok()) break;
    // Another writer (the consumer, the ticker) changed a state or alert read here.
    if (!absl::IsFailedPrecondition(committed) || attempt >= kMaxAttempts) return committed;
  }
  if (metrics_ != nullptr) metrics_->CountReadings(answer.accepted(), answer.duplicates(), refused);
  return answer;
}

// --- devices ----------------------------------------------------------------------------

grpc::Status RiskService::RegisterDevice(grpc::ServerContext* context,
                                         const v1::RegisterDeviceRequest* request,
                                         v1::Device* response) {
  return Serve(context, response, [&](const Caller& c) { return DoRegisterDevice(c, *request); });
}

absl::StatusOr<v1::Device> RiskService::DoRegisterDevice(const Caller& caller,
                                                         const v1::RegisterDeviceRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  const v1::Device& device = request.device();
  if (!IsIdentifier(device.device_id())) {
    v.Add("device.device_id", "must be 1–64 characters of [A-Za-z0-9._-]");
  }
  if (!ValidateUscc(device.uscc()).ok()) v.Add("device.uscc", "is not a valid USCC");
  CheckText(v, "device.description", device.description(), {.required = true, .max_chars = 200});
  if (device.metrics().empty() || device.metrics_size() > 20) {
    v.Add("device.metrics", "must name 1–20 metrics");
  }
  std::set<std::string> metrics;
  for (int i = 0; i < device.metrics_size(); ++i) {
    const std::string field = absl::StrCat("device.metrics[", i, "]");
    if (!IsIdentifier(device.metrics(i))) {
      v.Add(field, "must be 1–64 characters of [A-Za-z0-9._-]");
    } else if (!metrics.insert(device.metrics(i)).second) {
      v.Add(field, absl::StrCat(device.metrics(i), " is named twice"));
    }
  }
  RETURN_IF_ERROR(v.ToStatus());
  const std::string name = absl::StrCat("devices/", device.device_id());
  return writes_.Write<v1::Device>(
      {.caller = caller,
       .method = methods_("RegisterDevice"),
       .request_id = request.request_id(),
       .request = request},
      [&]() -> absl::StatusOr<Decision<v1::Device>> {
        Decision<v1::Device> d{.resource = name};
        RiskTx tx(records_.store(), d.work);
        ASSIGN_OR_RETURN(std::optional<v1::Device> stored,
                         tx.Read<v1::Device>(kDevicesFamily, device.device_id()));
        if (stored && stored->uscc() != device.uscc()) {
          return FailedPrecondition(name, absl::StrCat("belongs to ", stored->uscc(),
                                                       "; a device never changes subject: "
                                                       "register a new one"));
        }
        v1::Device next = device;
        next.set_version(stored ? stored->version() + 1 : 1);
        *next.mutable_update_time() = ToTimestamp(clock_.Now());
        if (stored) {
          v1::Device same = *stored;
          same.set_version(next.version());
          *same.mutable_update_time() = next.update_time();
          if (same.SerializeAsString() == next.SerializeAsString()) {
            d.response = *stored;  // nothing changed
            return d;
          }
        }
        tx.Put(kDevicesFamily, device.device_id(), next.SerializeAsString());
        tx.Put(kDevicesBySubjectFamily, absl::StrCat(device.uscc(), "/", device.device_id()), "");
        d.response = next;
        return d;
      });
}

grpc::Status RiskService::ListDevices(grpc::ServerContext* context,
                                      const v1::ListDevicesRequest* request,
                                      v1::ListDevicesResponse* response) {
  return ServeRead(context, response, [&] { return DoListDevices(*request); });
}

absl::StatusOr<v1::ListDevicesResponse> RiskService::DoListDevices(
    const v1::ListDevicesRequest& request) const {
  if (!request.uscc().empty() && !ValidateUscc(request.uscc()).ok()) {
    return InvalidField("uscc", "is not a valid USCC");
  }
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page(), "page.page_size"));
  v1::ListDevicesResponse out;
  const bool by_subject = !request.uscc().empty();
  absl::StatusOr<store::Page> page =
      records_.store().Scan(by_subject ? kDevicesBySubjectFamily : kDevicesFamily,
                            by_subject ? absl::StrCat(request.uscc(), "/") : "", page_size,
                            request.page().page_token());
  if (!page.ok()) return page.status();
  for (const store::Entry& entry : page->entries) {
    if (by_subject) {
      const std::string id = entry.key.substr(request.uscc().size() + 1);
      ASSIGN_OR_RETURN(std::optional<v1::Device> device, records_.FindDevice(id));
      if (device) *out.add_devices() = *std::move(device);
    } else if (!out.add_devices()->ParseFromString(entry.value)) {
      return absl::DataLossError("stored device does not parse: " + entry.key);
    }
  }
  out.set_next_page_token(page->next_page_token);
  return out;
}

grpc::Status RiskService::ListReadings(grpc::ServerContext* context,
                                       const v1::ListReadingsRequest* request,
                                       v1::ListReadingsResponse* response) {
  return ServeRead(context, response, [&] { return DoListReadings(*request); });
}

absl::StatusOr<v1::ListReadingsResponse> RiskService::DoListReadings(
    const v1::ListReadingsRequest& request) const {
  FieldViolations v;
  if (!IsIdentifier(request.device_id())) {
    v.Add("device_id", "must be 1–64 characters of [A-Za-z0-9._-]");
  }
  if (!IsIdentifier(request.metric())) v.Add("metric", "must be 1–64 characters of [A-Za-z0-9._-]");
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(std::optional<v1::Device> device, records_.FindDevice(request.device_id()));
  if (!device) return ResourceNotFound(absl::StrCat("devices/", request.device_id()));
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page(), "page.page_size"));
  const std::string prefix = absl::StrCat(request.device_id(), "/", request.metric(), "/");
  std::string token = request.page().page_token();
  if (token.empty() && request.has_start_time()) {
    // Start just before the first key at start_time.
    const std::string first = ReadingKey(request.device_id(), request.metric(),
                                         FromTimestamp(request.start_time()));
    token = store::Store::PageTokenAfter(first.substr(0, first.size() - 1));
  }
  absl::StatusOr<store::Page> page = records_.store().Scan(kReadingsFamily, prefix, page_size, token);
  if (!page.ok()) return page.status();
  v1::ListReadingsResponse out;
  const std::optional<absl::Time> end =
      request.has_end_time() ? std::optional(FromTimestamp(request.end_time())) : std::nullopt;
  for (const store::Entry& entry : page->entries) {
    int64_t micros = 0;
    if (!absl::SimpleAtoi(AbslView(std::string_view(entry.key).substr(prefix.size())), &micros)) {
      return absl::DataLossError("stored reading key is malformed: " + entry.key);
    }
    const absl::Time time = absl::FromUnixMicros(micros);
    if (request.has_start_time() && time < FromTimestamp(request.start_time())) continue;
    if (end && time >= *end) {
      page->next_page_token.clear();
      break;
    }
    ASSIGN_OR_RETURN(auto value, ParseReadingValue(entry.value));
    v1::Reading& reading = *out.add_readings();
    reading.set_device_id(request.device_id());
    reading.set_uscc(device->uscc());
    reading.set_metric(request.metric());
    reading.set_value(value.first);
    reading.set_unit(value.second);
    *reading.mutable_measure_time() = ToTimestamp(time);
  }
  out.set_next_page_token(page->next_page_token);
  return out;
}

// --- alerts -----------------------------------------------------------------------------

grpc::ServerUnaryReactor* RiskService::GetAlert(grpc::CallbackServerContext* context,
                                                const v1::GetAlertRequest* request,
                                                v1::Alert* response) {
  return ServeUnary(context, response,
                    [&](const Caller& caller) { return DoGetAlert(caller, *request); });
}

absl::StatusOr<v1::Alert> RiskService::DoGetAlert(const Caller& caller,
                                                  const v1::GetAlertRequest& request) const {
  RETURN_IF_ERROR(CheckAlertName(request.name()));
  ASSIGN_OR_RETURN(std::optional<v1::Alert> alert, records_.FindAlert(AlertIdOf(request.name())));
  if (!alert) return ResourceNotFound(request.name());
  RETURN_IF_ERROR(CheckAlertReadable(caller, *alert));
  return *std::move(alert);
}

grpc::Status RiskService::ListAlerts(grpc::ServerContext* context,
                                     const v1::ListAlertsRequest* request,
                                     v1::ListAlertsResponse* response) {
  return Serve(context, response,
               [&](const Caller& caller) { return DoListAlerts(caller, *request); });
}

absl::StatusOr<v1::ListAlertsResponse> RiskService::DoListAlerts(
    const Caller& caller, const v1::ListAlertsRequest& request) const {
  FieldViolations v;
  CheckText(v, "department", request.department(), {.max_chars = 40});
  if (!v1::AlertState_IsValid(request.state())) v.Add("state", "is not an AlertState");
  if (!request.uscc().empty() && !ValidateUscc(request.uscc()).ok()) {
    v.Add("uscc", "is not a valid USCC");
  }
  CheckText(v, "rule", request.rule(), {.max_chars = 64});
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page(), "page.page_size"));
  // "Every department" is every alert for the role oversight, and the caller's own
  // department's otherwise: its index holds every alert it may read, so nothing else is
  // scanned. Whatever is scanned, only the alerts the caller may read are kept.
  std::string department = request.department();
  if (department.empty() && request.uscc().empty() && !caller.HasRole(roles::kOversight)) {
    department = caller.department;
  }
  const bool by_department = !department.empty();
  // Alert ids start with the subject's USCC, so a subject's alerts are one prefix.
  const std::string prefix = by_department ? absl::StrCat(department, "/") : request.uscc();
  const auto wanted = [&](const v1::Alert& alert) {
    const v1::AlertSummary& s = alert.summary();
    // The index keeps a department an alert was re-routed away from; it is no longer its.
    return MayReadAlert(caller, alert) &&
           (!by_department || ConcernsDepartment(alert, department)) &&
           (request.state() == v1::ALERT_STATE_UNSPECIFIED || s.state() == request.state()) &&
           (request.uscc().empty() || s.uscc() == request.uscc()) &&
           (request.rule().empty() || s.rule() == request.rule());
  };
  v1::ListAlertsResponse out;
  std::string token = request.page().page_token();
  // Filters leave pages short; walk on until the page is full or the scan ends.
  while (out.alerts_size() < page_size) {
    absl::StatusOr<store::Page> page = records_.store().Scan(
        by_department ? kAlertsByDeptFamily : kAlertsFamily, prefix, page_size, token);
    if (!page.ok()) return page.status();
    for (const store::Entry& entry : page->entries) {
      v1::Alert alert;
      if (by_department) {
        ASSIGN_OR_RETURN(std::optional<v1::Alert> found,
                         records_.FindAlert(entry.key.substr(prefix.size())));
        if (!found) continue;
        alert = *std::move(found);
      } else if (!alert.ParseFromString(entry.value)) {
        return absl::DataLossError("stored alert does not parse: " + entry.key);
      }
      if (wanted(alert)) *out.add_alerts() = std::move(alert);
      token = store::Store::PageTokenAfter(entry.key);
      if (out.alerts_size() >= page_size) break;
    }
    if (page->next_page_token.empty() && out.alerts_size() < page_size) {
      token.clear();
      break;
    }
  }
  out.set_next_page_token(token);
  return out;
}

template <typename Step>
absl::StatusOr<v1::Alert> RiskService::AlertWrite(const Caller& caller, std::string_view method,
                                                  std::string_view request_id,
                                                  const google::protobuf::Message& request,
                                                  std::string_view name, int64_t expected_version,
                                                  bool readers_only, Step&& step) {
  const std::string id = AlertIdOf(name);
  for (int attempt = 1;; ++attempt) {
    bool decided = false;
    absl::StatusOr<v1::Alert> written = writes_.Write<v1::Alert>(
        {.caller = caller, .method = methods_(method), .request_id = request_id, .request = request},
        [&]() -> absl::StatusOr<Decision<v1::Alert>> {
          Decision<v1::Alert> d{.resource = std::string(name)};
          RiskTx tx(records_.store(), d.work);
          ASSIGN_OR_RETURN(std::optional<v1::Alert> before, tx.Read<v1::Alert>(kAlertsFamily, id));
          if (!before) return ResourceNotFound(name);
          if (readers_only) RETURN_IF_ERROR(CheckAlertReadable(caller, *before));
          RETURN_IF_ERROR(CheckExpectedVersion(*before, expected_version));
          v1::Alert after = *before;
          const absl::Time now = clock_.Now();
          ASSIGN_OR_RETURN(std::unique_ptr<google::protobuf::Message> event, step(tx, after, now));
          if (after.summary().version() != before->summary().version()) {
            RETURN_IF_ERROR(engine_.SaveChangedAlert(tx, *before, after, event.get(), now));
          }
          d.response = after;
          decided = true;
          return d;
        });
    // A failed precondition after the step decided is a concurrent change: run it again.
    if (decided && absl::IsFailedPrecondition(written.status()) && attempt < kMaxAttempts) continue;
    return written;
  }
}

grpc::Status RiskService::DispatchAlert(grpc::ServerContext* context,
                                        const v1::DispatchAlertRequest* request,
                                        v1::Alert* response) {
  return Serve(context, response, [&](const Caller& c) { return DoDispatchAlert(c, *request); });
}

absl::StatusOr<v1::Alert> RiskService::DoDispatchAlert(const Caller& caller,
                                                       const v1::DispatchAlertRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  if (absl::Status name = CheckAlertName(request.name()); !name.ok()) v.Add("name", StdView(name.message()));
  CheckText(v, "department", request.department(), {.required = true, .max_chars = 40});
  if (request.items().empty() || request.items_size() > 50) v.Add("items", "must name 1–50 items");
  for (int i = 0; i < request.items_size(); ++i) {
    CheckText(v, absl::StrCat("items[", i, "].code"), request.items(i).code(),
              {.required = true, .max_chars = 40});
  }
  CheckReasonText(v, request.reason());
  RETURN_IF_ERROR(v.ToStatus());
  return AlertWrite(
      caller, "DispatchAlert", request.request_id(), request, request.name(),
      request.expected_version(), /*readers_only=*/false,
      [&](RiskTx& tx, v1::Alert& alert,
          absl::Time now) -> absl::StatusOr<std::unique_ptr<google::protobuf::Message>> {
        // The department and items must be the catalogue's, as projected here.
        ASSIGN_OR_RETURN(std::optional<catalogue::v1::Department> department,
                         tx.Read<catalogue::v1::Department>(kDepartmentsFamily,
                                                            request.department()));
        if (!department || department->status() != catalogue::v1::DEPARTMENT_STATUS_ACTIVE) {
          return InvalidField("department", absl::StrCat(request.department(),
                                                         " is not an active department of the "
                                                         "catalogue"));
        }
        Routing routing{.department = request.department(),
                        .region_code = alert.region_code()};
        for (int i = 0; i < request.items_size(); ++i) {
          ASSIGN_OR_RETURN(std::optional<catalogue::v1::RegulatoryItem> item,
                           tx.Read<catalogue::v1::RegulatoryItem>(kItemsFamily,
                                                                  request.items(i).code()));
          if (!item) {
            return InvalidField(absl::StrCat("items[", i, "].code"),
                                absl::StrCat(request.items(i).code(),
                                             " is not an item in force in the catalogue"));
          }
          v1::AlertItem& ref = routing.items.emplace_back();
          ref.set_code(item->code());
          ref.set_version(item->version());
        }
        if (routing.region_code.empty()) {
          ASSIGN_OR_RETURN(v1::SubjectRecord subject, engine_.SubjectOf(tx, alert.summary().uscc()));
          routing.region_code = subject.attributes().region().code();
        }
        if (alert.summary().state() != v1::ALERT_STATE_RAISED &&
            alert.summary().state() != v1::ALERT_STATE_DISPATCHED) {
          return FailedPrecondition(alert.summary().name(),
                                    absl::StrCat("is ", AbslView(StateName(alert.summary().state())),
                                                 ": only a RAISED or DISPATCHED alert is routed"));
        }
        const EngineContext& context = engine_.context();
        RETURN_IF_ERROR(Dispatch(alert, routing, context.policy, context.calendar, now));
        auto dispatched = std::make_unique<v1::AlertDispatched>();
        *dispatched->mutable_alert() = alert.summary();
        *dispatched->mutable_items() = alert.items();
        dispatched->set_reason(absl::StrCat(alert.reason(), "（人工分派：", request.reason(), "）"));
        dispatched->set_region_code(alert.region_code());
        *dispatched->mutable_accept_due_date() = alert.accept_due_date();
        *dispatched->mutable_close_due_date() = alert.close_due_date();
        *dispatched->mutable_actor() = ActorOf(caller);
        *dispatched->mutable_time() = ToTimestamp(now);
        return std::unique_ptr<google::protobuf::Message>(std::move(dispatched));
      });
}

grpc::Status RiskService::AcceptAlert(grpc::ServerContext* context,
                                      const v1::AcceptAlertRequest* request, v1::Alert* response) {
  return Serve(context, response, [&](const Caller& c) { return DoAcceptAlert(c, *request); });
}

absl::StatusOr<v1::Alert> RiskService::DoAcceptAlert(const Caller& caller,
                                                     const v1::AcceptAlertRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  if (absl::Status name = CheckAlertName(request.name()); !name.ok()) v.Add("name", StdView(name.message()));
  RETURN_IF_ERROR(v.ToStatus());
  return AlertWrite(
      caller, "AcceptAlert", request.request_id(), request, request.name(),
      request.expected_version(), /*readers_only=*/true,
      [&](RiskTx&, v1::Alert& alert,
          absl::Time now) -> absl::StatusOr<std::unique_ptr<google::protobuf::Message>> {
        RETURN_IF_ERROR(Accept(alert, caller.department, now));
        auto accepted = std::make_unique<v1::AlertAccepted>();
        *accepted->mutable_alert() = alert.summary();
        *accepted->mutable_actor() = ActorOf(caller);
        *accepted->mutable_time() = ToTimestamp(now);
        return std::unique_ptr<google::protobuf::Message>(std::move(accepted));
      });
}

grpc::Status RiskService::CloseAlert(grpc::ServerContext* context,
                                     const v1::CloseAlertRequest* request, v1::Alert* response) {
  return Serve(context, response, [&](const Caller& c) { return DoCloseAlert(c, *request); });
}

absl::StatusOr<v1::Alert> RiskService::DoCloseAlert(const Caller& caller,
                                                    const v1::CloseAlertRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  if (absl::Status name = CheckAlertName(request.name()); !name.ok()) v.Add("name", StdView(name.message()));
  if (request.outcome() != v1::ALERT_OUTCOME_DISMISSED &&
      request.outcome() != v1::ALERT_OUTCOME_NOT_INSPECTED) {
    v.Add("outcome", "must be ALERT_OUTCOME_DISMISSED or ALERT_OUTCOME_NOT_INSPECTED (an "
                     "inspection result closes the others)");
  }
  CheckReasonText(v, request.reason());
  RETURN_IF_ERROR(v.ToStatus());
  return AlertWrite(
      caller, "CloseAlert", request.request_id(), request, request.name(),
      request.expected_version(), /*readers_only=*/true,
      [&](RiskTx&, v1::Alert& alert,
          absl::Time now) -> absl::StatusOr<std::unique_ptr<google::protobuf::Message>> {
        RETURN_IF_ERROR(Close(alert, {.outcome = request.outcome(),
                                      .feedback = request.reason(),
                                      .caller_department = caller.department,
                                      .time = now}));
        auto closed = std::make_unique<v1::AlertClosed>();
        *closed->mutable_alert() = alert.summary();
        closed->set_outcome(alert.outcome());
        closed->set_feedback(alert.feedback());
        closed->set_on_time(alert.on_time());
        *closed->mutable_actor() = ActorOf(caller);
        *closed->mutable_time() = ToTimestamp(now);
        return std::unique_ptr<google::protobuf::Message>(std::move(closed));
      });
}

// --- risk levels, report, rule sets -----------------------------------------------------

grpc::ServerUnaryReactor* RiskService::GetSubjectRisk(grpc::CallbackServerContext* context,
                                                      const v1::GetSubjectRiskRequest* request,
                                                      v1::SubjectRisk* response) {
  return ServeUnary(context, response, [&](const Caller&) { return DoGetSubjectRisk(*request); });
}

absl::StatusOr<v1::SubjectRisk> RiskService::DoGetSubjectRisk(
    const v1::GetSubjectRiskRequest& request) const {
  if (!ValidateUscc(request.uscc()).ok()) return InvalidField("uscc", "is not a valid USCC");
  ASSIGN_OR_RETURN(std::optional<v1::SubjectRecord> subject, records_.FindSubject(request.uscc()));
  if (!subject || subject->risk().version() == 0) {
    return ResourceNotFound(absl::StrCat("subjects/", request.uscc(), "/risk"));
  }
  return subject->risk();
}

grpc::Status RiskService::GetAlertReport(grpc::ServerContext* context,
                                         const v1::AlertReportRequest* request,
                                         v1::AlertReport* response) {
  return ServeRead(context, response, [&] { return DoGetAlertReport(*request); });
}

absl::StatusOr<v1::AlertReport> RiskService::DoGetAlertReport(
    const v1::AlertReportRequest& request) const {
  FieldViolations v;
  CheckText(v, "department", request.department(), {.max_chars = 40});
  const std::optional<absl::CivilDay> from = ValidDayOf(request.from_date());
  const std::optional<absl::CivilDay> to = ValidDayOf(request.to_date());
  if (!from) v.Add("from_date", "is not a valid date");
  if (!to) v.Add("to_date", "is not a valid date");
  if (from && to && *to < *from) v.Add("to_date", "is before from_date");
  RETURN_IF_ERROR(v.ToStatus());
  const absl::Time now = clock_.Now();
  const absl::CivilDay today = BeijingDay(now);
  std::map<std::string, v1::DepartmentAlertFigures> figures;
  v1::AlertReport report;
  RETURN_IF_ERROR(records_.store().ForEach(
      kAlertsFamily, "", [&](std::string_view, std::string_view value) {
        v1::Alert alert;
        if (!alert.ParseFromString(std::string(value))) return true;
        const v1::AlertSummary& s = alert.summary();
        if (s.state() == v1::ALERT_STATE_RAISED) {
          const absl::CivilDay raised = BeijingDay(FromTimestamp(alert.raise_time()));
          if (raised >= *from && raised <= *to && !alert.routing_problem().empty()) {
            report.set_unrouted(report.unrouted() + 1);
          }
          return true;
        }
        if (!alert.has_dispatch_time()) return true;
        const absl::CivilDay dispatched = BeijingDay(FromTimestamp(alert.dispatch_time()));
        if (dispatched < *from || dispatched > *to) return true;
        const std::string& code = s.department().code();
        if (!request.department().empty() && code != request.department()) return true;
        v1::DepartmentAlertFigures& f = figures[code];
        f.mutable_department()->set_code(code);
        f.set_dispatched(f.dispatched() + 1);
        const absl::CivilDay accept_due = DayOf(alert.accept_due_date());
        const absl::CivilDay close_due = DayOf(alert.close_due_date());
        if (alert.has_accept_time() &&
            BeijingDay(FromTimestamp(alert.accept_time())) <= accept_due) {
          f.set_accepted_on_time(f.accepted_on_time() + 1);
        }
        if (s.state() == v1::ALERT_STATE_CLOSED) {
          if (alert.on_time()) {
            f.set_closed_on_time(f.closed_on_time() + 1);
          } else {
            f.set_closed_late(f.closed_late() + 1);
          }
        } else {
          f.set_open(f.open() + 1);
          const bool past_accept = s.state() == v1::ALERT_STATE_DISPATCHED && today > accept_due;
          if (past_accept || today > close_due) f.set_overdue_open(f.overdue_open() + 1);
        }
        if (!alert.escalations().empty()) f.set_escalated(f.escalated() + 1);
        return true;
      }));
  for (auto& [code, f] : figures) *report.add_departments() = std::move(f);
  // The share of high-risk subjects inspected in the period, in the department's region (of
  // jurisdiction, from the catalogue projection); unset when the department is not in it.
  std::optional<std::string> region = "";
  if (!request.department().empty()) {
    ASSIGN_OR_RETURN(std::optional<catalogue::v1::Department> department,
                     records_.store().GetMessage<catalogue::v1::Department>(
                         kDepartmentsFamily, request.department()));
    region = department ? std::optional<std::string>(department->region().code()) : std::nullopt;
  }
  if (region) {
    ASSIGN_OR_RETURN(*report.mutable_high_risk(), records_.HighRiskCoverageOf(*region, *from, *to));
  }
  *report.mutable_report_time() = ToTimestamp(now);
  return report;
}

grpc::ServerUnaryReactor* RiskService::ListRuleSets(grpc::CallbackServerContext* context,
                                                    const v1::ListRuleSetsRequest*,
                                                    v1::ListRuleSetsResponse* response) {
  return ServeUnary(context, response,
                    [&](const Caller&) -> absl::StatusOr<v1::ListRuleSetsResponse> {
                      return DoListRuleSets();
                    });
}

v1::ListRuleSetsResponse RiskService::DoListRuleSets() const {
  const std::shared_ptr<const RuleBookSnapshot> book = engine_.context().rules.snapshot();
  v1::ListRuleSetsResponse out;
  for (const LoadedSet& loaded : book->sets()) *out.add_rule_sets() = loaded.info;
  *out.mutable_load_time() = ToTimestamp(book->load_time());
  return out;
}

}  // namespace jianguan::risk
