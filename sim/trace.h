#pragma once
// The run's trace: JSON Lines, a header line (format, version, scenario, seed), one line per event and a
// closing summary line. Every line is also folded into a 64-bit hash of the trace's content (the event, node
// and field values in order, and the number of fields; not the text, and not the keys, which the code that
// writes each kind of line fixes), computed whether or not the text is written, so a run with the trace off
// reports the same hash as one with it on. Same scenario and seed, same hash and same bytes.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/types.h"

namespace edgecache::sim {

// Version 2 added msg_id to send, recv and drop lines and event_line to violation lines.
constexpr int trace_format_version = 2;
constexpr const char* trace_format_name = "edgecache-trace";

class Trace {
 public:
  Trace() = default;
  ~Trace();
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  // Starts writing to `path` (truncating it). Returns false and leaves the trace in hash-only mode if the file
  // cannot be opened; `error` then says why.
  bool open(const std::string& path, std::string& error);
  bool writing() const { return file_ != nullptr; }

  // Writes the header line; must come first.
  void header(const nlohmann::json& header);
  // Writes the closing summary line and closes the file.
  void close(const nlohmann::json& summary);

  std::uint64_t hash() const;
  std::uint64_t lines() const { return lines_; }

  // Builds one event line: {"t_us":..,"ev":..,"node":..,fields...}. Fields are appended in call order and
  // the line is finished by the destructor.
  class Line {
   public:
    Line(Trace& trace, TimeUs time_us, std::string_view event, std::string_view node);
    ~Line();
    Line(const Line&) = delete;
    Line& operator=(const Line&) = delete;

    Line& field(std::string_view key, std::uint64_t value);
    Line& field(std::string_view key, std::int64_t value);
    Line& field(std::string_view key, std::uint32_t value) { return field(key, std::uint64_t{value}); }
    Line& field(std::string_view key, bool value);
    Line& field(std::string_view key, std::string_view value);
    Line& field(std::string_view key, const char* value) { return field(key, std::string_view(value)); }
    // A value that is already JSON text (an array or object); hashed as text.
    Line& json(std::string_view key, std::string_view json_text);

   private:
    void key(std::string_view name);
    template <typename Integer>
    Line& number(std::string_view name, Integer value);
    Trace& trace_;
    std::uint32_t fields_ = 0;
  };

 private:
  void mix(std::string_view bytes);
  void mix(std::uint64_t value);
  void write_json_line(const nlohmann::json& value);

  std::FILE* file_ = nullptr;
  std::string buffer_;  // The line being built; flushed to the file in large blocks.
  // The hash runs four independent lanes over blocks of four words, so consecutive words do not wait for
  // each other's multiply; hash() folds the lanes and the words of a partial block.
  std::uint64_t lanes_[4] = {0xCBF29CE484222325ULL, 0x243F6A8885A308D3ULL, 0x13198A2E03707344ULL,
                             0xA4093822299F31D0ULL};
  std::uint64_t block_[4] = {};
  std::size_t block_words_ = 0;
  std::uint64_t words_ = 0;
  std::uint64_t lines_ = 0;
};

// Formats a hash the way every output shows it: 16 lowercase hex digits.
std::string format_hash(std::uint64_t hash);

}  // namespace edgecache::sim
