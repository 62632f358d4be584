#pragma once
/// anchang::Migrator — applies the kernel's and each plugin's schema migrations.
///
/// Migrations are files NNN_name.sql in a plugin's migrations folder. Each is applied once,
/// in order, inside its own transaction together with its row in schema_version (component,
/// version, name, checksum). A migration that was applied and later edited is refused: the
/// database would no longer match its history.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace anchang {

class Store;

class Migrator {
public:
    struct Migration {
        int version = 0;
        std::string name;
        std::string sql;
    };

    explicit Migrator(Store& store);

    /// Applies what is pending; returns how many were applied. Throws std::runtime_error
    /// naming the migration and the reason.
    int apply(const std::string& component, const std::vector<Migration>& migrations);

    /// Reads NNN_name.sql files in version order. Throws for a malformed name or a duplicate
    /// version.
    static std::vector<Migration> loadDirectory(const std::filesystem::path& dir);

private:
    Store& store_;
};

} // namespace anchang
