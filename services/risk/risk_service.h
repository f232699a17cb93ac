// The risk service's gRPC handlers (DESIGN.md §1.7): monitoring readings in streamed
// batches, devices, alerts and their loop (dispatch by hand, accept, close by hand), risk
// levels, the report on how departments handled their alerts, and the rule sets in force.
// Every RPC needs an authenticated caller; reads run on gRPC's callback threads, writes on
// the synchronous pool (they wait for fsync).
//
// Thread-safe: all state is in the store; writes race the consumer and the ticker, so each
// write retries (up to 4 times) when its commit finds a key it read changed.
#pragma once

#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jianguan/risk/v1/risk.grpc.pb.h"
#include "libs/core/caller.h"
#include "libs/core/clock.h"
#include "libs/store/store.h"
#include "libs/write/method_names.h"
#include "libs/write/write_path.h"
#include "services/risk/risk_engine.h"
#include "services/risk/risk_store.h"

namespace jianguan::risk {

class RiskMetrics;

/// At most this many rows in one SendReadings batch.
inline constexpr int kMaxReadingRows = 5000;
/// How far after the service's clock a reading's measure_time may lie (clock skew).
inline constexpr absl::Duration kReadingFutureSlack = absl::Minutes(5);

using RiskBase = v1::Risk::WithRawCallbackMethod_SendReadings<
    v1::Risk::WithCallbackMethod_GetAlert<v1::Risk::WithCallbackMethod_GetSubjectRisk<
        v1::Risk::WithCallbackMethod_ListRuleSets<v1::Risk::Service>>>>;

class RiskService final : public RiskBase {
 public:
  /// Everything must outlive the service; `metrics` may be null.
  RiskService(store::Store& store, const RiskEngine& engine, const Clock& clock,
              RiskMetrics* metrics);

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* SendReadings(
      grpc::CallbackServerContext* context) override;
  grpc::Status RegisterDevice(grpc::ServerContext* context,
                              const v1::RegisterDeviceRequest* request,
                              v1::Device* response) override;
  grpc::Status ListDevices(grpc::ServerContext* context, const v1::ListDevicesRequest* request,
                           v1::ListDevicesResponse* response) override;
  grpc::Status ListReadings(grpc::ServerContext* context, const v1::ListReadingsRequest* request,
                            v1::ListReadingsResponse* response) override;
  grpc::ServerUnaryReactor* GetAlert(grpc::CallbackServerContext* context,
                                     const v1::GetAlertRequest* request,
                                     v1::Alert* response) override;
  grpc::Status ListAlerts(grpc::ServerContext* context, const v1::ListAlertsRequest* request,
                          v1::ListAlertsResponse* response) override;
  grpc::Status DispatchAlert(grpc::ServerContext* context,
                             const v1::DispatchAlertRequest* request,
                             v1::Alert* response) override;
  grpc::Status AcceptAlert(grpc::ServerContext* context, const v1::AcceptAlertRequest* request,
                           v1::Alert* response) override;
  grpc::Status CloseAlert(grpc::ServerContext* context, const v1::CloseAlertRequest* request,
                          v1::Alert* response) override;
  grpc::ServerUnaryReactor* GetSubjectRisk(grpc::CallbackServerContext* context,
                                           const v1::GetSubjectRiskRequest* request,
                                           v1::SubjectRisk* response) override;
  grpc::Status GetAlertReport(grpc::ServerContext* context,
                              const v1::AlertReportRequest* request,
                              v1::AlertReport* response) override;
  grpc::ServerUnaryReactor* ListRuleSets(grpc::CallbackServerContext* context,
                                         const v1::ListRuleSetsRequest* request,
                                         v1::ListRuleSetsResponse* response) override;

  // The calls without gRPC around them, for tests and tools.
  /// One SendReadings batch, as the wire bytes of a SendReadingsRequest: rows that do not
  /// parse or do not pass their checks are refused one by one, the others stored and
  /// evaluated in measure_time order and committed with the alerts they raise.
  absl::StatusOr<v1::SendReadingsResponse> ReadingsBatch(const Caller& caller,
                                                         std::string_view batch);
  absl::StatusOr<v1::Device> DoRegisterDevice(const Caller& caller,
                                              const v1::RegisterDeviceRequest& request);
  absl::StatusOr<v1::ListDevicesResponse> DoListDevices(const v1::ListDevicesRequest& request) const;
  absl::StatusOr<v1::ListReadingsResponse> DoListReadings(
      const v1::ListReadingsRequest& request) const;
  absl::StatusOr<v1::Alert> DoGetAlert(const Caller& caller, const v1::GetAlertRequest& request) const;
  absl::StatusOr<v1::ListAlertsResponse> DoListAlerts(const Caller& caller,
                                                      const v1::ListAlertsRequest& request) const;
  absl::StatusOr<v1::Alert> DoDispatchAlert(const Caller& caller,
                                            const v1::DispatchAlertRequest& request);
  absl::StatusOr<v1::Alert> DoAcceptAlert(const Caller& caller,
                                          const v1::AcceptAlertRequest& request);
  absl::StatusOr<v1::Alert> DoCloseAlert(const Caller& caller, const v1::CloseAlertRequest& request);
  absl::StatusOr<v1::SubjectRisk> DoGetSubjectRisk(const v1::GetSubjectRiskRequest& request) const;
  absl::StatusOr<v1::AlertReport> DoGetAlertReport(const v1::AlertReportRequest& request) const;
  v1::ListRuleSetsResponse DoListRuleSets() const;

 private:
  /// A write to one alert: replays a retried request_id, reads the alert through a RiskTx,
  /// lets `step` change it (and name the event to queue), saves it, commits; runs again
  /// when another writer changed what it read. With `readers_only`, an alert the caller may
  /// not read (domain/alert_access.h) is NOT_FOUND before anything else is said of it.
  template <typename Step>
  absl::StatusOr<v1::Alert> AlertWrite(const Caller& caller, std::string_view method,
                                       std::string_view request_id,
                                       const google::protobuf::Message& request,
                                       std::string_view name, int64_t expected_version,
                                       bool readers_only, Step&& step);

  RiskStore records_;
  const RiskEngine& engine_;
  const Clock& clock_;
  RiskMetrics* metrics_;
  WritePath writes_;
  const MethodNames methods_{"jianguan.risk.v1.Risk"};
  // One readings batch evaluates and commits at a time (its rows are parsed and checked
  // before, in parallel). A batch reads and writes the rule states of its devices and the
  // alerts of their subjects; two streams of the same devices would otherwise keep
  // invalidating each other's reads and run out of retries, as the bench showed.
  std::mutex readings_mu_;
};

}  // namespace jianguan::risk
