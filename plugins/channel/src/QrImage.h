#pragma once
/// QrImage — a report code as a QR code the desk's camera reads off the broker's phone, drawn
/// as SVG (libqrencode makes the modules; the picture is ours): sharp at any size, a few hundred
/// bytes, no image library.

#include <string>

namespace anchang::channel {

class QrImage {
public:
    /// The SVG of `text` with medium error correction and a quiet zone of four modules.
    static std::string svg(const std::string& text);
};

} // namespace anchang::channel
