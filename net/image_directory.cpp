#include "net/image_directory.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include "net/http_routes.h"

namespace edgecache::net {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view image_file_prefix = "image";
constexpr std::string_view image_extensions[] = {".jpg", ".png", ".gif", ".webp"};

// Returns the id in an image{N}.{ext} file name, or nothing for any other name.
std::optional<ImageId> image_id_of(const std::string& name) {
  if (name.substr(0, image_file_prefix.size()) != image_file_prefix) return std::nullopt;
  const auto dot = name.rfind('.');
  if (dot == std::string::npos || dot < image_file_prefix.size()) return std::nullopt;
  const std::string_view extension = std::string_view(name).substr(dot);
  if (std::find(std::begin(image_extensions), std::end(image_extensions), extension) == std::end(image_extensions)) {
    return std::nullopt;
  }
  return parse_image_id(std::string_view(name).substr(image_file_prefix.size(), dot - image_file_prefix.size()));
}

}  // namespace

std::optional<std::string> load_image_directory(const std::string& directory, MemoryCatalog& catalog, Logger& logger) {
  std::error_code error;
  if (!fs::is_directory(directory, error)) return "--images-dir: '" + directory + "' is not a readable directory";
  // Sorted by id so a duplicate is reported the same way every time.
  std::map<ImageId, std::vector<fs::path>> files;
  for (fs::directory_iterator entry(directory, error), end; !error && entry != end; entry.increment(error)) {
    if (!entry->is_regular_file(error)) continue;
    if (auto id = image_id_of(entry->path().filename().string())) files[*id].push_back(entry->path());
  }
  if (error) return "--images-dir: cannot list '" + directory + "': " + error.message();

  for (auto& [id, paths] : files) {
    if (paths.size() > 1) {
      std::sort(paths.begin(), paths.end());
      return "--images-dir: image id " + std::to_string(id) + " has two files: " + paths[0].string() + " and " +
             paths[1].string();
    }
    const fs::path& path = paths.front();
    const std::uintmax_t size_bytes = fs::file_size(path, error);
    if (error || size_bytes > max_image_bytes) {
      logger.warn("image_skipped", {{"path", path.string()},
                                    {"reason", error ? error.message() : "larger than max_image_bytes"}});
      continue;
    }
    std::ifstream file(path, std::ios::binary);
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size_bytes));
    file.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!file || file.gcount() != static_cast<std::streamsize>(bytes.size())) {
      logger.warn("image_skipped", {{"path", path.string()}, {"reason", "read failed"}});
      continue;
    }
    catalog.add(id, make_body(std::move(bytes)));
  }
  return std::nullopt;
}

}  // namespace edgecache::net
