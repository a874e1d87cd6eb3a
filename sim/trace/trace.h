#pragma once
// The run's trace: JSON Lines, a header line (format, version, scenario, seed), one line per event and a
// closing summary line. Every line is also folded into a 64-bit hash of the trace's content (the event, node
// and field values in order, and the number of fields; not the text, and not the keys, which the code that
// writes each kind of line fixes), computed whether or not the text is written, so a run with the trace off
// reports the same hash as one with it on. Same scenario and seed, same hash and same bytes.

#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
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
    // The hashing is inline and the text is written out of line: every event of every run is hashed, and
    // most runs write no text.
    Line(Trace& trace, TimeUs time_us, std::string_view event, std::string_view node) : trace_(trace) {
      ++trace_.lines_;
      trace_.mix(static_cast<std::uint64_t>(time_us));
      trace_.mix(event);
      trace_.mix(node);
      if (trace_.file_ != nullptr) write_start(time_us, event, node);
    }
    ~Line() {
      // The count ends the line, so lines with optional fields cannot run into each other.
      trace_.mix(std::uint64_t{fields_});
      if (trace_.file_ != nullptr) write_end();
    }
    Line(const Line&) = delete;
    Line& operator=(const Line&) = delete;

    Line& field(std::string_view key, std::uint64_t value) { return number(key, value); }
    Line& field(std::string_view key, std::int64_t value) { return number(key, value); }
    Line& field(std::string_view key, std::uint32_t value) { return field(key, std::uint64_t{value}); }
    Line& field(std::string_view key, bool value) {
      ++fields_;
      trace_.mix(std::uint64_t{value ? 1U : 0U});
      if (trace_.file_ != nullptr) write_bool(key, value);
      return *this;
    }
    Line& field(std::string_view key, std::string_view value) {
      ++fields_;
      trace_.mix(value);
      if (trace_.file_ != nullptr) write_string(key, value);
      return *this;
    }
    Line& field(std::string_view key, const char* value) { return field(key, std::string_view(value)); }
    // A value that is already JSON text (an array or object); hashed as text.
    Line& json(std::string_view key, std::string_view json_text) {
      ++fields_;
      trace_.mix(json_text);
      if (trace_.file_ != nullptr) write_json(key, json_text);
      return *this;
    }

   private:
    void write_start(TimeUs time_us, std::string_view event, std::string_view node);
    void write_end();
    template <typename Integer>
    Line& number(std::string_view key, Integer value) {
      ++fields_;
      trace_.mix(static_cast<std::uint64_t>(value));
      if (trace_.file_ != nullptr) write_number(key, value);
      return *this;
    }
    // Defined for std::uint64_t and std::int64_t only (trace.cpp).
    template <typename Integer>
    void write_number(std::string_view key, Integer value);
    void write_bool(std::string_view key, bool value);
    void write_string(std::string_view key, std::string_view value);
    void write_json(std::string_view key, std::string_view json_text);
    void write_key(std::string_view key);
    Trace& trace_;
    std::uint32_t fields_ = 0;
  };

 private:
  // Folds a string in eight bytes at a time (little-endian, so the hash is the same on every host); the last
  // 0 to 7 bytes go in one word below the length shifted past them, and the length folded in separates
  // adjacent strings. Most values are that short, so that word is often the only one.
  void mix(std::string_view bytes) {
    if (bytes.size() >= 16) return mix_long(bytes);
    std::size_t tail_bytes = bytes.size();
    if (tail_bytes >= 8) {  // Node, message and fate names are mostly 8 to 15 bytes long.
      mix(load_word(bytes.data()));
      tail_bytes -= 8;
    }
    mix((static_cast<std::uint64_t>(bytes.size()) << (8 * tail_bytes)) |
        load_short(bytes.data() + bytes.size() - tail_bytes, tail_bytes));
  }
  void mix_long(std::string_view bytes);
  void mix(std::uint64_t value) {
    block_[block_words_++] = value;
    if (block_words_ == 4) mix_block();
  }
  void mix_block() {
    block_words_ = 0;
    words_ += 4;
    for (std::size_t lane = 0; lane < 4; ++lane) {
      lanes_[lane] = (lanes_[lane] ^ block_[lane]) * hash_prime;
      lanes_[lane] ^= lanes_[lane] >> 31;
    }
  }
  static std::uint64_t load_word(const char* data) {
    std::uint64_t word;
    std::memcpy(&word, data, sizeof word);
    if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
    return word;
  }
  // Returns the `count` (< 8) bytes at `data` as a little-endian number, using only fixed-size loads: a
  // variable-size copy into a word goes through memory, and the load that follows it stalls.
  static std::uint64_t load_short(const char* data, std::size_t count) {
    auto byte = [data](std::size_t index) { return std::uint64_t{static_cast<unsigned char>(data[index])}; };
    if (count >= 4) {
      // Two four-byte loads that overlap in the middle; overlapping bytes land on the same bits.
      std::uint32_t low;
      std::uint32_t high;
      std::memcpy(&low, data, 4);
      std::memcpy(&high, data + count - 4, 4);
      if constexpr (std::endian::native == std::endian::big) {
        low = __builtin_bswap32(low);
        high = __builtin_bswap32(high);
      }
      return std::uint64_t{low} | (std::uint64_t{high} << (8 * (count - 4)));
    }
    if (count == 0) return 0;
    return byte(0) | (byte(count / 2) << (8 * (count / 2))) | (byte(count - 1) << (8 * (count - 1)));
  }
  void write_json_line(const nlohmann::json& value);

  static constexpr std::uint64_t hash_prime = 0x100000001B3ULL;

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
