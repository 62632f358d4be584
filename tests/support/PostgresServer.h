#pragma once
/// anchang::test::PostgresServer — a real PostgreSQL (Debian's `postgresql` package, which
/// scripts/setup installs) started for one test: a fresh cluster in a temporary folder, on a free
/// port on loopback, with fsync off. PostgreSQL refuses to run as root, so under root (CI) it runs
/// as the package's `postgres` user through setpriv; otherwise as whoever runs the test.

#include <filesystem>
#include <memory>
#include <string>

namespace Poco {
class ProcessHandle;
}

namespace anchang::test {

class PostgresServer {
public:
    /// Throws std::runtime_error with the reason when PostgreSQL is missing or does not start.
    PostgresServer();
    ~PostgresServer();
    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    /// A libpq connection string for `database`, as the superuser `anchang`.
    std::string connection(const std::string& database = "postgres") const;
    int port() const { return port_; }

private:
    std::filesystem::path dir_;
    int port_ = 0;
    std::unique_ptr<Poco::ProcessHandle> server_;
};

} // namespace anchang::test
