// jgctl events tail: reads a topic without joining a group and prints each event as one
// JSON line: its place (topic, partition, offset), key, CloudEvents attributes, and the
// payload decoded by its ce_type from the descriptor set ("data"), or, when it cannot be
// decoded, the raw bytes in base64 ("data_base64") with the reason ("error").
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "absl/flags/flag.h"
#include "absl/strings/escaping.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "libs/core/log.h"
#include "libs/events/kafka_admin.h"
#include "tools/jgctl/commands.h"
#include "tools/jgctl/flags.h"

namespace jianguan::jgctl {
namespace {

namespace pb = google::protobuf;

// The descriptor set the build writes next to the binaries (build/<preset>/jianguan.desc).
std::string DefaultDescriptorSet() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  const auto candidate = exe.parent_path().parent_path().parent_path() / "jianguan.desc";
  return std::filesystem::exists(candidate, ec) ? candidate.string() : "";
}

// Types from the descriptor set when there is one, so events of contracts newer than this
// binary decode too; else the contracts compiled in.
class TypeDecoder {
 public:
  bool Load(const std::string& path, std::string* error) {
    if (path.empty()) return true;
    std::ifstream in(path, std::ios::binary);
    pb::FileDescriptorSet set;
    if (!in || !set.ParseFromIstream(&in)) {
      *error = "cannot read descriptor set " + path;
      return false;
    }
    pool_ = std::make_unique<pb::DescriptorPool>();
    for (const auto& file : set.file()) {
      if (!pool_->BuildFile(file)) {
        *error = "descriptor set " + path + " has a bad file " + file.name();
        return false;
      }
    }
    return true;
  }

  // The payload as JSON, or false with the reason.
  bool ToJson(std::string_view type, const std::string& bytes, std::string* json,
              std::string* error) {
    const pb::DescriptorPool* pool = pool_ ? pool_.get() : pb::DescriptorPool::generated_pool();
    const pb::Descriptor* descriptor = pool->FindMessageTypeByName(std::string(type));
    if (!descriptor) {
      *error = "unknown ce_type '" + std::string(type) + "'";
      return false;
    }
    std::unique_ptr<pb::Message> message(factory_.GetPrototype(descriptor)->New());
    if (!message->ParseFromString(bytes)) {
      *error = "value does not parse as " + descriptor->full_name();
      return false;
    }
    pb::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    if (!pb::util::MessageToJsonString(*message, json, options).ok()) {
      *error = "cannot print " + descriptor->full_name() + " as JSON";
      return false;
    }
    return true;
  }

 private:
  std::unique_ptr<pb::DescriptorPool> pool_;
  pb::DynamicMessageFactory factory_;
};

void AppendField(std::string& line, std::string_view name, std::string_view value) {
  line += ',';
  AppendJsonString(line, name);
  line += ':';
  AppendJsonString(line, value);
}

}  // namespace

int EventsTail(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fprintf(stderr, "usage: jgctl events tail TOPIC [--from_beginning] [--count N] "
                         "[--idle_timeout_s S]\n");
    return 2;
  }
  const std::string& topic = args[0];
  const std::string brokers =
      WithEnvironment(absl::GetFlag(FLAGS_kafka_brokers), "127.0.0.1:9092", "JG_KAFKA_BROKERS");
  std::string descriptor_set =
      WithEnvironment(absl::GetFlag(FLAGS_descriptor_set), "", "JG_DESCRIPTOR_SET");
  if (descriptor_set.empty()) descriptor_set = DefaultDescriptorSet();

  TypeDecoder decoder;
  std::string error;
  if (!decoder.Load(descriptor_set, &error)) {
    std::fprintf(stderr, "jgctl: %s\n", error.c_str());
    return 1;
  }
  // A TLS listener (Strimzi's in production): the brokers' CA, and the client certificate
  // when the listener requires one.
  std::map<std::string, std::string> tls;
  const std::string ca = WithEnvironment(absl::GetFlag(FLAGS_kafka_tls_ca), "", "JG_KAFKA_TLS_CA");
  const std::string cert =
      WithEnvironment(absl::GetFlag(FLAGS_kafka_tls_cert), "", "JG_KAFKA_TLS_CERT");
  const std::string key = WithEnvironment(absl::GetFlag(FLAGS_kafka_tls_key), "", "JG_KAFKA_TLS_KEY");
  if (cert.empty() != key.empty() || (!cert.empty() && ca.empty())) {
    std::fprintf(stderr, "jgctl: a Kafka client certificate needs --kafka_tls_cert, "
                         "--kafka_tls_key and --kafka_tls_ca\n");
    return 2;
  }
  if (!ca.empty()) {
    tls = {{"security.protocol", "ssl"}, {"ssl.ca.location", ca}};
    if (!cert.empty()) {
      tls["ssl.certificate.location"] = cert;
      tls["ssl.key.location"] = key;
    }
  }
  auto reader = events::TopicReader::Open(
      brokers, topic,
      absl::GetFlag(FLAGS_from_beginning) ? events::TopicReader::From::kBeginning
                                          : events::TopicReader::From::kEnd,
      tls);
  if (!reader.ok()) {
    std::fprintf(stderr, "jgctl: %s\n", std::string(reader.status().message()).c_str());
    return 1;
  }

  const int64_t count = absl::GetFlag(FLAGS_count);
  const int32_t idle = absl::GetFlag(FLAGS_idle_timeout_s);
  int64_t printed = 0;
  absl::Time last_event = absl::Now();
  while (count == 0 || printed < count) {
    auto event = (*reader)->Next(absl::Milliseconds(500));
    if (!event) {
      if (idle > 0 && absl::Now() - last_event > absl::Seconds(idle)) break;
      continue;
    }
    last_event = absl::Now();
    std::string line = "{";
    AppendJsonString(line, "topic");
    line += ':';
    AppendJsonString(line, event->topic);
    line += ",\"partition\":" + std::to_string(event->partition);
    line += ",\"offset\":" + std::to_string(event->offset);
    AppendField(line, "key", event->key);
    for (const char* name : {"ce_id", "ce_type", "ce_source", "ce_subject", "ce_time"}) {
      if (auto value = event->Header(name)) AppendField(line, name, *value);
    }
    std::string json;
    if (decoder.ToJson(event->type(), event->value, &json, &error)) {
      line += ",\"data\":" + json;
    } else {
      AppendField(line, "error", error);
      std::string encoded;
      absl::Base64Escape(event->value, &encoded);
      AppendField(line, "data_base64", encoded);
    }
    line += "}\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
    ++printed;
  }
  return 0;
}

}  // namespace jianguan::jgctl
