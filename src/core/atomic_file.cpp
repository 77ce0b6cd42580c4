// Crash-safe file replacement (temp file + fsync + rename + directory fsync) and whole-file
// reads, on POSIX file descriptors so every failure can report errno.
#include "src/core/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "src/core/error.h"

namespace deepnet {
namespace {

[[noreturn]] void throw_io(const std::string& what, const std::string& path, int err) {
    throw UserError(what + " '" + path + "': " + std::strerror(err));
}

std::string parent_dir(const std::string& path) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

void write_all(int fd, const char* data, size_t size, const std::string& tmp) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_io("cannot write temporary file", tmp, errno);
        }
        data += n;
        size -= static_cast<size_t>(n);
    }
}

// Without this the rename itself may be lost on power failure, even though the data is on
// disk, and an old checkpoint would silently reappear.
void fsync_dir(const std::string& path) {
    const std::string dir = parent_dir(path);
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw_io("cannot open directory '" + dir + "' to sync", path, errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    // Some file systems cannot fsync a directory (EINVAL); the rename has still happened.
    if (rc != 0 && err != EINVAL) throw_io("cannot sync directory '" + dir + "' after writing", path, err);
}

}  // namespace

void write_file_atomic(const std::string& path, const std::string& bytes) {
    write_file_atomic(path, [&bytes](const ChunkSink& sink) { sink(bytes.data(), bytes.size()); });
}

void write_file_atomic(const std::string& path,
                       const std::function<void(const ChunkSink& sink)>& produce,
                       const std::function<void(const std::string& temp_path)>& verify) {
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw_io("cannot create temporary file for", path, errno);
    try {
        produce([fd, &tmp](const char* data, size_t size) { write_all(fd, data, size, tmp); });
        if (::fsync(fd) != 0) throw_io("cannot sync temporary file", tmp, errno);
        const int rc = ::close(fd);
        fd = -1;
        // close can report a deferred write error (e.g. NFS quota); the data is not safe then.
        if (rc != 0) throw_io("cannot close temporary file", tmp, errno);
        if (verify) verify(tmp);
        if (::rename(tmp.c_str(), path.c_str()) != 0)
            throw_io("cannot rename '" + tmp + "' over", path, errno);
    } catch (...) {
        if (fd >= 0) ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    fsync_dir(path);
}

std::vector<std::string> remove_stale_temp_files(const std::string& path) {
    const size_t slash = path.rfind('/');
    const std::string dir = parent_dir(path);
    const std::string prefix = (slash == std::string::npos ? path : path.substr(slash + 1)) + ".tmp.";
    std::vector<std::string> removed;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return removed;
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
        const std::string pid_text = name.substr(prefix.size());
        if (pid_text.size() > 9 || pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
        const pid_t pid = static_cast<pid_t>(std::stol(pid_text));
        const bool alive = pid != ::getpid() && (::kill(pid, 0) == 0 || errno == EPERM);
        const std::string full = dir + "/" + name;
        if (!alive && ::unlink(full.c_str()) == 0) removed.push_back(full);
    }
    ::closedir(d);
    return removed;
}

std::string read_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_io("cannot open file", path, errno);
    std::string out;
    struct stat st;
    if (::fstat(fd, &st) == 0 && st.st_size > 0) out.reserve(static_cast<size_t>(st.st_size));
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            throw_io("cannot read file", path, err);
        }
        out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
}

}  // namespace deepnet
