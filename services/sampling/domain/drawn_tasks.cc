#include "services/sampling/domain/drawn_tasks.h"

#include "absl/strings/str_cat.h"
#include "services/sampling/domain/candidate_projection.h"

namespace jianguan::sampling {
namespace {

constexpr size_t kUsccChars = 18;

void AppendU32(std::string& out, uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>(value >> shift));
}

uint32_t ReadU32(std::string_view bytes) {
  uint32_t value = 0;
  for (int b = 3; b >= 0; --b) value = value << 8 | static_cast<uint8_t>(bytes[b]);
  return value;
}

}  // namespace

std::vector<std::string> PackTasks(const DrawInput& input, const DrawResult& result) {
  std::vector<std::string> chunks;
  char uscc[kUsccChars];
  for (size_t t = 0; t < result.tasks.size(); ++t) {
    if (t % kTasksPerChunk == 0) {
      chunks.emplace_back();
      chunks.back().reserve(kTasksPerChunk * (kUsccChars + 1 + 8));
    }
    std::string& chunk = chunks.back();
    const DrawTask& task = result.tasks[t];
    UnpackUscc((*input.candidates)[task.candidate].uscc, uscc);
    chunk.append(uscc, kUsccChars);
    // At most PlanLimits::kMaxDepartments × kMaxInspectorsPerTask = 100 slots: one byte.
    chunk.push_back(static_cast<char>(task.inspectors.size()));
    for (uint32_t index : task.inspectors) AppendU32(chunk, index);
  }
  return chunks;
}

absl::StatusOr<std::vector<DrawnTask>> UnpackTasks(std::string_view chunk, size_t pool_size) {
  std::vector<DrawnTask> tasks;
  while (!chunk.empty()) {
    if (chunk.size() < kUsccChars + 1) {
      return absl::DataLossError("a packed task chunk ends inside a task");
    }
    DrawnTask& task = tasks.emplace_back();
    task.uscc.assign(chunk.data(), kUsccChars);
    const size_t count = static_cast<uint8_t>(chunk[kUsccChars]);
    chunk.remove_prefix(kUsccChars + 1);
    if (chunk.size() < 4 * count) {
      return absl::DataLossError("a packed task chunk ends inside a task's inspectors");
    }
    for (size_t i = 0; i < count; ++i) {
      const uint32_t index = ReadU32(chunk.substr(4 * i, 4));
      if (index >= pool_size) {
        return absl::DataLossError(absl::StrCat("a packed task names inspector ", index,
                                                " of a pool of ", pool_size));
      }
      task.inspectors.push_back(index);
    }
    chunk.remove_prefix(4 * count);
    if (tasks.size() > kTasksPerChunk) {
      return absl::DataLossError("a packed task chunk holds more tasks than a chunk may");
    }
  }
  return tasks;
}

}  // namespace jianguan::sampling
