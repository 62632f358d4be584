#pragma once
/// EngineRoom — the face engines the routes share. dlib's networks are not thread-safe, so there
/// is one engine per core, lent out one request at a time. The models load on a thread of their
/// own (about half a second each), so the kernel starts without waiting for them; a request that
/// comes first waits for the load. Without the model files the room stays closed and says why,
/// and the rest of the plugin (consent, alerts, a person's data) keeps working.

#include "FaceEngine.h"

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace anchang::face {

class EngineRoom {
public:
    /// `ready` is told once the load ended: "" when the engines work, else why they do not.
    EngineRoom(std::filesystem::path modelsDir, EngineOptions options, int engines, std::function<void(const std::string&)> ready);
    ~EngineRoom();
    EngineRoom(const EngineRoom&) = delete;
    EngineRoom& operator=(const EngineRoom&) = delete;

    /// Whether the engines loaded ("" reason); waits for a load in progress.
    std::string unavailable();
    /// Analyses a photo on a free engine. Throws sdk::Error 503 face.engine_unavailable without
    /// models.
    Analysis analyse(std::span<const unsigned char> encoded);

    /// Where models are looked for: the configured folder, else $ANCHANG_MODELS_DIR, else
    /// var/models beside the data.
    static std::filesystem::path modelsDir(const std::string& configured);

private:
    void load();

    std::filesystem::path dir_;
    EngineOptions options_;
    int count_;
    std::function<void(const std::string&)> ready_;
    std::mutex mutex_;
    std::condition_variable changed_;
    bool loading_ = true;
    std::string reason_;
    std::vector<std::unique_ptr<FaceEngine>> all_;
    std::vector<FaceEngine*> free_;
    std::thread loader_;
};

}  // namespace anchang::face
