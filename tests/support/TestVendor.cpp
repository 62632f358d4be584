#include "TestVendor.h"

#include "licence/Ed25519.h"
#include "licence/Licence.h"

#include <fstream>

namespace anchang::test {

void TestVendor::licence(const std::filesystem::path& dir, const std::vector<std::string>& modules,
                         const std::string& expires, const nlohmann::json& edit) {
    static const Ed25519::KeyPair keys = Ed25519::generate();
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "vendor.pub") << keys.publicPem;
    nlohmann::json terms = {{"id", "TEST"}, {"customer", "test"}, {"modules", modules}, {"projects", 5},
                            {"issued_at", "2026-01-01"}, {"expires_at", expires}};
    nlohmann::json file = nlohmann::json::parse(Licence::issue(terms, keys.privatePem));
    if (!edit.is_null()) file["licence"].merge_patch(edit);
    std::ofstream(dir / "licence.json") << file.dump(2);
}

} // namespace anchang::test
