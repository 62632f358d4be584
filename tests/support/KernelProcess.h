#pragma once
// A real anchangd for one test: its own data folder, free ports, the test vendor's licence.

#include <Poco/Process.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace anchang::test {

class KernelProcess {
public:
    struct Options {
        std::filesystem::path pluginsDir;
        /// Plugin folders to run beside those of pluginsDir (the fixture that contributes to
        /// registration's extension point, say): linked into one plugins folder for the test.
        std::vector<std::filesystem::path> alsoPlugins;
        /// Modules the licence covers; empty with no licence at all when `licence` is false.
        std::vector<std::string> modules;
        bool licence = true;
        std::string expires = "2099-12-31";
        nlohmann::json licenceEdit = nullptr;
        /// Extra --set key=value options. Every test kernel runs with bus.strictContracts: a
        /// message that breaks its declared contract fails the test.
        std::vector<std::string> settings;
        /// Reuse a data folder from an earlier process (restart tests).
        std::filesystem::path dataDir;
    };

    explicit KernelProcess(Options options);
    ~KernelProcess();
    KernelProcess(const KernelProcess&) = delete;
    KernelProcess& operator=(const KernelProcess&) = delete;

    int port() const { return port_; }
    const nlohmann::json& bus() const { return bus_; }
    const std::filesystem::path& dataDir() const { return dataDir_; }
    /// Everything anchangd wrote to stdout and stderr so far.
    std::string log() const;
    /// SIGTERM, then waits; returns the exit code.
    int stop();
    /// True once the process ended (for whatever reason).
    bool exited();

    /// Starts anchangd without waiting for it to come up (for start-up failure tests);
    /// returns its exit code.
    static int runToExit(const std::vector<std::string>& args, std::string& output);

    static std::filesystem::path binaryDir();
    static std::filesystem::path sourceDir();
    /// A file of the source tree (an example hook, a form), as text.
    static std::string readSource(const std::string& relative);

private:
    Options options_;
    std::filesystem::path dataDir_;
    bool ownsDataDir_ = false;
    std::unique_ptr<Poco::ProcessHandle> handle_;
    std::optional<int> exitCode_;
    int port_ = 0;
    nlohmann::json bus_;
};

} // namespace anchang::test
