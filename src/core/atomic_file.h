// Whole-file I/O for checkpoints: crash-safe replacement of a file and reading one back.
// write_file_atomic writes "<path>.tmp.<pid>" in the same directory, fsyncs it, renames it
// over <path> and fsyncs the directory, so a crash or a full disk leaves either the old
// file or the complete new one, never a torn mix.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace deepnet {

// Appends bytes to the file being written; may be called any number of times.
using ChunkSink = std::function<void(const char* data, size_t size)>;

// Replaces `path` with `bytes` atomically. Throws UserError naming the path and strerror.
void write_file_atomic(const std::string& path, const std::string& bytes);

// Streaming form for multi-GB files: `produce` hands the content to the sink in chunks
// (each chunk is one write(2), so pass large ones). If `produce` throws, the temporary file
// is removed, `path` is left untouched and the exception propagates unchanged. Not safe
// for two threads of one process writing the same path at once (they share the temp name).
// `verify`, when given, reads the complete temporary file back (its path is the argument)
// and throws if it is not what was meant; `path` is then left untouched.
void write_file_atomic(const std::string& path,
                       const std::function<void(const ChunkSink& sink)>& produce,
                       const std::function<void(const std::string& temp_path)>& verify = nullptr);

// Removes "<path>.tmp.<pid>" files that a killed process left behind (the pid no longer
// runs, or is this process, which is not writing `path` now); returns the names removed.
std::vector<std::string> remove_stale_temp_files(const std::string& path);

// The whole file. Throws UserError naming the path and the reason (strerror).
std::string read_file(const std::string& path);

}  // namespace deepnet
