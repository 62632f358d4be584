#pragma once
/// anchang::DemoSeed — the demo's projects and users (config/demo/kernel.json), loaded into an
/// empty database so that ./scripts/run starts with logins that work. Plugins seed their own
/// demo data from their own files.

#include <filesystem>

namespace anchang {

class ProjectDirectory;
class RoleCatalog;
class Store;
class UserDirectory;

class DemoSeed {
public:
    /// Does nothing unless the users table is empty. Throws std::runtime_error on a bad file.
    /// A role the seed gives that no plugin declares (a test kernel without core) is known by
    /// its bare name, with a warning.
    static bool apply(const std::filesystem::path& file, Store& store, UserDirectory& users, ProjectDirectory& projects,
                      RoleCatalog& roles);
};

} // namespace anchang
