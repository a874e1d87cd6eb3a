#include "sim/trace/json_fields.h"

#include <algorithm>
#include <utility>

namespace edgecache::sim {

std::string FieldError::message() const { return path.empty() ? reason : path + ": " + reason; }

void fail_field(std::string path, std::string reason) {
  throw FieldFailure{FieldError{std::move(path), std::move(reason)}};
}

std::string child_path(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string path = parent;
  path += '.';
  path += key;
  return path;
}

std::string index_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::string json_type_phrase(const FieldJson& value) {
  switch (value.type()) {
    case FieldJson::value_t::null: return "null";
    case FieldJson::value_t::boolean: return "a boolean";
    case FieldJson::value_t::string: return "a string";
    case FieldJson::value_t::array: return "an array";
    case FieldJson::value_t::object: return "an object";
    case FieldJson::value_t::number_integer:
    case FieldJson::value_t::number_unsigned:
    case FieldJson::value_t::number_float: return "a number";
    case FieldJson::value_t::binary: return "binary data";
    case FieldJson::value_t::discarded: break;
  }
  return "an unreadable value";
}

std::string format_number(double value) {
  std::string text = FieldJson(value).dump();
  if (text.ends_with(".0")) text.resize(text.size() - 2);
  return text;
}

std::string join_words(const std::vector<std::string_view>& words, std::string_view separator) {
  std::string result;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) result += separator;
    result += words[i];
  }
  return result;
}

std::string expect_string(const FieldJson& value, const std::string& path) {
  if (!value.is_string()) fail_field(path, "expected a string, got " + json_type_phrase(value));
  return value.get<std::string>();
}

bool expect_bool(const FieldJson& value, const std::string& path) {
  if (!value.is_boolean()) fail_field(path, "expected a boolean, got " + json_type_phrase(value));
  return value.get<bool>();
}

namespace {

void require_integer(const FieldJson& value, const std::string& path) {
  if (value.is_number_float()) {
    fail_field(path, "expected an integer, got " + value.dump() + " (write integers without a fraction or exponent)");
  }
  if (!value.is_number_integer()) fail_field(path, "expected an integer, got " + json_type_phrase(value));
}

}  // namespace

std::int64_t expect_int(const FieldJson& value, const std::string& path, std::int64_t min, std::int64_t max) {
  require_integer(value, path);
  std::int64_t result = 0;
  if (value.is_number_unsigned()) {
    const auto magnitude = value.get<std::uint64_t>();
    if (magnitude > static_cast<std::uint64_t>(max)) {
      fail_field(path, "must be at most " + std::to_string(max) + ", got " + std::to_string(magnitude));
    }
    result = static_cast<std::int64_t>(magnitude);
  } else {
    result = value.get<std::int64_t>();
  }
  if (result < min) fail_field(path, "must be at least " + std::to_string(min) + ", got " + std::to_string(result));
  if (result > max) fail_field(path, "must be at most " + std::to_string(max) + ", got " + std::to_string(result));
  return result;
}

std::uint64_t expect_uint(const FieldJson& value, const std::string& path, std::uint64_t min, std::uint64_t max) {
  require_integer(value, path);
  if (!value.is_number_unsigned()) {
    const auto signed_value = value.get<std::int64_t>();
    if (signed_value < 0) {
      fail_field(path, "must be at least " + std::to_string(min) + ", got " + std::to_string(signed_value));
    }
  }
  const auto result = value.get<std::uint64_t>();
  if (result < min) fail_field(path, "must be at least " + std::to_string(min) + ", got " + std::to_string(result));
  if (result > max) fail_field(path, "must be at most " + std::to_string(max) + ", got " + std::to_string(result));
  return result;
}

double expect_number(const FieldJson& value, const std::string& path, NumberBounds bounds) {
  if (!value.is_number()) fail_field(path, "expected a number, got " + json_type_phrase(value));
  const auto result = value.get<double>();
  if (bounds.min_exclusive && !(result > bounds.min)) {
    fail_field(path, "must be greater than " + format_number(bounds.min) + ", got " + format_number(result));
  }
  if (!(result >= bounds.min)) {
    fail_field(path, "must be at least " + format_number(bounds.min) + ", got " + format_number(result));
  }
  if (!(result <= bounds.max)) {
    fail_field(path, "must be at most " + format_number(bounds.max) + ", got " + format_number(result));
  }
  return result;
}

ObjectReader::ObjectReader(const FieldJson& value, std::string path, const std::vector<std::string_view>& keys)
    : value_(value), path_(std::move(path)) {
  if (!value_.is_object()) fail_field(path_, "expected an object, got " + json_type_phrase(value_));
  for (const auto& item : value_.items()) {
    if (std::find(keys.begin(), keys.end(), item.key()) == keys.end()) {
      fail_field(child_path(path_, item.key()), "unknown key; expected one of: " + join_words(keys, ", "));
    }
  }
}

const FieldJson* ObjectReader::find(std::string_view key) const {
  const auto it = value_.find(key);
  return it == value_.end() ? nullptr : &*it;
}

}  // namespace edgecache::sim
