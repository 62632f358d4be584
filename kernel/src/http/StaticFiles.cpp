#include "http/StaticFiles.h"

#include "http/HttpExchange.h"

#include <fstream>
#include <map>
#include <sstream>

namespace anchang {

namespace {

std::string contentType(const std::filesystem::path& file) {
    static const std::map<std::string, std::string> types = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".json", "application/json; charset=utf-8"}, {".svg", "image/svg+xml"},
        {".png", "image/png"}, {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".webp", "image/webp"},
        {".ico", "image/x-icon"}, {".woff", "font/woff"}, {".woff2", "font/woff2"}, {".ttf", "font/ttf"},
        {".txt", "text/plain; charset=utf-8"}, {".map", "application/json"}, {".wasm", "application/wasm"},
    };
    auto it = types.find(file.extension().string());
    return it == types.end() ? "application/octet-stream" : it->second;
}

} // namespace

StaticFiles::StaticFiles(std::filesystem::path root) : root_(std::move(root)) {}

bool StaticFiles::available() const { return std::filesystem::is_regular_file(root_ / "index.html"); }

bool StaticFiles::serve(HttpExchange& exchange) const {
    if (!available()) return false;
    const std::string& path = exchange.path();
    if (path.find("..") != std::string::npos || path.find('\0') != std::string::npos) return false;
    std::filesystem::path file = root_ / std::filesystem::path(path).relative_path();
    bool fallback = false;
    if (path == "/" || !std::filesystem::is_regular_file(file)) {
        // A path with an extension names a file that is not there; anything else is a route of
        // the single-page app.
        if (std::filesystem::path(path).has_extension() && path != "/") return false;
        file = root_ / "index.html";
        fallback = true;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) return false;
    std::ostringstream content;
    content << in.rdbuf();
    auto& response = exchange.response();
    // Vite fingerprints everything under assets/, so those never change; index.html always may.
    if (!fallback && path.starts_with("/assets/")) response.set("Cache-Control", "public, max-age=31536000, immutable");
    else response.set("Cache-Control", "no-cache");
    // For HEAD, Poco writes the head only, with the length the body would have.
    exchange.send(200, contentType(file), content.str());
    return true;
}

} // namespace anchang
