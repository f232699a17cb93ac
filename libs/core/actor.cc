#include "libs/core/actor.h"

#include "jianguan/common/v1/types.pb.h"

namespace jianguan {

common::v1::Actor ActorOf(const Caller& caller) {
  common::v1::Actor actor;
  actor.mutable_department()->set_code(caller.department);
  actor.set_user_id(caller.user_id);
  actor.set_system(caller.system);
  return actor;
}

}  // namespace jianguan
