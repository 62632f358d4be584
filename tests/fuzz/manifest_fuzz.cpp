// Plugin manifests: plugin.json is read before any code of the plugin loads, so a hostile or
// broken one must be refused with a reason, never crash the kernel.
#include "plugin/PluginManifest.h"

#include <cstdint>
#include <exception>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto manifest = anchang::PluginManifest::parse(text, "/nonexistent/plugin");
        (void)manifest.declaresRoute("GET", "/api/v1/x", "public");
        (void)manifest.declaresPublish("visit.registered");
        (void)manifest.declaresSubscription("visit.");
        (void)manifest.declaresService("core.customer.get");
    } catch (const std::exception&) {
        // Refused with a reason: what the kernel does with a bad manifest.
    }
    return 0;
}
