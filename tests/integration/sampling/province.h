// A synthetic province in a sampling store, as the consumers would have projected it, for
// the sampling benchmark and the draw crash test: `n` subjects in five Jinhua counties (70 %
// individual businesses, 40 % graded, 30 % risk-assessed, 5 % tagged), two departments,
// three items and 2,000 inspectors, and joint plans over all of it with the default class
// rules. Deterministic for a given `n`.
//
//   auto db = store::Store::Open({.path = dir, .families = PlanStore::Families()});
//   const uint64_t events = ProjectProvince(**db, 100'000);
//   AddProvinceCatalogue(**db, 100'000);
//   service.DoCreatePlan(caller, CreateProvincePlan("2026-jh-a", 100'000, DateOf(2026, 6, 1)));
#pragma once

#include <cstdint>
#include <string>

#include "jianguan/common/v1/types.pb.h"
#include "jianguan/sampling/v1/sampling.pb.h"
#include "libs/store/store.h"

namespace jianguan::sampling {

/// The USCC of the province's subject `i`.
std::string ProvinceUscc(uint64_t i);

/// Applies the subject, credit and risk events of `n` subjects to the projections, 500 a
/// commit as the consumers do; returns the number of events applied.
uint64_t ProjectProvince(store::Store& db, uint64_t n);

/// Departments 330700-SCJG (items JG-1, JG-2) and 330700-WSJ (JG-3), and 2,000 inspectors
/// split between them, each with 5 declared conflicts among the `n` subjects.
void AddProvinceCatalogue(store::Store& db, uint64_t n);

/// A joint plan of both departments over the province (March to September 2026, inspection
/// on `inspection_date`), initiated by 330700-SCJG, with a task limit per inspector that
/// the province's size needs.
v1::CreatePlanRequest CreateProvincePlan(const std::string& plan_id, uint64_t n,
                                         const common::v1::Date& inspection_date);

}  // namespace jianguan::sampling
