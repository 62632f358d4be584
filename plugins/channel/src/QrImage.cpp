#include "QrImage.h"

#include <qrencode.h>

#include <memory>
#include <stdexcept>

namespace anchang::channel {

std::string QrImage::svg(const std::string& text) {
    const std::unique_ptr<QRcode, decltype(&QRcode_free)> code(QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
    if (!code) throw std::runtime_error("cannot encode the QR code");
    constexpr int quiet = 4;
    const int width = code->width;
    const int size = width + 2 * quiet;
    std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(size) + " " + std::to_string(size) +
                      "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"";
    // One path of unit squares, a run of dark modules on a row as one rectangle.
    for (int y = 0; y < width; ++y)
        for (int x = 0; x < width;) {
            if (!(code->data[y * width + x] & 1)) {
                ++x;
                continue;
            }
            int run = 1;
            while (x + run < width && (code->data[y * width + x + run] & 1)) ++run;
            out += "M" + std::to_string(x + quiet) + " " + std::to_string(y + quiet) + "h" + std::to_string(run) + "v1h-" + std::to_string(run) + "z";
            x += run;
        }
    out += "\"/></svg>";
    return out;
}

} // namespace anchang::channel
