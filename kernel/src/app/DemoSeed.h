#pragma once
/// anchang::DemoSeed — the demo's projects and users (config/demo/kernel.json), loaded into an
/// empty database so that ./scripts/run starts with logins that work. Plugins seed their own
/// demo data from their own files.

#include <filesystem>

namespace anchang {

class ProjectDirectory;
class Store;
class UserDirectory;

class DemoSeed {
public:
    /// Does nothing unless the users table is empty. Throws std::runtime_error on a bad file.
    static bool apply(const std::filesystem::path& file, Store& store, UserDirectory& users, ProjectDirectory& projects);
};

} // namespace anchang
