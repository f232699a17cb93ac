// Hierarchies of the catalogue — main items and their sub-items, departments and their
// parents — never loop: a loop would make "the items an inspector authorised for a main item
// may inspect" and "the department above" undefined.
//
// Pure function of its arguments; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace jianguan::catalogue {

/// True when making `parent` the parent of `code` would close a loop, walking up with
/// `parent_of` (which returns "" at the top or for an unknown code). Also true for
/// code == parent. Walks at most 64 steps, then reports a loop.
bool MakesCycle(std::string_view code, std::string_view parent,
                const std::function<std::string(std::string_view)>& parent_of);

}  // namespace jianguan::catalogue
