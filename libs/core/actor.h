// The contracts' Actor (who performed an act, 全程留痕) for an authenticated Caller.
#pragma once

#include "libs/core/caller.h"

namespace jianguan {
namespace common::v1 {
class Actor;
}

/// The caller's department, user and system as an Actor.
common::v1::Actor ActorOf(const Caller& caller);

}  // namespace jianguan
