// Uploaded files' headers: MediaType reads a stranger's bytes (chunk lengths, markers, box
// sizes) to tell a file's type, whether it is whole and an image's size, before anything
// decodes it. Whatever the bytes say, it must answer without crashing, looping or reading past
// the file.
#include "media/MediaType.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::filesystem::path file = std::filesystem::temp_directory_path() / ("anchang-media-fuzz-" + std::to_string(::getpid()));
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    const std::string type = anchang::MediaType::sniff(bytes);
    if (type.empty()) return 0;
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
    (void)anchang::MediaType::inspect(file, type);
    return 0;
}
