#pragma once
/// anchang::StaticFiles — serves the built web UI, falling back to index.html for client-side
/// routes so that a reload on /registration/front-desk still opens the app.

#include <filesystem>
#include <string>

namespace anchang {

class HttpExchange;

class StaticFiles {
public:
    explicit StaticFiles(std::filesystem::path root);

    /// Answers a GET or HEAD outside /api/. Returns false when there is nothing to serve.
    bool serve(HttpExchange& exchange) const;
    bool available() const;

private:
    std::filesystem::path root_;
};

} // namespace anchang
