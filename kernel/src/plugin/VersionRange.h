#pragma once
/// anchang::VersionRange — the versions of a dependency a plugin accepts.
///
/// Grammar (a subset of npm's, which plugin authors already know): "*", an exact "1.2.3",
/// caret "^1.2" (same major, at least 1.2.0; for 0.x, same minor), tilde "~1.2.3" (same minor),
/// and comparators ">=1.0 <2.0" joined by spaces, all of which must hold.

#include "plugin/SemVer.h"

#include <optional>
#include <string>
#include <vector>

namespace anchang {

class VersionRange {
public:
    /// nullopt when `text` is not a range of the grammar above.
    static std::optional<VersionRange> parse(const std::string& text);

    bool satisfiedBy(const SemVer& version) const;
    const std::string& text() const { return text_; }

private:
    enum class Op { Eq, Lt, Le, Gt, Ge };
    struct Comparator {
        Op op;
        SemVer version;
    };
    std::string text_;
    std::vector<Comparator> all_;
};

} // namespace anchang
