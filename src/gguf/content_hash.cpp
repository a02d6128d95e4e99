#include "gguf/content_hash.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "wasinn/nn/error.h"

namespace wasinn::gguf {
namespace {

namespace fs = std::filesystem;
using nn::Error;
using nn::ErrorCode;

std::string hex(const unsigned char* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xf];
  }
  return out;
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// What identifies a version of the file without reading it.
std::string identity(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return {};
  std::ostringstream id;
  id << st.st_size << ' ' << st.st_mtim.tv_sec << '.' << st.st_mtim.tv_nsec << ' ' << st.st_dev << ':' << st.st_ino;
  return id.str();
}

}  // namespace

std::string sha256_of_file(const fs::path& file) {
  Fd in{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0)
    throw Error(ErrorCode::invalid_argument, "cannot read " + file.string() + ": " + std::strerror(errno));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    throw Error(ErrorCode::runtime_error, "OpenSSL could not start a SHA-256 digest");
  std::vector<unsigned char> buffer(1 << 20);
  for (;;) {
    ssize_t n = ::read(in.fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(ErrorCode::invalid_argument, "cannot read " + file.string() + ": " + std::strerror(errno));
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<size_t>(n));
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest.data(), &length);
  return hex(digest.data(), length);
}

std::string content_hash(const fs::path& file, const fs::path& memo_dir) {
  std::error_code ec;
  auto absolute = fs::absolute(file, ec);
  std::string path = (ec ? file : absolute).lexically_normal().string();
  // One record per path, named by the path's own hash (paths may hold any byte).
  auto path_digest = [&] {
    std::array<unsigned char, EVP_MAX_MD_SIZE> d{};
    unsigned int n = 0;
    EVP_Digest(path.data(), path.size(), d.data(), &n, EVP_sha256(), nullptr);
    return hex(d.data(), n);
  }();
  fs::path record = memo_dir / path_digest;

  std::string before = identity(file);
  if (!before.empty()) {
    std::ifstream in(record);
    std::string recorded_path, recorded_identity, recorded_hash;
    if (std::getline(in, recorded_path) && std::getline(in, recorded_identity) && std::getline(in, recorded_hash) &&
        recorded_path == path && recorded_identity == before && recorded_hash.size() == 64)
      return recorded_hash;
  }
  std::string hash = sha256_of_file(file);
  // Record it only if the file did not change while it was read.
  if (!before.empty() && identity(file) == before) {
    fs::create_directories(memo_dir, ec);
    fs::path tmp = record;
    tmp += ".tmp-" + std::to_string(::getpid());
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << path << '\n' << before << '\n' << hash << '\n';
    }
    fs::rename(tmp, record, ec);
    if (ec) fs::remove(tmp, ec);
  }
  return hash;
}

}  // namespace wasinn::gguf
