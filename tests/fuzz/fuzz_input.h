// Shared by the fuzz targets: the input as a file the readers open by path. One memfd per
// process (nothing on disk, nothing left behind, no clash between parallel fuzzers),
// rewritten for each input and named /proc/self/fd/N.
#pragma once

#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace deepnet::fuzz {

inline std::string input_file(const uint8_t* data, size_t size) {
    static const int fd = ::memfd_create("deepnet_fuzz_input", MFD_CLOEXEC);
    if (fd < 0 || ::ftruncate(fd, 0) != 0) {
        std::perror("fuzz input memfd");
        std::abort();
    }
    for (size_t done = 0; done < size;) {
        const ssize_t n = ::pwrite(fd, data + done, size - done, off_t(done));
        if (n <= 0) {
            std::perror("fuzz input pwrite");
            std::abort();
        }
        done += size_t(n);
    }
    return "/proc/self/fd/" + std::to_string(fd);
}

}  // namespace deepnet::fuzz
