// A valid regulatory item for tests that need one in a real catalogue: a city-level
// inspection of metrology (计量器具使用监督检查) with one check point and its legal basis
// (《中华人民共和国计量法》第九条).
//
//   *create.mutable_item() = MetrologyItem("JH-001", "330700-SCJG");
#pragma once

#include <string>

#include "jianguan/catalogue/v1/catalogue.pb.h"

namespace jianguan::testing {

inline catalogue::v1::RegulatoryItem MetrologyItem(const std::string& code,
                                                   const std::string& owner) {
  namespace v1 = ::jianguan::catalogue::v1;
  v1::RegulatoryItem item;
  item.set_code(code);
  item.set_name("计量器具使用监督检查");
  item.add_owning_departments()->set_code(owner);
  item.set_level(v1::LEVEL_CITY);
  item.set_category(v1::ITEM_CATEGORY_INSPECTION);
  item.set_field("metrology");
  item.add_legal_basis()->set_law("《中华人民共和国计量法》");
  v1::CheckPoint* point = item.add_check_points();
  point->set_code("C01");
  point->set_question("用于贸易结算的计量器具是否经强制检定");
  point->mutable_legal_basis()->set_law("《中华人民共和国计量法》");
  point->mutable_legal_basis()->set_article("第九条");
  v1::AllowedAnswer* yes = point->add_allowed_answers();
  yes->set_code("Y");
  yes->set_label("符合");
  return item;
}

}  // namespace jianguan::testing
