#pragma once
/// anchang::MediaType — what a file is, from its bytes, never its name: the types the media
/// store takes, whether a file is whole, and an image's size in pixels read from its header
/// (so a decompression bomb is refused before anything decodes it).

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace anchang {

class MediaType {
public:
    /// Bytes enough for sniff().
    static constexpr std::size_t kHeadBytes = 32;

    static constexpr const char* kXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// image/jpeg, image/png, image/webp, application/pdf, video/mp4, kXlsx, text/csv (any other
    /// text: sniff() cannot tell CSV from prose, so only kinds that take CSV accept text).
    static bool known(const std::string& mime);
    static std::string knownList();
    static bool image(const std::string& mime);
    /// The known type these first bytes begin, or "" for anything else.
    static std::string sniff(std::string_view head);

    struct Shape {
        bool complete = false; ///< the file's own structure reaches its end (not truncated)
        std::int64_t width = 0; ///< images: from the header
        std::int64_t height = 0;
    };
    /// Reads `file` of type `mime` (as sniffed) through, never whole into memory.
    static Shape inspect(const std::filesystem::path& file, const std::string& mime);
};

} // namespace anchang
