#include "services/sampling/domain/canonical_json.h"

namespace jianguan::sampling {

JsonValue JsonValue::Strings(const std::vector<std::string>& values) {
  Array array;
  array.reserve(values.size());
  for (const std::string& value : values) array.emplace_back(value);
  return JsonValue(std::move(array));
}

void AppendJsonString(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out.push_back(kHex[(c >> 4) & 15]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void JsonValue::AppendCanonical(std::string& out) const {
  if (const bool* b = std::get_if<bool>(&value_)) {
    out += *b ? "true" : "false";
  } else if (const int64_t* i = std::get_if<int64_t>(&value_)) {
    out += std::to_string(*i);
  } else if (const std::string* s = std::get_if<std::string>(&value_)) {
    AppendJsonString(out, *s);
  } else if (const Array* a = std::get_if<Array>(&value_)) {
    out.push_back('[');
    for (size_t k = 0; k < a->size(); ++k) {
      if (k > 0) out.push_back(',');
      (*a)[k].AppendCanonical(out);
    }
    out.push_back(']');
  } else {
    const Object& o = std::get<Object>(value_);
    out.push_back('{');
    bool first = true;
    for (const auto& [key, member] : o) {
      if (!first) out.push_back(',');
      first = false;
      AppendJsonString(out, key);
      out.push_back(':');
      member.AppendCanonical(out);
    }
    out.push_back('}');
  }
}

std::string JsonValue::Canonical() const {
  std::string out;
  AppendCanonical(out);
  return out;
}

}  // namespace jianguan::sampling
