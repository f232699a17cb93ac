#include "libs/server/wire_text.h"

#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/server/grpc_status.h"
#include "libs/server/identity.h"

namespace jianguan {

using google::protobuf::FieldDescriptor;
using google::protobuf::internal::WireFormatLite;

bool ForEachField(std::string_view message,
                  const std::function<void(int, std::string_view)>& visit_bytes,
                  const std::function<void(int, uint64_t)>& visit_varint) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(message.data()),
                                            static_cast<int>(message.size()));
  while (uint32_t tag = in.ReadTag()) {
    const int number = static_cast<int>(WireFormatLite::GetTagFieldNumber(tag));
    switch (WireFormatLite::GetTagWireType(tag)) {
      case WireFormatLite::WIRETYPE_VARINT: {
        uint64_t value = 0;
        if (!in.ReadVarint64(&value)) return false;
        visit_varint(number, value);
        break;
      }
      case WireFormatLite::WIRETYPE_LENGTH_DELIMITED: {
        uint32_t length = 0;
        if (!in.ReadVarint32(&length)) return false;
        const int position = in.CurrentPosition();
        if (static_cast<size_t>(position) + length > message.size()) return false;
        visit_bytes(number, message.substr(position, length));
        if (!in.Skip(static_cast<int>(length))) return false;
        break;
      }
      default:
        if (!WireFormatLite::SkipField(&in, tag)) return false;
    }
  }
  return in.ConsumedEntireMessage();
}

namespace {

// protobuf's default recursion limit: deeper requests fail to parse anyway, and the walk
// below must not let the bytes of a recursive message type recurse without bound.
constexpr int kMaxDepth = 100;

bool Explain(const google::protobuf::Descriptor& type, std::string_view bytes,
             std::string_view prefix, int depth, FieldViolations& violations) {
  std::map<int, int> seen;  // field number → occurrences so far (index of a repeated field)
  bool nested_ok = true;
  const bool ok = ForEachField(
      bytes,
      [&](int number, std::string_view value) {
        const FieldDescriptor* field = type.FindFieldByNumber(number);
        if (field == nullptr) return;
        std::string path = prefix.empty() ? field->name()
                                          : absl::StrCat(AbslView(prefix), ".", field->name());
        const int index = seen[number]++;
        if (field->is_repeated()) absl::StrAppend(&path, "[", index, "]");
        if (field->type() == FieldDescriptor::TYPE_STRING && !IsValidUtf8(value)) {
          violations.Add(path, "is not valid UTF-8");
        } else if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
          if (depth >= kMaxDepth) {
            violations.Add(path, "is nested too deeply");
            nested_ok = false;
            return;
          }
          nested_ok = Explain(*field->message_type(), value, path, depth + 1, violations) &&
                      nested_ok;
        }
      },
      [](int, uint64_t) {});
  if (!ok) violations.Add(prefix.empty() ? "request" : prefix, "is not a valid message");
  return ok && nested_ok;
}

}  // namespace

bool ExplainUnparsable(const google::protobuf::Descriptor& type, std::string_view bytes,
                       std::string_view prefix, FieldViolations& violations) {
  return Explain(type, bytes, prefix, 0, violations);
}

absl::Status RefuseUnparsable(const google::protobuf::Descriptor& type, std::string_view bytes,
                              std::string_view prefix) {
  const std::string_view whole = prefix.empty() ? "request" : prefix;
  FieldViolations found;
  ExplainUnparsable(type, bytes, prefix, found);
  if (found.empty()) found.Add(whole, "does not parse");
  if (found.violations().size() <= kMaxUnparsableFieldsNamed) return found.ToStatus();
  FieldViolations named;
  for (size_t i = 0; i < kMaxUnparsableFieldsNamed; ++i) {
    named.Add(found.violations()[i].field, found.violations()[i].description);
  }
  named.Add(whole, absl::StrCat("and ", found.violations().size() - kMaxUnparsableFieldsNamed,
                                " more fields are refused as above"));
  return named.ToStatus();
}

std::string BytesOf(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return bytes;
}

grpc::ByteBuffer BufferOf(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

int64_t RowNumberOf(std::string_view row_bytes) {
  int64_t row_number = 0;
  ForEachField(row_bytes, [](int, std::string_view) {},
               [&](int number, uint64_t value) {
                 if (number == 1) row_number = static_cast<int64_t>(value);
               });
  return row_number;
}

RawBatchReactor::RawBatchReactor(grpc::CallbackServerContext* context, Prepare prepare)
    : prepare_(std::move(prepare)) {
  auto caller = CallerOf(context);
  if (!caller.ok()) {
    {
      absl::MutexLock lock(&mu_);
      finished_ = true;
    }
    Finish(ToGrpcStatus(caller.status()));
    return;
  }
  caller_ = *caller;
  committer_ = std::thread([this] { CommitLoop(); });
  StartRead(&in_);  // the first batch; later reads are started by the commit thread
}

RawBatchReactor* RawBatchReactor::OneStage(grpc::CallbackServerContext* context,
                                           Handle handle) {
  return new RawBatchReactor(
      context, [handle = std::move(handle)](const Caller& caller,
                                            std::string_view batch) -> absl::StatusOr<Commit> {
        return Commit([handle, caller, bytes = std::string(batch)] { return handle(caller, bytes); });
      });
}

void RawBatchReactor::OnReadDone(bool ok) {
  Actions actions;
  bool prepare = false;
  {
    absl::MutexLock lock(&mu_);
    // A batch read after a failure is not prepared; a read that fails means the client
    // closed its side (or went away).
    prepare = ok && failed_.ok() && !finished_;
    if (!prepare) {
      client_done_ = true;
      FinishIfDoneLocked(actions);
    }
  }
  if (prepare) {
    absl::StatusOr<Commit> prepared = prepare_(caller_, BytesOf(in_));
    absl::MutexLock lock(&mu_);
    if (!prepared.ok()) {
      FailLocked(prepared.status());
    } else if (failed_.ok()) {
      // The slot is free: a read is started only when the commit thread took the last.
      queued_ = std::move(*prepared);
    }
    FinishIfDoneLocked(actions);
  }
  Run(actions);
}

void RawBatchReactor::CommitLoop() {
  for (;;) {
    Commit commit;
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](RawBatchReactor* r) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return r->queued_.has_value() || r->stopping_;
          },
          this));
      if (!queued_.has_value()) return;  // stopping, nothing left
      commit = std::move(*queued_);
      queued_.reset();
      if (!failed_.ok()) continue;  // prepared behind a failure: dropped
      committing_ = true;
      // The next batch is read (and prepared) while this one commits.
      actions.read = !client_done_ && !finished_;
    }
    Run(actions);
    absl::StatusOr<std::string> answer = commit();
    actions = Actions();
    {
      absl::MutexLock lock(&mu_);
      committing_ = false;
      if (!answer.ok()) {
        FailLocked(answer.status());
      } else if (!finished_) {
        answers_.push_back(BufferOf(*answer));
        WriteNextLocked(actions);
      }
      FinishIfDoneLocked(actions);
    }
    Run(actions);
  }
}

void RawBatchReactor::OnWriteDone(bool ok) {
  Actions actions;
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      FailLocked(absl::CancelledError("the client went away"));
      answers_.clear();
    } else {
      WriteNextLocked(actions);
    }
    FinishIfDoneLocked(actions);
  }
  Run(actions);
}

void RawBatchReactor::WriteNextLocked(Actions& actions) {
  if (writing_ || answers_.empty() || finished_) return;
  out_ = std::move(answers_.front());
  answers_.pop_front();
  writing_ = true;
  actions.write = true;
}

void RawBatchReactor::FailLocked(absl::Status status) {
  if (failed_.ok()) failed_ = std::move(status);
}

void RawBatchReactor::FinishIfDoneLocked(Actions& actions) {
  if (finished_ || committing_ || writing_ || !answers_.empty()) return;
  if (!failed_.ok()) {
    queued_.reset();
  } else if (!client_done_ || queued_.has_value()) {
    return;
  }
  finished_ = true;
  actions.finish = ToGrpcStatus(failed_);
}

void RawBatchReactor::Run(Actions& actions) {
  // gRPC's operations are started with no lock held: a reaction may run before they return.
  if (actions.read) StartRead(&in_);
  if (actions.write) StartWrite(&out_);
  if (actions.finish) Finish(*actions.finish);
}

void RawBatchReactor::OnDone() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (committer_.joinable()) committer_.join();
  delete this;
}

}  // namespace jianguan
