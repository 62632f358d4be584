#include "media/MediaType.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <vector>

namespace anchang {

namespace {

constexpr std::array<const char*, 7> kKnown{"image/jpeg", "image/png", "image/webp", "application/pdf", "video/mp4", MediaType::kXlsx, "text/csv"};

std::uint32_t be32(const unsigned char* p) { return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3]; }
std::uint32_t le16(const unsigned char* p) { return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8; }
std::uint32_t le24(const unsigned char* p) { return le16(p) | std::uint32_t(p[2]) << 16; }
std::uint32_t le32(const unsigned char* p) { return le24(p) | std::uint32_t(p[3]) << 24; }

bool readAt(std::ifstream& in, std::uint64_t at, unsigned char* out, std::size_t n) {
    in.clear();
    in.seekg(static_cast<std::streamoff>(at));
    in.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
    return static_cast<std::size_t>(in.gcount()) == n;
}

/// PNG: the chunks, walked by their lengths, reach IEND; IHDR (first) has the size.
MediaType::Shape png(std::ifstream& in, std::uint64_t size) {
    MediaType::Shape shape;
    unsigned char head[8];
    for (std::uint64_t at = 8; at + 12 <= size;) {
        if (!readAt(in, at, head, 8)) break;
        const std::uint64_t length = be32(head);
        const std::string_view type(reinterpret_cast<const char*>(head + 4), 4);
        if (type == "IHDR" && length >= 8) {
            unsigned char wh[8];
            if (!readAt(in, at + 8, wh, 8)) break;
            shape.width = be32(wh);
            shape.height = be32(wh + 4);
        }
        at += 12 + length;
        if (type == "IEND") {
            shape.complete = at <= size;
            break;
        }
    }
    return shape;
}

/// JPEG: the frame header (SOF) has the size; the end-of-image marker must follow the first
/// scan (inside entropy-coded data a 0xFF byte is always followed by 0x00 or a restart marker).
MediaType::Shape jpeg(std::ifstream& in, std::uint64_t size) {
    MediaType::Shape shape;
    unsigned char m[4];
    std::uint64_t at = 2;
    for (;;) {
        if (at + 4 > size || !readAt(in, at, m, 4) || m[0] != 0xFF) return shape;
        const unsigned marker = m[1];
        if (marker == 0xFF) { // fill byte
            ++at;
            continue;
        }
        const std::uint64_t length = std::uint32_t(m[2]) << 8 | m[3];
        const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof) {
            unsigned char f[5];
            if (!readAt(in, at + 4, f, 5)) return shape;
            shape.height = std::uint32_t(f[1]) << 8 | f[2];
            shape.width = std::uint32_t(f[3]) << 8 | f[4];
        }
        at += 2 + length;
        if (marker == 0xDA) break; // start of scan: entropy-coded data follows
    }
    in.clear();
    in.seekg(static_cast<std::streamoff>(at));
    std::vector<char> buffer(64 * 1024);
    bool afterFF = false;
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        for (std::streamsize i = 0; i < in.gcount(); ++i) {
            const auto b = static_cast<unsigned char>(buffer[static_cast<std::size_t>(i)]);
            if (afterFF && b == 0xD9) {
                shape.complete = true;
                return shape;
            }
            afterFF = b == 0xFF;
        }
    }
    return shape;
}

/// WebP: the RIFF size covers the file; VP8, VP8L or VP8X says the canvas size.
MediaType::Shape webp(std::ifstream& in, std::uint64_t size) {
    MediaType::Shape shape;
    unsigned char h[30];
    if (!readAt(in, 0, h, sizeof h)) return shape;
    shape.complete = le32(h + 4) + 8 <= size;
    const std::string_view chunk(reinterpret_cast<const char*>(h + 12), 4);
    if (chunk == "VP8 ") {
        shape.width = le16(h + 26) & 0x3FFF;
        shape.height = le16(h + 28) & 0x3FFF;
    } else if (chunk == "VP8L") {
        const std::uint32_t bits = le32(h + 21);
        shape.width = (bits & 0x3FFF) + 1;
        shape.height = ((bits >> 14) & 0x3FFF) + 1;
    } else if (chunk == "VP8X") {
        shape.width = le24(h + 24) + 1;
        shape.height = le24(h + 27) + 1;
    }
    return shape;
}

/// PDF: "%%EOF" within its last kilobyte.
MediaType::Shape pdf(std::ifstream& in, std::uint64_t size) {
    MediaType::Shape shape;
    const std::uint64_t tail = std::min<std::uint64_t>(size, 1024);
    std::string last(tail, '\0');
    if (readAt(in, size - tail, reinterpret_cast<unsigned char*>(last.data()), tail)) shape.complete = last.find("%%EOF") != std::string::npos;
    return shape;
}

/// MP4: the top-level boxes, walked by their sizes, end exactly at the end of the file.
MediaType::Shape mp4(std::ifstream& in, std::uint64_t size) {
    MediaType::Shape shape;
    unsigned char b[16];
    std::uint64_t at = 0;
    while (at + 8 <= size) {
        if (!readAt(in, at, b, 8)) return shape;
        std::uint64_t length = be32(b);
        if (length == 1) {
            if (!readAt(in, at + 8, b + 8, 8)) return shape;
            length = std::uint64_t(be32(b + 8)) << 32 | be32(b + 12);
        } else if (length == 0) {
            length = size - at; // to the end of the file
        }
        if (length < 8) return shape;
        at += length;
    }
    shape.complete = at == size;
    return shape;
}

/// XLSX (a ZIP package): the end-of-central-directory record within the last 64 KiB.
MediaType::Shape zip(std::ifstream& in, std::uint64_t size) {
    MediaType::Shape shape;
    const std::uint64_t tail = std::min<std::uint64_t>(size, 22 + 65535);
    std::string last(tail, '\0');
    if (readAt(in, size - tail, reinterpret_cast<unsigned char*>(last.data()), tail))
        shape.complete = last.rfind(std::string("PK\x05\x06", 4)) != std::string::npos;
    return shape;
}

/// CSV: text, so no NUL byte anywhere.
MediaType::Shape text(std::ifstream& in) {
    MediaType::Shape shape;
    in.clear();
    in.seekg(0);
    std::vector<char> buffer(64 * 1024);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        if (std::find(buffer.begin(), buffer.begin() + in.gcount(), '\0') != buffer.begin() + in.gcount()) return shape;
    }
    shape.complete = true;
    return shape;
}

} // namespace

bool MediaType::known(const std::string& mime) {
    for (const char* k : kKnown)
        if (mime == k) return true;
    return false;
}

std::string MediaType::knownList() {
    std::string out;
    for (const char* k : kKnown) out += (out.empty() ? "" : ", ") + std::string(k);
    return out;
}

bool MediaType::image(const std::string& mime) { return mime.starts_with("image/"); }

std::string MediaType::sniff(std::string_view head) {
    auto starts = [&](std::string_view magic, std::size_t at = 0) { return head.size() >= at + magic.size() && head.substr(at, magic.size()) == magic; };
    if (starts("\xFF\xD8\xFF")) return "image/jpeg";
    if (starts("\x89PNG\r\n\x1A\n")) return "image/png";
    if (starts("RIFF") && starts("WEBP", 8)) return "image/webp";
    if (starts("%PDF-")) return "application/pdf";
    if (starts("ftyp", 4)) return "video/mp4";
    if (starts(std::string_view("PK\x03\x04", 4))) return kXlsx;
    // Anything else without a NUL byte is text, which only kinds that take CSV accept.
    if (!head.empty() && head.find('\0') == std::string_view::npos) return "text/csv";
    return "";
}

MediaType::Shape MediaType::inspect(const std::filesystem::path& file, const std::string& mime) {
    std::ifstream in(file, std::ios::binary);
    std::error_code error;
    const auto size = std::filesystem::file_size(file, error);
    if (!in || error) return {};
    if (mime == "image/png") return png(in, size);
    if (mime == "image/jpeg") return jpeg(in, size);
    if (mime == "image/webp") return webp(in, size);
    if (mime == "application/pdf") return pdf(in, size);
    if (mime == "video/mp4") return mp4(in, size);
    if (mime == kXlsx) return zip(in, size);
    if (mime == "text/csv") return text(in);
    return {};
}

} // namespace anchang
