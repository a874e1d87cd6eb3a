#include "net/file_storage.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <span>
#include <system_error>

#include <boost/asio/post.hpp>

#include "core/assert.h"
#include "core/catalog.h"

namespace edgecache::net {

namespace {

std::string describe_errno(int error_number) { return std::generic_category().message(error_number); }

StorageError storage_error_of(int error_number) {
  if (error_number == 0) return StorageError::none;
  if (error_number == ENOSPC || error_number == EDQUOT) return StorageError::no_space;
  return StorageError::io_error;
}

// Writes all of `bytes` to `descriptor`, resuming after partial writes and interruptions; returns 0 or errno.
int write_all(int descriptor, std::span<const std::uint8_t> bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(descriptor, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    bytes = bytes.subspan(static_cast<std::size_t>(written));
  }
  return 0;
}

// Reads exactly `bytes.size()` bytes from the start of `descriptor`; returns 0, errno, or EIO if the file
// ended early (it shrank after its size was read).
int read_all(int descriptor, std::span<std::uint8_t> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t got = ::pread(descriptor, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (got == 0) return EIO;
    done += static_cast<std::size_t>(got);
  }
  return 0;
}

std::int64_t modification_nanoseconds(const struct stat& status) {
  return static_cast<std::int64_t>(status.st_mtim.tv_sec) * 1'000'000'000 + status.st_mtim.tv_nsec;
}

// Signals go to the node's thread, where Asio's signal_set waits for them; the writer's system calls are
// then never interrupted by one.
void block_signals_on_this_thread() {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
}

}  // namespace

FileStorage::FileStorage(std::string directory, boost::asio::io_context& context, Logger& logger)
    : directory_(std::move(directory)), context_(context), logger_(logger) {}

FileStorage::~FileStorage() {
  *alive_ = false;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_writer_.notify_one();
  if (writer_.joinable()) writer_.join();
  if (directory_descriptor_ >= 0) ::close(directory_descriptor_);
}

std::optional<std::string> FileStorage::open() {
  EC_ASSERT(directory_descriptor_ < 0, "FileStorage::open is called once");
  const std::string unusable = "--data-dir: cannot create or use '" + directory_ + "'";
  std::error_code error;
  std::filesystem::create_directories(directory_, error);
  if (error) return unusable + ": " + error.message();
  directory_descriptor_ = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory_descriptor_ < 0) return unusable + ": " + describe_errno(errno);
  DIR* listing = ::opendir(directory_.c_str());
  if (listing == nullptr) return "--data-dir: cannot list '" + directory_ + "': " + describe_errno(errno);
  ::closedir(listing);
  writer_ = std::thread([this] { run_writer(); });
  return std::nullopt;
}

std::string FileStorage::path_of(const std::string& name) const { return directory_ + "/" + name; }

std::vector<StoredFile> FileStorage::list() {
  EC_ASSERT(directory_descriptor_ >= 0, "FileStorage::open succeeded before list");
  std::vector<StoredFile> files;
  DIR* listing = ::opendir(directory_.c_str());
  if (listing == nullptr) {
    logger_.warn("disk_cache_list_failed", {{"data_dir", directory_}, {"reason", describe_errno(errno)}});
    return files;
  }
  while (const dirent* entry = ::readdir(listing)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    struct stat status {};
    const bool examined = ::fstatat(directory_descriptor_, name.c_str(), &status, AT_SYMLINK_NOFOLLOW) == 0;
    if (examined && !S_ISREG(status.st_mode)) continue;
    if (name.find(temporary_file_marker) != std::string::npos) {
      logger_.warn("disk_cache_file_dropped",
                   {{"path", path_of(name)}, {"reason", "unfinished write from an earlier run"}});
      ::unlinkat(directory_descriptor_, name.c_str(), 0);
      continue;
    }
    files.push_back({name, examined ? static_cast<std::uint64_t>(status.st_size) : 0,
                     examined ? modification_nanoseconds(status) : 0});
  }
  ::closedir(listing);
  return files;
}

StoredRead FileStorage::read(const std::string& name) {
  const int descriptor = ::openat(directory_descriptor_, name.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0) return {nullptr, describe_errno(errno)};
  struct stat status {};
  std::string error;
  if (::fstat(descriptor, &status) != 0) {
    error = describe_errno(errno);
  } else if (static_cast<std::uint64_t>(status.st_size) > max_image_bytes) {
    error = "larger than max_image_bytes";
  }
  std::vector<std::uint8_t> bytes;
  if (error.empty()) {
    bytes.resize(static_cast<std::size_t>(status.st_size));
    if (const int read_error = read_all(descriptor, bytes)) error = describe_errno(read_error);
  }
  ::close(descriptor);
  if (!error.empty()) return {nullptr, error};
  return {make_body(std::move(bytes)), ""};
}

std::size_t FileStorage::queued_writes() const {
  std::lock_guard lock(mutex_);
  return queued_writes_;
}

void FileStorage::write(std::string name, Body body, WriteDone done) {
  EC_ASSERT(writer_.joinable(), "FileStorage::open succeeded before write");
  EC_ASSERT(body != nullptr, "a write has a body");
  {
    std::lock_guard lock(mutex_);
    EC_ASSERT(queued_writes_ < max_queued_disk_writes, "the disk cache checks queued_writes() before a write");
    ++queued_writes_;
    queue_.push_back(Operation{true, std::move(name), std::move(body), std::move(done)});
  }
  ++unfinished_operations_;
  wake_writer_.notify_one();
}

void FileStorage::remove(std::string name) {
  EC_ASSERT(writer_.joinable(), "FileStorage::open succeeded before remove");
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    if (queued_removals_ < max_queued_disk_removals) {
      ++queued_removals_;
      queue_.push_back(Operation{false, name, nullptr, nullptr});
      queued = true;
    }
  }
  if (!queued) {
    // The file stays until the next start-up, which sorts it out.
    logger_.warn("disk_cache_remove_failed", {{"path", path_of(name)}, {"reason", "too many removals queued"}});
    return;
  }
  ++unfinished_operations_;
  wake_writer_.notify_one();
}

void FileStorage::run_writer() {
  block_signals_on_this_thread();
  while (true) {
    Operation operation;
    {
      std::unique_lock lock(mutex_);
      wake_writer_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      operation = std::move(queue_.front());
      queue_.pop_front();
    }
    const int error_number = perform(operation);
    // The bytes are on the disk or not; holding them any longer only holds memory.
    operation.body.reset();
    {
      std::lock_guard lock(mutex_);
      --(operation.is_write ? queued_writes_ : queued_removals_);
    }
    boost::asio::post(context_, [this, alive = alive_, operation = std::move(operation), error_number]() mutable {
      if (*alive) complete(operation, error_number);
    });
  }
}

int FileStorage::perform(const Operation& operation) const {
  if (operation.is_write) return write_durably(operation.name, operation.body);
  // A removal is not made durable: a removed file that comes back after a crash holds a valid image, and
  // the next start-up loads it or drops it like any other.
  if (::unlinkat(directory_descriptor_, operation.name.c_str(), 0) == 0 || errno == ENOENT) return 0;
  return errno;
}

int FileStorage::write_durably(const std::string& name, const Body& body) const {
  // One writer thread, so one temporary name per final name is enough.
  const std::string temporary = name + std::string(temporary_file_marker);
  const int descriptor =
      ::openat(directory_descriptor_, temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (descriptor < 0) return errno;
  int error_number = write_all(descriptor, body->bytes());
  if (error_number == 0 && ::fsync(descriptor) != 0) error_number = errno;
  if (::close(descriptor) != 0 && error_number == 0) error_number = errno;
  if (error_number == 0 &&
      ::renameat(directory_descriptor_, temporary.c_str(), directory_descriptor_, name.c_str()) != 0) {
    error_number = errno;
  }
  if (error_number != 0) {
    ::unlinkat(directory_descriptor_, temporary.c_str(), 0);
    return error_number;
  }
  // Until the directory is synced the rename itself may be lost. If that fails the complete file stays
  // under its name, not known to be durable, and is reported as a failed write.
  if (::fsync(directory_descriptor_) != 0) return errno;
  return 0;
}

void FileStorage::complete(Operation& operation, int error_number) {
  --unfinished_operations_;
  if (!operation.is_write) {
    if (error_number != 0) {
      logger_.warn("disk_cache_remove_failed",
                   {{"path", path_of(operation.name)}, {"reason", describe_errno(error_number)}});
    }
    return;
  }
  if (error_number != 0) {
    logger_.warn("disk_cache_write_failed", {{"path", path_of(operation.name)}, {"reason", describe_errno(error_number)}});
  }
  operation.done(storage_error_of(error_number));
}

}  // namespace edgecache::net
