// The SHA-256 of a file's content, streamed through OpenSSL, and remembered by the file's
// (path, size, mtime, inode) so an unchanged multi-GB GGUF is not read again at each start.
#pragma once

#include <filesystem>
#include <string>

namespace wasinn::gguf {

// Lower-case hex SHA-256 of the file's bytes. nn::Error(invalid_argument) when it cannot be read.
std::string sha256_of_file(const std::filesystem::path& file);

// sha256_of_file, through a record in `memo_dir` (one small file per GGUF path) that is reused
// while the file's size, mtime and inode are those recorded. A record that cannot be written
// only costs a re-hash next time.
std::string content_hash(const std::filesystem::path& file, const std::filesystem::path& memo_dir);

}  // namespace wasinn::gguf
