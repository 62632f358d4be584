#include "support/PostgresServer.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>

#include <libpq-fe.h>

#include <csignal>
#include <pwd.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace anchang::test {

namespace {

/// The newest installed server's bin folder (/usr/lib/postgresql/15/bin).
std::filesystem::path binaries() {
    std::filesystem::path best;
    std::error_code none;
    for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", none))
        if (std::filesystem::exists(entry.path() / "bin" / "initdb") && entry.path().filename() > best.filename()) best = entry.path();
    if (best.empty()) throw std::runtime_error("PostgreSQL is not installed (Debian package postgresql; scripts/setup installs it)");
    return best / "bin";
}

int freePort() {
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    return probe.address().port();
}

/// The command, as the `postgres` user when we are root.
std::vector<std::string> asServerUser(std::vector<std::string> command, std::string& program) {
    if (::geteuid() != 0) {
        program = command.front();
        command.erase(command.begin());
        return command;
    }
    program = "/usr/bin/setpriv";
    std::vector<std::string> args = {"--reuid=postgres", "--regid=postgres", "--init-groups", "--"};
    args.insert(args.end(), command.begin(), command.end());
    return args;
}

} // namespace

PostgresServer::PostgresServer() {
    const auto bin = binaries();
    char pattern[] = "/tmp/anchang-pg-XXXXXX";
    if (!::mkdtemp(pattern)) throw std::runtime_error("cannot make a folder for PostgreSQL");
    dir_ = pattern;
    if (::geteuid() == 0) {
        const passwd* user = ::getpwnam("postgres");
        if (!user) throw std::runtime_error("running as root, and there is no postgres user to run PostgreSQL as");
        if (::chown(dir_.c_str(), user->pw_uid, user->pw_gid) != 0) throw std::runtime_error("cannot hand " + dir_.string() + " to postgres");
    }
    std::string program;
    auto initdb = asServerUser({(bin / "initdb").string(), "-D", (dir_ / "data").string(), "-U", "anchang", "-A", "trust", "-E", "UTF8",
                                "--locale=C", "--no-sync"},
                               program);
    Poco::Pipe out;
    auto init = Poco::Process::launch(program, initdb, nullptr, &out, &out);
    std::string log;
    {
        Poco::PipeInputStream in(out);
        std::string line;
        while (std::getline(in, line)) log += line + "\n";
    }
    if (init.wait() != 0) throw std::runtime_error("initdb failed:\n" + log);

    port_ = freePort();
    auto serve = asServerUser({(bin / "postgres").string(), "-D", (dir_ / "data").string(), "-p", std::to_string(port_), "-k", dir_.string(),
                               "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off"},
                              program);
    server_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(program, serve, nullptr, nullptr, nullptr));
    for (int i = 0; i < 500; ++i) {
        if (PQping(connection().c_str()) == PQPING_OK) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("PostgreSQL did not start on port " + std::to_string(port_));
}

PostgresServer::~PostgresServer() {
    if (server_) {
        // Fast shutdown: end the sessions, then stop.
        ::kill(server_->id(), SIGINT);
        int status = 0;
        ::waitpid(server_->id(), &status, 0);
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::string PostgresServer::connection(const std::string& database) const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=anchang dbname=" + database + " connect_timeout=5";
}

} // namespace anchang::test
