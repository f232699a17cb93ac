#include "services/credit/model_files.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "libs/core/files.h"
#include "libs/core/status_macros.h"
#include "libs/store/store.h"

namespace jianguan::credit {

absl::StatusOr<LoadedModels> LoadModels(const std::string& dir) {
  absl::StatusOr<std::vector<std::filesystem::path>> files = FilesWithExtension(dir, ".textproto");
  if (!files.ok()) return absl::NotFoundError(absl::StrCat("--model_dir ", files.status().message()));
  if (files->empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--model_dir ", dir, ": no *.textproto model"));
  }
  std::vector<CompiledModel> compiled;
  std::vector<v1::ModelInfo> infos;
  for (const auto& path : *files) {
    ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
    auto parsed = ParseModelText(text, path.string());
    if (!parsed.ok()) return parsed.status();
    auto model = CompiledModel::Compile(*std::move(parsed));
    if (!model.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path.string(), ": ", model.status().message()));
    }
    v1::ModelInfo& info = infos.emplace_back();
    info.set_version(model->model().version());
    *info.mutable_effective_date() = model->model().effective_date();
    info.set_source(model->model().source());
    info.set_rule_count(model->model().rules_size());
    info.set_sha256(store::Sha256Hex(text));
    compiled.push_back(*std::move(model));
  }
  ASSIGN_OR_RETURN(ModelSet set, ModelSet::Build(std::move(compiled)));
  std::sort(infos.begin(), infos.end(), [&](const v1::ModelInfo& a, const v1::ModelInfo& b) {
    return set.Find(a.version())->effective_day() < set.Find(b.version())->effective_day();
  });
  return LoadedModels{std::move(set), std::move(infos)};
}

absl::Status PinModelDigests(const CreditStore& records, const LoadedModels& models) {
  store::UnitOfWork work;
  for (const v1::ModelInfo& info : models.infos) {
    ASSIGN_OR_RETURN(std::optional<std::string> pinned, records.ModelDigest(info.version()));
    if (!pinned) {
      records.SaveModelDigest(work, info.version(), info.sha256());
    } else if (*pinned != info.sha256()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "model version ", info.version(),
          " was first loaded with other content (SHA-256 ", *pinned,
          "); entries already refer to it: give the new content a new version"));
    }
  }
  if (work.empty()) return absl::OkStatus();
  return records.store().Commit(work);
}

}  // namespace jianguan::credit
