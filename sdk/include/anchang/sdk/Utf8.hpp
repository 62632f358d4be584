#pragma once
/// anchang::sdk::Utf8 — well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
/// past U+10FFFF), exactly as Python and browsers decode it. One definition for the kernel (the
/// JSON it writes) and the plugins (the lottery's published groups).

#include <cstddef>
#include <string_view>

namespace anchang::sdk {

class Utf8 {
public:
    /// The length of the well-formed sequence starting at `at` (1 for ASCII), or 0 when the
    /// bytes there are not one (a stray continuation byte, a cut-short or overlong sequence).
    static std::size_t sequenceLength(std::string_view text, std::size_t at) {
        const auto lead = static_cast<unsigned char>(text[at]);
        if (lead < 0x80) return 1;
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xBF; // the range of the byte after the lead
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0) low = 0xA0;
            if (lead == 0xED) high = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0) low = 0x90;
            if (lead == 0xF4) high = 0x8F;
        } else {
            return 0;
        }
        if (at + length > text.size()) return 0;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[at + k]);
            if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xBF)) return 0;
        }
        return length;
    }
};

} // namespace anchang::sdk
