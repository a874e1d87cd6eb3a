// edgecache-gen-images: writes N deterministic sample images (real PNGs, see net/sample_images.h) named
// image{id}.png into a directory, for the canonical's --images-dir. Exit codes: 0 done, 2 bad usage,
// 1 a file could not be written.
//
//   edgecache-gen-images --out DIR [--count N] [--min-bytes B] [--max-bytes B]

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <boost/program_options.hpp>

#include "net/sample_images.h"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  using namespace edgecache::net;
  po::options_description options("edgecache-gen-images --out DIR [options]");
  // clang-format off
  options.add_options()
    ("help,h", "print this help and exit")
    ("out", po::value<std::string>(), "directory to write image{id}.png into (created if missing)")
    ("count", po::value<std::uint64_t>()->default_value(100), "how many images: ids 1..count")
    ("min-bytes", po::value<std::uint64_t>()->default_value(default_sample_min_bytes), "smallest target file size")
    ("max-bytes", po::value<std::uint64_t>()->default_value(default_sample_max_bytes), "largest target file size");
  // clang-format on
  SampleImageOptions sample;
  std::string out;
  try {
    po::variables_map values;
    po::store(po::parse_command_line(argc, argv, options), values);
    if (values.count("help") != 0) {
      std::cout << options;
      return 0;
    }
    if (values.count("out") == 0) throw po::error("--out is required");
    out = values["out"].as<std::string>();
    sample.count = values["count"].as<std::uint64_t>();
    sample.min_bytes = values["min-bytes"].as<std::uint64_t>();
    sample.max_bytes = values["max-bytes"].as<std::uint64_t>();
    if (sample.count == 0 || sample.count > max_sample_images) throw po::error("--count must be in 1.." + std::to_string(max_sample_images));
    if (sample.min_bytes < 1024 || sample.min_bytes > sample.max_bytes || sample.max_bytes > 32ULL * 1024 * 1024) {
      throw po::error("--min-bytes and --max-bytes need 1024 <= min <= max <= 33554432");
    }
  } catch (const po::error& error) {
    std::cerr << "edgecache-gen-images: " << error.what() << "\n(see edgecache-gen-images --help)\n";
    return 2;
  }
  std::error_code error;
  std::filesystem::create_directories(out, error);
  if (error) {
    std::cerr << "edgecache-gen-images: cannot create " << out << ": " << error.message() << "\n";
    return 1;
  }
  std::uint64_t total_bytes = 0;
  for (edgecache::ImageId id = 1; id <= sample.count; ++id) {
    const std::vector<std::uint8_t> png = sample_png(id, sample);
    const std::filesystem::path path = std::filesystem::path(out) / sample_file_name(id);
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
    if (!file) {
      std::cerr << "edgecache-gen-images: cannot write " << path.string() << "\n";
      return 1;
    }
    total_bytes += png.size();
  }
  std::cout << "wrote " << sample.count << " images (" << total_bytes / 1024 << " KiB) to " << out << "\n";
  return 0;
}
