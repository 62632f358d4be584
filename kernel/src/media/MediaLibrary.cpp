#include "media/MediaLibrary.h"

#include "anchang/sdk/Error.hpp"
#include "clock/KernelClock.h"
#include "media/MediaType.h"
#include "store/SecretFile.h"
#include "store/Store.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <fcntl.h>
#include <unistd.h>

namespace anchang {

namespace {

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;

std::string hex(const std::string& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

/// A file written with plain descriptors, so that it can be fsynced before it is acknowledged.
class TempFile {
public:
    explicit TempFile(std::filesystem::path path) : path_(std::move(path)) {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd_ < 0) throw sdk::Error(500, "media.failed", "cannot create " + path_.string());
    }
    ~TempFile() {
        if (fd_ >= 0) ::close(fd_);
        if (!kept_) {
            std::error_code ignored;
            std::filesystem::remove(path_, ignored);
        }
    }
    void write(const char* data, std::size_t size) {
        while (size > 0) {
            const ssize_t n = ::write(fd_, data, size);
            if (n < 0) throw sdk::Error(500, "media.failed", "cannot write " + path_.string());
            data += n;
            size -= static_cast<std::size_t>(n);
        }
    }
    void sync() {
        if (::fsync(fd_) != 0) throw sdk::Error(500, "media.failed", "cannot sync " + path_.string());
        ::close(fd_);
        fd_ = -1;
    }
    /// Moves it to `to` for good (the folder synced, so the name survives a power cut).
    void keep(const std::filesystem::path& to) {
        std::filesystem::rename(path_, to);
        kept_ = true;
        if (const int dir = ::open(to.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
            ::fsync(dir);
            ::close(dir);
        }
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    int fd_ = -1;
    bool kept_ = false;
};

std::string typesOf(const PluginManifest::MediaKind& kind) {
    std::string out;
    for (const auto& t : kind.types) out += (out.empty() ? "" : ", ") + t;
    return out;
}

} // namespace

MediaLibrary::MediaLibrary(Store& store, KernelClock& clock, Options options) : store_(store), clock_(clock), options_(std::move(options)) {
    std::filesystem::create_directories(options_.root / "tmp");
    // Uploads cut short by a crash leave their temporary files; none of them was acknowledged.
    for (const auto& entry : std::filesystem::directory_iterator(options_.root / "tmp")) std::filesystem::remove(entry.path());
}

void MediaLibrary::addKinds(const std::string& plugin, const std::vector<PluginManifest::MediaKind>& kinds) {
    std::lock_guard lock(mutex_);
    for (const auto& k : kinds) kinds_[{plugin, k.name}] = k;
}

const PluginManifest::MediaKind* MediaLibrary::kind(const std::string& plugin, const std::string& kind) const {
    std::lock_guard lock(mutex_);
    const auto it = kinds_.find({plugin, kind});
    return it == kinds_.end() ? nullptr : &it->second;
}

std::string MediaLibrary::cleanName(const std::string& name) {
    std::string base = name.substr(name.find_last_of("/\\") == std::string::npos ? 0 : name.find_last_of("/\\") + 1);
    std::string out;
    for (char c : base)
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) out += c;
    out.erase(0, out.find_first_not_of(" ."));
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (out.size() > 120) {
        std::size_t cut = 120;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut; // not inside a character
        out.resize(cut);
    }
    return out.empty() ? "file" : out;
}

nlohmann::json MediaLibrary::store(const Upload& upload, std::istream& body) {
    const PluginManifest::MediaKind* found = kind(upload.plugin, upload.kind);
    if (!found) throw sdk::Error::notFound("media.unknown_kind", "no running module keeps files of kind " + upload.plugin + "/" + upload.kind);
    const PluginManifest::MediaKind k = *found;
    const auto tooLarge = [&] {
        return sdk::Error(413, "media.too_large", "a " + upload.kind + " may have at most " + std::to_string(k.maxBytes) + " bytes");
    };
    if (upload.declaredBytes > k.maxBytes) throw tooLarge();

    const std::string id = hex(SecretFile::randomBytes(16));
    TempFile temp(options_.root / "tmp" / (id + ".part"));
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    std::vector<char> buffer(64 * 1024);
    std::int64_t total = 0;
    std::string type;
    while (body) {
        body.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const auto n = static_cast<std::size_t>(body.gcount());
        if (n == 0) break;
        if (total == 0) {
            // The first read decides the type, from the bytes; the name proves nothing.
            type = MediaType::sniff(std::string_view(buffer.data(), n));
            if (std::find(k.types.begin(), k.types.end(), type) == k.types.end())
                throw sdk::Error(415, "media.type_refused",
                                 "the file is " + (type.empty() ? std::string("of no type the kernel recognises") : type) + "; a " + upload.kind +
                                     " must be " + typesOf(k));
        }
        total += static_cast<std::int64_t>(n);
        if (total > k.maxBytes) throw tooLarge();
        sha.update(buffer.data(), n);
        temp.write(buffer.data(), n);
    }
    if (total == 0) throw sdk::Error::invalid("media.empty", "the upload has no bytes");
    if (upload.declaredBytes >= 0 && total != upload.declaredBytes)
        throw sdk::Error(422, "media.truncated", "the upload ended after " + std::to_string(total) + " of " + std::to_string(upload.declaredBytes) + " bytes");
    temp.sync();

    const MediaType::Shape shape = MediaType::inspect(temp.path(), type);
    if (!shape.complete) throw sdk::Error(422, "media.truncated", "the " + type + " file is cut short or damaged");
    if (MediaType::image(type)) {
        if (shape.width <= 0 || shape.height <= 0) throw sdk::Error(422, "media.undecodable", "the image has no size in its header");
        if (shape.width * shape.height > options_.maxPixels)
            throw sdk::Error(422, "media.too_many_pixels", "the image is " + std::to_string(shape.width) + " x " + std::to_string(shape.height) +
                                                              " pixels; at most " + std::to_string(options_.maxPixels) + " are taken");
        // Decoded at an eighth of its size: proof that it is an image, at little cost.
        if (cv::imread(temp.path().string(), cv::IMREAD_REDUCED_GRAYSCALE_8).empty())
            throw sdk::Error(422, "media.undecodable", "the image does not decode");
    }

    const std::int64_t now = clock_.nowMs();
    const nlohmann::json expires = k.keepDays > 0 ? nlohmann::json(now + k.keepDays * kDayMs) : nlohmann::json(nullptr);
    const nlohmann::json width = shape.width > 0 ? nlohmann::json(shape.width) : nlohmann::json(nullptr);
    const nlohmann::json height = shape.height > 0 ? nlohmann::json(shape.height) : nlohmann::json(nullptr);
    const auto folder = options_.root / std::to_string(upload.project);
    std::filesystem::create_directories(folder);
    temp.keep(folder / id);
    try {
        store_.query("INSERT INTO kernel_media (id, project_id, plugin, kind, content_type, bytes, sha256, name, width, height, created_by, "
                     "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     {id, upload.project, upload.plugin, upload.kind, type, total, Poco::DigestEngine::digestToHex(sha.digest()),
                      cleanName(upload.name), width, height, upload.userId, now, expires});
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(folder / id, ignored);
        throw;
    }
    return describe(upload.project, id);
}

nlohmann::json MediaLibrary::describe(std::int64_t project, const std::string& id) {
    auto rows = store_.query("SELECT id, project_id, plugin, kind, content_type, bytes, sha256, name, width, height, created_by, created_at, "
                             "expires_at FROM kernel_media WHERE id = ? AND project_id = ?",
                             {id, project})
                    .rows;
    if (rows.empty()) throw sdk::Error::notFound("media.not_found", "no such file in this project: " + id);
    return std::move(rows[0]);
}

std::filesystem::path MediaLibrary::file(const nlohmann::json& record) const {
    // Both parts come from the record: a number and 32 hex digits.
    return options_.root / std::to_string(record["project_id"].get<std::int64_t>()) / record["id"].get<std::string>();
}

std::filesystem::path MediaLibrary::thumbnail(const nlohmann::json& record, int width) {
    if (std::find(std::begin(kThumbnailWidths), std::end(kThumbnailWidths), width) == std::end(kThumbnailWidths))
        throw sdk::Error::invalid("media.bad_width", "a thumbnail is 160, 320, 640 or 1280 pixels wide");
    if (!MediaType::image(record["content_type"].get<std::string>()))
        throw sdk::Error(415, "media.not_an_image", "only images have thumbnails");
    const auto source = file(record);
    auto target = source;
    target += ".w" + std::to_string(width) + ".jpg";
    if (std::filesystem::exists(target)) return target;
    // Let the decoder shrink a large JPEG while it reads it (to 1/2, 1/4 or 1/8), then resize.
    const double ratio = record["width"].get<double>() / width;
    const int flag = ratio >= 8 ? cv::IMREAD_REDUCED_COLOR_8 : ratio >= 4 ? cv::IMREAD_REDUCED_COLOR_4 : ratio >= 2 ? cv::IMREAD_REDUCED_COLOR_2 : cv::IMREAD_COLOR;
    cv::Mat image = cv::imread(source.string(), flag);
    if (image.empty()) throw sdk::Error(422, "media.undecodable", "the image does not decode");
    if (image.cols > width) {
        cv::Mat smaller;
        const int height = std::max(1, static_cast<int>(std::lround(static_cast<double>(image.rows) * width / image.cols)));
        cv::resize(image, smaller, cv::Size(width, height), 0, 0, cv::INTER_AREA);
        image = smaller;
    }
    std::vector<unsigned char> jpeg;
    cv::imencode(".jpg", image, jpeg, {cv::IMWRITE_JPEG_QUALITY, 82});
    // Written aside and renamed: two requests for the same thumbnail never see half of one.
    TempFile temp(options_.root / "tmp" / (hex(SecretFile::randomBytes(8)) + ".jpg"));
    temp.write(reinterpret_cast<const char*>(jpeg.data()), jpeg.size());
    temp.sync();
    temp.keep(target);
    return target;
}

void MediaLibrary::erase(const nlohmann::json& record) {
    std::error_code ignored;
    const auto source = file(record);
    for (int width : kThumbnailWidths) {
        auto thumb = source;
        thumb += ".w" + std::to_string(width) + ".jpg";
        std::filesystem::remove(thumb, ignored);
    }
    std::filesystem::remove(source, ignored);
}

void MediaLibrary::remove(std::int64_t project, const std::string& id, const std::function<void(const nlohmann::json& record)>& alongside) {
    const auto record = describe(project, id);
    store_.transaction([&] {
        if (store_.query("DELETE FROM kernel_media WHERE id = ? AND project_id = ?", {id, project}).changes == 0)
            throw sdk::Error::notFound("media.not_found", "no such file in this project: " + id);
        alongside(record);
    });
    erase(record);
}

std::filesystem::path MediaLibrary::scratch(const std::string& extension) const {
    return options_.root / "tmp" / (hex(SecretFile::randomBytes(8)) + extension);
}

std::int64_t MediaLibrary::purge(std::int64_t project) {
    const auto expired = store_.query("SELECT id, project_id FROM kernel_media WHERE project_id = ? AND expires_at <= ? ORDER BY expires_at LIMIT 1000",
                                      {project, clock_.nowMs()})
                             .rows;
    for (const auto& record : expired) {
        store_.query("DELETE FROM kernel_media WHERE id = ?", {record["id"]});
        erase(record);
    }
    return static_cast<std::int64_t>(expired.size());
}

} // namespace anchang
