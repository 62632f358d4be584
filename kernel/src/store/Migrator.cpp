#include "store/Migrator.h"

#include "store/Store.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

namespace anchang {

namespace {

std::string checksum(const std::string& sql) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(sql);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

} // namespace

Migrator::Migrator(Store& store) : store_(store) {
    store_.transaction([&] {
        store_.executeScript("CREATE TABLE IF NOT EXISTS schema_version ("
                             " component TEXT NOT NULL, version BIGINT NOT NULL, name TEXT NOT NULL,"
                             " checksum TEXT NOT NULL, applied_at BIGINT NOT NULL, PRIMARY KEY (component, version))");
    });
}

std::vector<Migrator::Migration> Migrator::loadDirectory(const std::filesystem::path& dir) {
    static const std::regex pattern(R"((\d{3,})_([a-z0-9_]+)\.sql)");
    std::map<int, Migration> byVersion;
    if (!std::filesystem::is_directory(dir)) throw std::runtime_error("migrations folder not found: " + dir.string());
    for (const auto& file : std::filesystem::directory_iterator(dir)) {
        const std::string name = file.path().filename().string();
        std::smatch match;
        if (!std::regex_match(name, match, pattern))
            throw std::runtime_error("migration file name must look like 001_create_tables.sql: " + name);
        const int version = std::stoi(match[1]);
        if (byVersion.count(version)) throw std::runtime_error("two migrations share version " + match[1].str());
        std::ifstream in(file.path(), std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        byVersion[version] = {version, name, text.str()};
    }
    std::vector<Migration> out;
    for (auto& [version, migration] : byVersion) out.push_back(std::move(migration));
    return out;
}

int Migrator::apply(const std::string& component, const std::vector<Migration>& migrations) {
    std::map<std::int64_t, std::pair<std::string, std::string>> applied;
    for (const auto& row : store_.query("SELECT version, name, checksum FROM schema_version WHERE component = ?", {component}).rows)
        applied[row["version"].get<std::int64_t>()] = {row["name"], row["checksum"]};
    int count = 0;
    for (const auto& migration : migrations) {
        const std::string sum = checksum(migration.sql);
        auto done = applied.find(migration.version);
        if (done != applied.end()) {
            if (done->second.second != sum)
                throw std::runtime_error("migration " + migration.name + " was changed after it was applied");
            continue;
        }
        try {
            store_.transaction([&] {
                store_.executeScript(migration.sql);
                store_.query("INSERT INTO schema_version (component, version, name, checksum, applied_at) VALUES (?, ?, ?, ?, ?)",
                             {component, migration.version, migration.name, sum, Poco::Timestamp().epochMicroseconds() / 1000});
            });
        } catch (const std::exception& e) {
            throw std::runtime_error("migration " + migration.name + " failed: " + e.what());
        }
        ++count;
    }
    return count;
}

} // namespace anchang
