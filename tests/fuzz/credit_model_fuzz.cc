// Credit's model loader (services/credit/model_files.cc reads each file with ParseModelText
// and CompiledModel::Compile, then ModelSet::Build) on any text. Properties: errors are
// valid UTF-8 (Compile promises it even for text that is not); a model that compiles prints
// to text that parses back to the same model; a set refuses the same version twice; and
// matching any of the events credit consumes returns a rule of that event's type or none.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/credit/domain/credit_model.h"
#include "tests/fuzz/fuzz_checks.h"

namespace pb = ::google::protobuf;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace jianguan;
  using namespace jianguan::credit;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<v1::CreditModel> parsed = ParseModelText(text, "<fuzz>");
  if (!parsed.ok()) {
    JG_FUZZ_CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    fuzz::CheckMessageIsUtf8(parsed.status());
    return 0;
  }
  const v1::CreditModel model = *parsed;
  absl::StatusOr<CompiledModel> compiled = CompiledModel::Compile(*std::move(parsed));
  if (!compiled.ok()) {
    JG_FUZZ_CHECK(compiled.status().code() == absl::StatusCode::kInvalidArgument);
    fuzz::CheckMessageIsUtf8(compiled.status());
    return 0;
  }

  std::string printed;
  JG_FUZZ_CHECK(pb::TextFormat::PrintToString(model, &printed));
  const absl::StatusOr<v1::CreditModel> reread = ParseModelText(printed, "<printed>");
  JG_FUZZ_CHECK(reread.ok() && pb::util::MessageDifferencer::Equals(*reread, model));

  const absl::StatusOr<ModelSet> twice = ModelSet::Build({*compiled, *compiled});
  JG_FUZZ_CHECK(!twice.ok());
  fuzz::CheckMessageIsUtf8(twice.status());
  const absl::StatusOr<ModelSet> set = ModelSet::Build({*compiled});
  JG_FUZZ_CHECK(set.ok() && set->Find(model.version()) != nullptr);

  for (const std::string& type : KnownEventTypes()) {
    const pb::Descriptor* descriptor =
        pb::DescriptorPool::generated_pool()->FindMessageTypeByName(type);
    JG_FUZZ_CHECK(descriptor != nullptr);
    const std::unique_ptr<pb::Message> event(
        pb::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
    if (const v1::Rule* rule = compiled->Match(*event)) {
      JG_FUZZ_CHECK(rule->event_type() == type && compiled->HandlesType(type));
    }
  }
  for (const v1::Rule& rule : model.rules()) {
    JG_FUZZ_CHECK(compiled->FindRule(rule.id()) != nullptr);
    JG_FUZZ_CHECK(compiled->HandlesType(rule.event_type()));
  }
  return 0;
}
