#include "sim/trace.h"

#include "core/hex.h"

#include <bit>
#include <charconv>
#include <cstring>

#include "core/assert.h"

namespace edgecache::sim {

namespace {
constexpr std::uint64_t fnv_prime = 0x100000001B3ULL;
constexpr std::size_t flush_threshold_bytes = 1 << 20;

void append_escaped(std::string& out, std::string_view text) {
  for (char raw : text) {
    auto c = static_cast<unsigned char>(raw);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(raw);
    } else if (c < 0x20) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\u00";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    } else {
      out.push_back(raw);
    }
  }
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
  std::uint64_t tail = bytes.size();
  for (std::size_t index = bytes.size(); index > offset; --index) {
    tail = (tail << 8) | static_cast<unsigned char>(bytes[index - 1]);
  }
  mix(tail);  // The length folded in separates adjacent strings.
}

void Trace::mix(std::uint64_t value) {
  hash_ = (hash_ ^ value) * fnv_prime;
  hash_ ^= hash_ >> 31;
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
  trace_.mix(name);
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
  trace_.mix(name);
  trace_.mix(std::uint64_t{value ? 1U : 0U});
  if (trace_.file_ != nullptr) {
    key(name);
    trace_.buffer_ += value ? "true" : "false";
  }
  return *this;
}

Trace::Line& Trace::Line::field(std::string_view name, std::string_view value) {
  trace_.mix(name);
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
  trace_.mix(name);
  trace_.mix(json_text);
  if (trace_.file_ != nullptr) {
    key(name);
    trace_.buffer_ += json_text;
  }
  return *this;
}

}  // namespace edgecache::sim
