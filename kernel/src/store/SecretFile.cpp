#include "store/SecretFile.h"

#include <Poco/RandomStream.h>

#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace anchang {

std::string SecretFile::loadOrCreate(const std::string& path, std::size_t minimumBytes, const std::function<std::string()>& make) {
    {
        std::ifstream in(path, std::ios::binary);
        if (in) {
            std::ostringstream text;
            text << in.rdbuf();
            if (text.str().size() >= minimumBytes) return text.str();
        }
    }
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    const std::string secret = make();
    // Created 0600 from the start, never readable by others even for a moment.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot write the secret " + path);
    const bool written = ::write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written) throw std::runtime_error("cannot write the secret " + path);
    return secret;
}

std::string SecretFile::randomBytes(std::size_t bytes) {
    std::string key(bytes, '\0');
    Poco::RandomInputStream random;
    random.read(key.data(), static_cast<std::streamsize>(key.size()));
    return key;
}

} // namespace anchang
