#include "EngineRoom.h"

#include <anchang/sdk/Error.hpp>

#include <cstdlib>

namespace anchang::face {

EngineRoom::EngineRoom(std::filesystem::path modelsDir, EngineOptions options, int engines, std::function<void(const std::string&)> ready)
    : dir_(std::move(modelsDir)), options_(options), count_(std::max(1, engines)), ready_(std::move(ready)) {
    loader_ = std::thread([this] { load(); });
}

EngineRoom::~EngineRoom() {
    if (loader_.joinable()) loader_.join();
}

std::filesystem::path EngineRoom::modelsDir(const std::string& configured) {
    if (!configured.empty()) return configured;
    if (const char* env = std::getenv("ANCHANG_MODELS_DIR"); env && *env) return env;
    if (const char* root = std::getenv("ANCHANG_ROOT"); root && *root) return std::filesystem::path(root) / "var" / "models";
    return "var/models";
}

void EngineRoom::load() {
    std::string reason;
    std::vector<std::unique_ptr<FaceEngine>> engines;
    if (const std::string missing = FaceEngine::missingModel(dir_, options_); !missing.empty()) {
        reason = "no face model installed (" + missing + "): run scripts/face-models";
    } else {
        try {
            for (int i = 0; i < count_; ++i) engines.push_back(std::make_unique<FaceEngine>(dir_, options_));
        } catch (const std::exception& e) {
            reason = std::string("the face models did not load: ") + e.what();
            engines.clear();
        }
    }
    {
        std::lock_guard lock(mutex_);
        all_ = std::move(engines);
        for (auto& engine : all_) free_.push_back(engine.get());
        reason_ = reason;
        loading_ = false;
    }
    changed_.notify_all();
    if (ready_) ready_(reason);
}

std::string EngineRoom::unavailable() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !loading_; });
    return reason_;
}

Analysis EngineRoom::analyse(std::span<const unsigned char> encoded) {
    FaceEngine* engine = nullptr;
    {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return !loading_ && (!reason_.empty() || !free_.empty()); });
        if (!reason_.empty()) throw sdk::Error::unavailable("face.engine_unavailable", reason_);
        engine = free_.back();
        free_.pop_back();
    }
    struct Return {
        EngineRoom& room;
        FaceEngine* engine;
        ~Return() {
            {
                std::lock_guard lock(room.mutex_);
                room.free_.push_back(engine);
            }
            room.changed_.notify_one();
        }
    } giveBack{*this, engine};
    return engine->analyse(encoded);
}

}  // namespace anchang::face
