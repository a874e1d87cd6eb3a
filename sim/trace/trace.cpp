#include "sim/trace/trace.h"

#include "core/hex.h"

#include <bit>
#include <charconv>
#include <cstring>

#include "core/assert.h"
#include "core/mix64.h"

namespace edgecache::sim {

namespace {
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

void Trace::mix_long(std::string_view bytes) {
  std::size_t offset = 0;
  for (; offset + 8 <= bytes.size(); offset += 8) mix(load_word(bytes.data() + offset));
  const std::size_t tail_bytes = bytes.size() - offset;
  mix((static_cast<std::uint64_t>(bytes.size()) << (8 * tail_bytes)) | load_short(bytes.data() + offset, tail_bytes));
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

void Trace::Line::write_start(TimeUs time_us, std::string_view event, std::string_view node) {
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

void Trace::Line::write_end() {
  trace_.buffer_ += "}\n";
  if (trace_.buffer_.size() >= flush_threshold_bytes) {
    std::fwrite(trace_.buffer_.data(), 1, trace_.buffer_.size(), trace_.file_);
    trace_.buffer_.clear();
  }
}

void Trace::Line::write_key(std::string_view key) {
  std::string& out = trace_.buffer_;
  out += ",\"";
  out += key;
  out += "\":";
}

template <typename Integer>
void Trace::Line::write_number(std::string_view key, Integer value) {
  write_key(key);
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  trace_.buffer_.append(digits, end);
}
template void Trace::Line::write_number(std::string_view, std::uint64_t);
template void Trace::Line::write_number(std::string_view, std::int64_t);

void Trace::Line::write_bool(std::string_view key, bool value) {
  write_key(key);
  trace_.buffer_ += value ? "true" : "false";
}

void Trace::Line::write_string(std::string_view key, std::string_view value) {
  write_key(key);
  trace_.buffer_.push_back('"');
  append_escaped(trace_.buffer_, value);
  trace_.buffer_.push_back('"');
}

void Trace::Line::write_json(std::string_view key, std::string_view json_text) {
  write_key(key);
  trace_.buffer_ += json_text;
}

}  // namespace edgecache::sim
