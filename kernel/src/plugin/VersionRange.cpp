#include "plugin/VersionRange.h"

#include <sstream>

namespace anchang {

std::optional<VersionRange> VersionRange::parse(const std::string& text) {
    VersionRange range;
    range.text_ = text;
    std::istringstream words(text);
    std::string word;
    bool any = false;
    while (words >> word) {
        any = true;
        if (word == "*") continue;
        auto versionAfter = [&](std::size_t skip) { return SemVer::parse(std::string_view(word).substr(skip)); };
        if (word[0] == '^' || word[0] == '~') {
            auto base = versionAfter(1);
            if (!base) return std::nullopt;
            SemVer upper;
            if (word[0] == '~') upper = {base->major, base->minor + 1, 0};
            else if (base->major > 0) upper = {base->major + 1, 0, 0};
            else upper = {0, base->minor + 1, 0};
            range.all_.push_back({Op::Ge, *base});
            range.all_.push_back({Op::Lt, upper});
            continue;
        }
        Op op = Op::Eq;
        std::size_t skip = 0;
        if (word.starts_with(">=")) { op = Op::Ge; skip = 2; }
        else if (word.starts_with("<=")) { op = Op::Le; skip = 2; }
        else if (word.starts_with(">")) { op = Op::Gt; skip = 1; }
        else if (word.starts_with("<")) { op = Op::Lt; skip = 1; }
        else if (word.starts_with("=")) { op = Op::Eq; skip = 1; }
        auto version = versionAfter(skip);
        if (!version) return std::nullopt;
        range.all_.push_back({op, *version});
    }
    if (!any) return std::nullopt;
    return range;
}

bool VersionRange::satisfiedBy(const SemVer& version) const {
    for (const auto& c : all_) {
        bool ok = false;
        switch (c.op) {
        case Op::Eq: ok = version == c.version; break;
        case Op::Lt: ok = version < c.version; break;
        case Op::Le: ok = version <= c.version; break;
        case Op::Gt: ok = version > c.version; break;
        case Op::Ge: ok = version >= c.version; break;
        }
        if (!ok) return false;
    }
    return true;
}

} // namespace anchang
