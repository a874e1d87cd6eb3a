#pragma once
// Typed reading of JSON documents whose errors name the field: "faults[2].at_ms: expected an integer, got a
// string". Scenarios and the edge configuration in node trace headers are read with these, so both speak
// with the same words and bounds.
//
// A reader that meets a bad field throws FieldFailure, so each field is one line at its call site instead
// of a chain of early returns. Every caller catches it at its own boundary and returns the FieldError as a
// value; it never escapes a parse function.

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace edgecache::sim {

// Documents are read as ordered_json so that "the first error" is the first in reading order, and unknown
// keys are reported in the order the author wrote them.
using FieldJson = nlohmann::ordered_json;

// An error in a document: `path` names the field ("faults[2].at_ms", "" for the document itself).
struct FieldError {
  std::string path;
  std::string reason;
  std::string message() const;  // "faults[2].at_ms: expected an integer, got a string"

  friend bool operator==(const FieldError&, const FieldError&) = default;
};

// What the readers throw; see the file comment.
struct FieldFailure {
  FieldError error;
};

[[noreturn]] void fail_field(std::string path, std::string reason);

// "parent.key", or "key" at the top.
std::string child_path(const std::string& parent, std::string_view key);
// "parent[index]".
std::string index_path(const std::string& parent, std::size_t index);
// Names a JSON value's type the way an error message wants it: "a string", "an array".
std::string json_type_phrase(const FieldJson& value);
// Doubles the way the JSON writer prints them, the shortest text that reads back exactly, but without the
// ".0" it adds to whole numbers: a bound of 1 reads better than 1.0.
std::string format_number(double value);
// The words with `separator` between them.
std::string join_words(const std::vector<std::string_view>& words, std::string_view separator);

// The name of one value of an enum, as a document spells it.
template <typename Enum>
struct EnumName {
  const char* name;
  Enum value;
};

template <typename Enum, std::size_t N>
const char* enum_name(const std::array<EnumName<Enum>, N>& names, Enum value) {
  for (const auto& entry : names) {
    if (entry.value == value) return entry.name;
  }
  return "unknown";
}

template <typename Enum, std::size_t N>
std::string enum_choices(const std::array<EnumName<Enum>, N>& names) {
  std::vector<std::string_view> words;
  for (const auto& entry : names) words.emplace_back(entry.name);
  return join_words(words, ", ");
}

struct NumberBounds {
  double min;
  double max;
  bool min_exclusive = false;
};

// Each returns the value at `path`, or throws FieldFailure saying why it is not one in bounds.
std::string expect_string(const FieldJson& value, const std::string& path);
bool expect_bool(const FieldJson& value, const std::string& path);
std::int64_t expect_int(const FieldJson& value, const std::string& path, std::int64_t min, std::int64_t max);
std::uint64_t expect_uint(const FieldJson& value, const std::string& path, std::uint64_t min, std::uint64_t max);
double expect_number(const FieldJson& value, const std::string& path, NumberBounds bounds);

template <typename Enum, std::size_t N>
Enum expect_enum(const FieldJson& value, const std::string& path, const std::array<EnumName<Enum>, N>& names) {
  if (!value.is_string()) fail_field(path, "expected a string, got " + json_type_phrase(value));
  const auto& text = value.get_ref<const std::string&>();
  for (const auto& entry : names) {
    if (text == entry.name) return entry.value;
  }
  fail_field(path, "expected one of " + enum_choices(names) + "; got \"" + text + "\"");
}

// One JSON object: checks its type and keys on construction, then reads fields by key. A field that is
// absent leaves the output untouched, which is how every field takes its struct default.
class ObjectReader {
 public:
  ObjectReader(const FieldJson& value, std::string path, const std::vector<std::string_view>& keys);

  const FieldJson* find(std::string_view key) const;
  std::string path(std::string_view key) const { return child_path(path_, key); }
  const std::string& path() const { return path_; }
  const FieldJson& value() const { return value_; }

  void read(std::string_view key, std::string& out) const {
    if (const FieldJson* field = find(key)) out = expect_string(*field, path(key));
  }
  void read(std::string_view key, bool& out) const {
    if (const FieldJson* field = find(key)) out = expect_bool(*field, path(key));
  }
  void read(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max) const {
    if (const FieldJson* field = find(key)) out = expect_int(*field, path(key), min, max);
  }
  template <std::unsigned_integral Unsigned>
  void read(std::string_view key, Unsigned& out, std::uint64_t min, std::uint64_t max) const {
    if (const FieldJson* field = find(key)) out = static_cast<Unsigned>(expect_uint(*field, path(key), min, max));
  }
  void read(std::string_view key, double& out, NumberBounds bounds) const {
    if (const FieldJson* field = find(key)) out = expect_number(*field, path(key), bounds);
  }
  template <typename Enum, std::size_t N>
  void read(std::string_view key, Enum& out, const std::array<EnumName<Enum>, N>& names) const {
    if (const FieldJson* field = find(key)) out = expect_enum(*field, path(key), names);
  }

 private:
  const FieldJson& value_;
  std::string path_;
};

}  // namespace edgecache::sim
