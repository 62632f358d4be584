#pragma once
// The test suite plays the vendor: its own key pair, and licences signed with it.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace anchang::test {

class TestVendor {
public:
    /// Writes vendor.pub and licence.json into `dir`. `edit` is applied after signing.
    static void licence(const std::filesystem::path& dir, const std::vector<std::string>& modules,
                        const std::string& expires = "2099-12-31", const nlohmann::json& edit = nullptr);
};

} // namespace anchang::test
