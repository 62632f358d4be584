#include "KernelProcess.h"

#include "TestVendor.h"

#include <csignal>
#include <sys/wait.h>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace anchang::test {

namespace {

std::filesystem::path freshDir() {
    std::random_device random;
    auto dir = std::filesystem::temp_directory_path() / ("anchang-it-" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(dir);
    return dir;
}

std::unique_ptr<Poco::ProcessHandle> launch(const std::vector<std::string>& args, const std::filesystem::path& log) {
    // Through sh, so the output lands in a file the test can read, with no pipe to drain.
    std::vector<std::string> shell = {"-c", "exec \"$0\" \"$@\" >>\"$ANCHANG_TEST_LOG\" 2>&1",
                                      (KernelProcess::binaryDir() / "bin" / "anchangd").string()};
    shell.insert(shell.end(), args.begin(), args.end());
    Poco::Process::Env env = {{"ANCHANG_TEST_LOG", log.string()}};
    return std::make_unique<Poco::ProcessHandle>(Poco::Process::launch("/bin/sh", shell, nullptr, nullptr, nullptr, env));
}

} // namespace

std::filesystem::path KernelProcess::binaryDir() { return ANCHANG_BINARY_DIR; }
std::filesystem::path KernelProcess::sourceDir() { return ANCHANG_SOURCE_DIR; }

std::string KernelProcess::readSource(const std::string& relative) {
    std::ifstream in(sourceDir() / relative);
    if (!in) throw std::runtime_error("no such file in the source tree: " + relative);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

KernelProcess::KernelProcess(Options options) : options_(std::move(options)) {
    dataDir_ = options_.dataDir.empty() ? freshDir() : options_.dataDir;
    ownsDataDir_ = options_.dataDir.empty();
    const auto vendorDir = dataDir_ / "vendor";
    if (options_.licence) TestVendor::licence(vendorDir, options_.modules, options_.expires, options_.licenceEdit);
    std::ofstream(dataDir_ / "test.properties") << "# settings come from --set\n";
    std::filesystem::path pluginsDir = options_.pluginsDir;
    if (!options_.alsoPlugins.empty()) {
        pluginsDir = dataDir_ / "plugins";
        std::filesystem::create_directories(pluginsDir);
        std::vector<std::filesystem::path> folders(options_.alsoPlugins);
        for (const auto& entry : std::filesystem::directory_iterator(options_.pluginsDir)) folders.push_back(entry.path());
        for (const auto& folder : folders) {
            std::error_code exists;
            std::filesystem::create_directory_symlink(folder, pluginsDir / folder.filename(), exists);
        }
    }
    std::vector<std::string> args = {
        "--config", (dataDir_ / "test.properties").string(),
        "--data-dir", dataDir_.string(),
        "--plugins-dir", pluginsDir.string(),
        "--port", "0",
        "--set", "bus.requestPort=0", "--set", "bus.subscribePort=0", "--set", "bus.publishPort=0",
        "--set", "licence.file=" + (vendorDir / "licence.json").string(),
        "--set", "licence.publicKey=" + (vendorDir / "vendor.pub").string(),
        "--set", "webui.dir=" + (dataDir_ / "no-webui").string(),
        "--set", "demo.seed=" + (sourceDir() / "tests/fixtures/seed.json").string(),
        "--set", "bus.strictContracts=true", "--set", "test.cheapPasswords=true", "--set", "notify.logSecrets=true",
    };
    for (const auto& setting : options_.settings) {
        args.push_back("--set");
        args.push_back(setting);
    }
    const auto runtime = dataDir_ / "run" / "anchangd.json";
    std::filesystem::remove(runtime);
    handle_ = launch(args, dataDir_ / "anchangd.log");
    for (int i = 0; i < 1500; ++i) {
        if (std::filesystem::exists(runtime)) {
            std::ifstream in(runtime);
            auto info = nlohmann::json::parse(in, nullptr, false);
            if (info.is_object()) {
                port_ = info["http_port"];
                bus_ = info["bus"];
                return;
            }
        }
        if (exited()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("anchangd did not start:\n" + log());
}

bool KernelProcess::exited() {
    // kill(pid, 0) also succeeds for a zombie, so ask waitpid instead.
    if (exitCode_) return true;
    int status = 0;
    if (::waitpid(handle_->id(), &status, WNOHANG) == handle_->id()) {
        exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return true;
    }
    return false;
}

KernelProcess::~KernelProcess() {
    if (handle_ && !exited()) stop();
    if (ownsDataDir_) {
        std::error_code ignored;
        std::filesystem::remove_all(dataDir_, ignored);
    }
}

std::string KernelProcess::log() const {
    std::ifstream in(dataDir_ / "anchangd.log");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

int KernelProcess::stop() {
    if (exited()) return *exitCode_;
    ::kill(handle_->id(), SIGTERM);
    int status = 0;
    ::waitpid(handle_->id(), &status, 0);
    exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return *exitCode_;
}

int KernelProcess::runToExit(const std::vector<std::string>& args, std::string& output) {
    const auto dir = freshDir();
    auto handle = launch(args, dir / "out.log");
    const int code = handle->wait();
    std::ifstream in(dir / "out.log");
    std::ostringstream text;
    text << in.rdbuf();
    output = text.str();
    std::filesystem::remove_all(dir);
    return code;
}

} // namespace anchang::test
