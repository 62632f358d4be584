#include "http/RoutePattern.h"

#include <stdexcept>

namespace anchang {

RoutePattern::RoutePattern(const std::string& pattern) : text_(pattern) {
    if (pattern.empty() || pattern[0] != '/') throw std::invalid_argument("route pattern must start with /: " + pattern);
    std::size_t start = 1;
    while (start <= pattern.size()) {
        std::size_t end = pattern.find('/', start);
        if (end == std::string::npos) end = pattern.size();
        std::string part = pattern.substr(start, end - start);
        if (part.empty()) throw std::invalid_argument("empty segment in route pattern " + pattern);
        if (part.front() == '{') {
            if (part.back() != '}' || part.size() < 3) throw std::invalid_argument("malformed parameter in " + pattern);
            segments_.push_back({part.substr(1, part.size() - 2), true});
        } else {
            if (part.find_first_of("{}") != std::string::npos) throw std::invalid_argument("malformed segment in " + pattern);
            segments_.push_back({part, false});
            ++specificity_;
        }
        start = end + 1;
    }
}

std::optional<std::map<std::string, std::string>> RoutePattern::match(std::string_view path) const {
    // Compare first and allocate only on a match: most routes fail on their third segment.
    std::string_view values[16];
    std::size_t valueCount = 0;
    std::size_t start = 1;
    if (path.empty() || path[0] != '/') return std::nullopt;
    for (const auto& segment : segments_) {
        if (start > path.size()) return std::nullopt;
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        std::string_view part = path.substr(start, end - start);
        if (part.empty()) return std::nullopt;
        if (segment.param) {
            if (valueCount == std::size(values)) return std::nullopt;
            values[valueCount++] = part;
        } else if (part != segment.text) {
            return std::nullopt;
        }
        start = end + 1;
    }
    if (start <= path.size()) return std::nullopt; // the path has more segments
    std::map<std::string, std::string> params;
    std::size_t next = 0;
    for (const auto& segment : segments_)
        if (segment.param) params.emplace(segment.text, std::string(values[next++]));
    return params;
}

bool RoutePattern::sameShape(const RoutePattern& other) const {
    if (segments_.size() != other.segments_.size()) return false;
    for (std::size_t i = 0; i < segments_.size(); ++i) {
        const auto& a = segments_[i];
        const auto& b = other.segments_[i];
        if (a.param != b.param) return false;
        if (!a.param && a.text != b.text) return false;
    }
    return true;
}

bool RoutePattern::hasParam(const std::string& name) const {
    for (const auto& segment : segments_)
        if (segment.param && segment.text == name) return true;
    return false;
}

} // namespace anchang
