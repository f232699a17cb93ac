// Builders shared by the sampling tests: valid USCCs in ascending order, a plan with a known
// secret, candidate lists and inspector pools.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "libs/testing/uscc_series.h"
#include "services/sampling/domain/candidate_projection.h"
#include "services/sampling/domain/draw.h"
#include "services/sampling/domain/inspector_pool.h"
#include "services/sampling/domain/sampling_plan.h"

namespace jianguan::sampling::testing {

/// The n-th of an ascending series of valid codes registered in Xi'an (610131).
inline std::string TestUscc(uint64_t n) { return jianguan::testing::SeriesUscc("91610131", n); }

inline Digest TestSecret(uint8_t first = 0) {
  Digest secret;
  for (int i = 0; i < 32; ++i) secret[i] = static_cast<uint8_t>(first + i);
  return secret;
}

/// A plan of `departments` departments with two items each, committed to TestSecret().
inline SamplingPlan TestPlan(int departments = 1) {
  SamplingPlan plan{.plan_id = "2024-xa-001", .name = "2024年第一批双随机抽查"};
  for (int d = 0; d < departments; ++d) {
    const std::string id = "DEPT-" + std::to_string(d + 1);
    plan.departments.push_back(
        {id, {{id + "-ITEM-1", 3}, {id + "-ITEM-2", 1}}});
  }
  plan.inspection_date = "2024-06-01";
  plan.max_tasks_per_inspector = 1000;
  plan.commitment = HexOf(CommitmentOf(TestSecret()));
  return plan;
}

/// An inspector of department `department` (1-based), authorised for its items, with a
/// certificate valid over 2024.
inline Inspector TestInspector(int department, int number) {
  const std::string dept = "DEPT-" + std::to_string(department);
  char id[32];
  std::snprintf(id, sizeof id, "D%d-%04d", department, number);
  return Inspector{.id = id,
                   .name = "检查员" + std::string(id),
                   .certificate_no = "CERT-" + std::string(id),
                   .department_id = dept,
                   .items = {dept + "-ITEM-1", dept + "-ITEM-2"},
                   .valid_from = "2024-01-01",
                   .valid_until = "2024-12-31"};
}

inline InspectorPool TestPool(int departments, int per_department) {
  std::vector<Inspector> inspectors;
  for (int d = 1; d <= departments; ++d) {
    for (int i = 1; i <= per_department; ++i) inspectors.push_back(TestInspector(d, i));
  }
  return *InspectorPool::Create(std::move(inspectors));
}

inline DrawInput TestInput(const SamplingPlan& plan, const CandidateProjection& candidates,
                           const InspectorPool& pool, std::string entropy = "3D 2024118 582") {
  return DrawInput{.plan = &plan, .candidates = &candidates, .inspectors = &pool,
                   .secret = TestSecret(), .entropy = std::move(entropy)};
}

}  // namespace jianguan::sampling::testing
