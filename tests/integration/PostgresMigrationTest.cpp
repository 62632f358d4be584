// Portable to PostgreSQL by construction: every plugin's migrations, through PostgresDialect,
// applied to a real PostgreSQL started for this test (Debian's package, an ordinary user, a free
// port). A migration with SQLite-only syntax fails here the day it is written; so does a "only
// one" rule a plugin's SQL relies on that PostgreSQL cannot keep.
#include "store/PostgresDialect.h"
#include "support/KernelProcess.h"
#include "support/PostgresServer.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>

using anchang::PostgresDialect;
using anchang::test::KernelProcess;
using anchang::test::PostgresServer;

namespace {

using Connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;

Connection connect(const std::string& info) {
    Connection c(PQconnectdb(info.c_str()), &PQfinish);
    if (PQstatus(c.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(c.get()));
    return c;
}

/// Runs SQL (any number of statements); the server's error, or "" when it went through.
std::string run(PGconn* c, const std::string& sql) {
    std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(c, sql.c_str()), &PQclear);
    const auto status = PQresultStatus(result.get());
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ? std::string{} : std::string(PQresultErrorMessage(result.get()));
}

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

class Postgres : public ::testing::Test {
protected:
    static void SetUpTestSuite() { server = new PostgresServer(); }
    static void TearDownTestSuite() {
        delete server;
        server = nullptr;
    }
    /// A database of its own for each use, so one plugin's tables never meet another's.
    static Connection database(const std::string& name) {
        auto admin = connect(server->connection());
        EXPECT_EQ(run(admin.get(), "CREATE DATABASE " + name), "");
        return connect(server->connection(name));
    }
    static PostgresServer* server;
};
PostgresServer* Postgres::server = nullptr;

} // namespace

TEST_F(Postgres, EveryPluginsMigrationsApply) {
    int applied = 0;
    for (const auto& plugin : std::filesystem::directory_iterator(KernelProcess::sourceDir() / "plugins")) {
        const auto folder = plugin.path() / "migrations";
        if (!std::filesystem::is_directory(folder)) continue;
        std::vector<std::filesystem::path> files;
        for (const auto& f : std::filesystem::directory_iterator(folder))
            if (f.path().extension() == ".sql") files.push_back(f.path());
        std::sort(files.begin(), files.end());
        auto db = database("plugin_" + plugin.path().filename().string());
        for (const auto& file : files) {
            // One transaction per migration, as the kernel's migrator applies them.
            const std::string error = run(db.get(), "BEGIN;\n" + PostgresDialect::translate(slurp(file)) + "\nCOMMIT;");
            EXPECT_EQ(error, "") << plugin.path().filename().string() << "/" << file.filename().string();
            ++applied;
        }
    }
    EXPECT_GE(applied, 3); // core's and registration's at least

    // The forms it translates behave as in SQLite: an id comes back with RETURNING, a REAL keeps
    // what SQLite keeps, ON CONFLICT DO NOTHING is the portable "insert unless there".
    auto forms = database("forms");
    ASSERT_EQ(run(forms.get(), PostgresDialect::translate("CREATE TABLE u (id INTEGER PRIMARY KEY, area REAL NOT NULL, k TEXT UNIQUE)")), "");
    std::unique_ptr<PGresult, decltype(&PQclear)> inserted(
        PQexec(forms.get(), PostgresDialect::translate("INSERT INTO u (area, k) VALUES (98.23, 'a') RETURNING id").c_str()), &PQclear);
    ASSERT_EQ(PQresultStatus(inserted.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(inserted.get());
    EXPECT_STREQ(PQgetvalue(inserted.get(), 0, 0), "1");
    EXPECT_EQ(run(forms.get(), "INSERT INTO u (area, k) VALUES (1, 'a') ON CONFLICT (k) DO NOTHING"), "");
    std::unique_ptr<PGresult, decltype(&PQclear)> read(PQexec(forms.get(), "SELECT area, COUNT(*) OVER () FROM u"), &PQclear);
    EXPECT_STREQ(PQgetvalue(read.get(), 0, 0), "98.23");
    EXPECT_STREQ(PQgetvalue(read.get(), 0, 1), "1");
}

TEST_F(Postgres, SqliteOnlySyntaxFails) {
    auto db = database("sqlite_only");
    for (const std::string sql : {"CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT)", "CREATE TABLE b (at DATETIME DEFAULT CURRENT_TIMESTAMP)",
                                  "CREATE TABLE c (id INTEGER PRIMARY KEY); INSERT OR IGNORE INTO c (id) VALUES (1)",
                                  "CREATE TABLE d (n INTEGER); CREATE TRIGGER d_t BEFORE UPDATE ON d BEGIN SELECT RAISE(ABORT, 'no'); END;"})
        EXPECT_NE(run(db.get(), "BEGIN;\n" + PostgresDialect::translate(sql) + "\nROLLBACK;"), "") << sql;
}
