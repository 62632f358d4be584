#pragma once
/// anchang::MediaLibrary — the kernel's store for uploaded files: showroom panoramas, brochures,
/// face photos, follow-up attachments.
///
/// A plugin declares kinds of file in its manifest ("media": types, max_bytes, upload and read
/// permissions, keep_days). An upload streams to a temporary file while its SHA-256 is taken —
/// never whole in memory — and is refused with a reason when it is too large, when its bytes are
/// not one of the kind's types (whatever its name says), when it is cut short, or when an image
/// claims more pixels than `media.maxPixels` (a decompression bomb, refused from its header before
/// anything decodes it); an image must also decode. Only then is it renamed into
/// <root>/<project>/<id> and recorded. Thumbnails are made with OpenCV on first request, at a
/// few fixed widths, and kept beside the file. Files of kinds with keep_days are purged by the
/// kernel job media_purge once they expire.

#include "plugin/PluginManifest.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <istream>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace anchang {

class KernelClock;
class Store;

class MediaLibrary {
public:
    struct Options {
        std::filesystem::path root;
        std::int64_t maxPixels = 64'000'000; ///< a 8192 x 8192 panorama; more is refused
    };
    struct Upload {
        std::int64_t project = 0;
        std::string plugin;
        std::string kind;
        std::string name;           ///< as the uploader called it; cleaned before it is kept
        std::int64_t userId = 0;
        std::int64_t declaredBytes = -1; ///< Content-Length, -1 when chunked
    };
    /// Widths a thumbnail may have: a fixed few, so that requests cannot fill the disk.
    static constexpr int kThumbnailWidths[] = {160, 320, 640, 1280};

    MediaLibrary(Store& store, KernelClock& clock, Options options);

    void addKinds(const std::string& plugin, const std::vector<PluginManifest::MediaKind>& kinds);
    /// The kind, or null when no running plugin declares it.
    const PluginManifest::MediaKind* kind(const std::string& plugin, const std::string& kind) const;

    /// Stores the body as a new file of `upload.kind`; its record, as describe() answers it.
    /// Throws sdk::Error: 413 media.too_large, 415 media.type_refused, 422 media.truncated,
    /// media.too_many_pixels or media.undecodable, 404 media.unknown_kind.
    nlohmann::json store(const Upload& upload, std::istream& body);
    /// {"id","project_id","plugin","kind","content_type","bytes","sha256","name","width","height",
    ///  "created_by","created_at","expires_at"}; 404 media.not_found for another project's id.
    nlohmann::json describe(std::int64_t project, const std::string& id);
    std::filesystem::path file(const nlohmann::json& record) const;
    /// A JPEG of the image `width` pixels wide (never wider than the image), made on first use.
    std::filesystem::path thumbnail(const nlohmann::json& record, int width);
    /// Deletes the record, running `alongside` (the audit entry) in the same transaction, and
    /// then the bytes.
    void remove(std::int64_t project, const std::string& id, const std::function<void(const nlohmann::json& record)>& alongside);
    /// A fresh path in the store's scratch folder (emptied at start), for a file the kernel makes
    /// before it stores it (an export).
    std::filesystem::path scratch(const std::string& extension) const;
    /// Deletes the project's expired files; how many.
    std::int64_t purge(std::int64_t project);

    /// "brochure (2).pdf" from "C:\\fakepath\\..\\brochure (2).pdf": no folders, no control
    /// characters, at most 120 bytes of whole UTF-8 characters; "file" when nothing is left.
    static std::string cleanName(const std::string& name);

private:
    void erase(const nlohmann::json& record);

    Store& store_;
    KernelClock& clock_;
    Options options_;
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, std::string>, PluginManifest::MediaKind> kinds_;
};

} // namespace anchang
