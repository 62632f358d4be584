#pragma once
/// anchang::RoutePattern — "/api/v1/projects/{project}/visits/{id}" and its matching.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anchang {

class RoutePattern {
public:
    /// Throws std::invalid_argument for a pattern that is not absolute or has an empty or
    /// malformed segment.
    explicit RoutePattern(const std::string& pattern);

    /// The path parameters when `path` matches.
    std::optional<std::map<std::string, std::string>> match(std::string_view path) const;

    /// Literal segments count more, so /visits/today wins over /visits/{id}.
    int specificity() const { return specificity_; }
    /// Two patterns that match exactly the same paths ("/a/{x}" and "/a/{y}").
    bool sameShape(const RoutePattern& other) const;
    bool hasParam(const std::string& name) const;
    const std::string& text() const { return text_; }
    /// How many segments a matching path has.
    std::size_t segmentCount() const { return segments_.size(); }
    /// Segment `i`'s literal text, or nullopt when it is a parameter (or past the end).
    std::optional<std::string_view> literalAt(std::size_t i) const {
        if (i >= segments_.size() || segments_[i].param) return std::nullopt;
        return std::string_view(segments_[i].text);
    }

private:
    struct Segment {
        std::string text;
        bool param = false;
    };
    std::string text_;
    std::vector<Segment> segments_;
    int specificity_ = 0;
};

} // namespace anchang
