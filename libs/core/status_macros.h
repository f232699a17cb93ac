// Early-return helpers for absl::Status and absl::StatusOr (the installed Abseil has none).
//
//   RETURN_IF_ERROR(store.Write(batch));
//   ASSIGN_OR_RETURN(Subject subject, store.Get(uscc));
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define JG_STATUS_CONCAT_INNER(a, b) a##b
#define JG_STATUS_CONCAT(a, b) JG_STATUS_CONCAT_INNER(a, b)

// Returns the status from the enclosing function when `expr` is not OK.
#define RETURN_IF_ERROR(expr)                                     \
  do {                                                            \
    if (::absl::Status jg_status_ = (expr); !jg_status_.ok()) {   \
      return jg_status_;                                          \
    }                                                             \
  } while (false)

// Declares or assigns `lhs` from the value of a StatusOr, or returns its error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  JG_ASSIGN_OR_RETURN_IMPL(JG_STATUS_CONCAT(jg_statusor_, __LINE__), lhs, expr)

#define JG_ASSIGN_OR_RETURN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                             \
  if (!statusor.ok()) {                               \
    return std::move(statusor).status();              \
  }                                                   \
  lhs = std::move(statusor).value()
