#include "sim/trace.h"

#include "core/hex.h"

#include <bit>
#include <charconv>
#include <cstring>

#include "core/assert.h"
#include "core/mix64.h"

namespace edgecache::sim {

namespace {
constexpr std::uint64_t hash_prime = 0x100000001B3ULL;

constexpr std::size_t flush_threshold_bytes = 1 << 20;

// Appends `text` as the inside of a JSON string. Runs without special characters (nearly all of the text)
// are appended whole, which is what keeps writing a trace cheap.
void append_escaped(std::string& out, std::string_view text) {
  std::size_t run_start = 0;
  for (std::size_t index = 0; index < text.size(); ++index) {
    const auto c = static_cast<unsigned char>(text[index]);
    if (c != '"' && c != '\\' && c >= 0x20) continue;
    out.append(text.substr(run_start, index - run_start));
    run_start = index + 1;
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\u00";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  out.append(text.substr(run_start));
}

// Returns the `count` (< 8) bytes at `data` as a little-endian number, using only fixed-size loads: a
// variable-size copy into a word goes through memory, and the load that follows it stalls.
std::uint64_t load_short(const char* data, std::size_t count) {
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

}  // namespace

std::string format_hash(std::uint64_t hash) { return hex64(hash); }

Trace::~Trace() {
  if (file_ != nullptr) {
    std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
    std::fclose(file_);
  }
}

bool Trace::open(const std::string& path, std::string& error) {
  EC_ASSERT(file_ == nullptr && lines_ == 0, "a trace is opened once, before any line");
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) {
    error = "cannot write trace file " + path + ": " + std::strerror(errno);
    return false;
  }
  buffer_.reserve(flush_threshold_bytes * 2);
  return true;
}

void Trace::mix(std::string_view bytes) {
  // Eight bytes at a time (little-endian, so the hash is the same on every host): the trace hash is computed
  // for every event of every run, traced or not.
  std::size_t offset = 0;
  for (; offset + 8 <= bytes.size(); offset += 8) {
    std::uint64_t word;
    std::memcpy(&word, bytes.data() + offset, sizeof word);
    if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
    mix(word);
  }
  // The last 0 to 7 bytes, little-endian, below the length shifted past them: the length folded in separates
  // adjacent strings. Most keys and names are this short, so this word is often the only one.
  const std::size_t tail_bytes = bytes.size() - offset;
  mix((static_cast<std::uint64_t>(bytes.size()) << (8 * tail_bytes)) | load_short(bytes.data() + offset, tail_bytes));
}

void Trace::mix(std::uint64_t value) {
  block_[block_words_++] = value;
  if (block_words_ < 4) return;
  block_words_ = 0;
  words_ += 4;
  for (std::size_t lane = 0; lane < 4; ++lane) {
    lanes_[lane] = (lanes_[lane] ^ block_[lane]) * hash_prime;
    lanes_[lane] ^= lanes_[lane] >> 31;
  }
}

std::uint64_t Trace::hash() const {
  std::uint64_t hash = words_ + block_words_;
  for (std::size_t lane = 0; lane < 4; ++lane) hash = (hash ^ mix64(lanes_[lane])) * hash_prime;
  for (std::size_t word = 0; word < block_words_; ++word) hash = (hash ^ mix64(block_[word])) * hash_prime;
  return mix64(hash);
}

void Trace::write_json_line(const nlohmann::json& value) {
  std::string text = value.dump();
  mix(std::string_view(text));
  ++lines_;
  if (file_ == nullptr) return;
  buffer_ += text;
  buffer_.push_back('\n');
}

void Trace::header(const nlohmann::json& header) {
  EC_ASSERT(lines_ == 0, "the header is the first line");
  nlohmann::json line = header;
  line["format"] = trace_format_name;
  line["version"] = trace_format_version;
  write_json_line(line);
}

void Trace::close(const nlohmann::json& summary) {
  nlohmann::json line = summary;
  line["ev"] = "summary";
  write_json_line(line);
  if (file_ != nullptr) {
    std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
    std::fclose(file_);
    file_ = nullptr;
    buffer_.clear();
  }
}

Trace::Line::Line(Trace& trace, TimeUs time_us, std::string_view event, std::string_view node) : trace_(trace) {
  ++trace_.lines_;
  trace_.mix(static_cast<std::uint64_t>(time_us));
  trace_.mix(event);
  trace_.mix(node);
  if (trace_.file_ == nullptr) return;
  std::string& out = trace_.buffer_;
  out += "{\"t_us\":";
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, time_us).ptr;
  out.append(digits, end);
  out += ",\"ev\":\"";
  out += event;
  out += '"';
  if (!node.empty()) {
    out += ",\"node\":\"";
    append_escaped(out, node);
    out += '"';
  }
}

Trace::Line::~Line() {
  trace_.mix(std::uint64_t{fields_});  // The count ends the line, so lines with optional fields cannot run into each other.
  if (trace_.file_ == nullptr) return;
  trace_.buffer_ += "}\n";
  if (trace_.buffer_.size() >= flush_threshold_bytes) {
    std::fwrite(trace_.buffer_.data(), 1, trace_.buffer_.size(), trace_.file_);
    trace_.buffer_.clear();
  }
}

void Trace::Line::key(std::string_view name) {
  std::string& out = trace_.buffer_;
  out += ",\"";
  out += name;
  out += "\":";
}

template <typename Integer>
Trace::Line& Trace::Line::number(std::string_view name, Integer value) {
  ++fields_;
  trace_.mix(static_cast<std::uint64_t>(value));
  if (trace_.file_ != nullptr) {
    key(name);
    char digits[24];
    auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    trace_.buffer_.append(digits, end);
  }
  return *this;
}

Trace::Line& Trace::Line::field(std::string_view name, std::uint64_t value) { return number(name, value); }
Trace::Line& Trace::Line::field(std::string_view name, std::int64_t value) { return number(name, value); }

Trace::Line& Trace::Line::field(std::string_view name, bool value) {
  ++fields_;
  trace_.mix(std::uint64_t{value ? 1U : 0U});
  if (trace_.file_ != nullptr) {
    key(name);
    trace_.buffer_ += value ? "true" : "false";
  }
  return *this;
}

Trace::Line& Trace::Line::field(std::string_view name, std::string_view value) {
  ++fields_;
  trace_.mix(value);
  if (trace_.file_ != nullptr) {
    key(name);
    trace_.buffer_.push_back('"');
    append_escaped(trace_.buffer_, value);
    trace_.buffer_.push_back('"');
  }
  return *this;
}

Trace::Line& Trace::Line::json(std::string_view name, std::string_view json_text) {
  ++fields_;
  trace_.mix(json_text);
  if (trace_.file_ != nullptr) {
    key(name);
    trace_.buffer_ += json_text;
  }
  return *this;
}

}  // namespace edgecache::sim
