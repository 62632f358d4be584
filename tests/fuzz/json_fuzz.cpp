// The JSON entry: whatever text reaches sdk::Json::parse (an HTTP body, a bus frame, a value a
// plugin hands the kernel, a script's answer) is parsed or refused, never crashes, and what is
// accepted survives being written out and read again (which recurses once per level).
#include "anchang/sdk/Json.hpp"
#include "bus/BusHeader.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const nlohmann::json value = anchang::sdk::Json::parse(text);
    if (anchang::sdk::Json::accept(text) != !value.is_discarded()) std::abort();
    if (!value.is_discarded()) {
        const std::string again = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        const nlohmann::json reparsed = anchang::sdk::Json::parse(again);
        if (reparsed.is_discarded()) std::abort();
        if (!anchang::sdk::Json::withinDepth(text)) std::abort();
    }
    (void)anchang::BusHeader::parse(text);
    return 0;
}
