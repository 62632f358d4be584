#pragma once
/// anchang::Anchangd — the anchangd program: configuration, logging, signals.
///
/// Configuration layers, weakest first: built-in defaults, the properties file
/// (config/anchang.properties, or --config), ANCHANG_* environment variables, command-line
/// options. README lists every key.

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Util/ServerApplication.h>

#include <map>
#include <string>

namespace anchang {

class Anchangd : public Poco::Util::ServerApplication {
protected:
    void initialize(Poco::Util::Application& self) override;
    void defineOptions(Poco::Util::OptionSet& options) override;
    void handleOption(const std::string& name, const std::string& value) override;
    int main(const std::vector<std::string>& args) override;

private:
    void configureLogging();
    /// Swaps the asynchronous log channel for the synchronous one underneath it, which writes
    /// out everything still queued; after this, logging is synchronous until exit.
    void flushLogging();
    std::string findConfigFile() const;

    std::string configFile_;
    std::string backupTarget_;
    std::map<std::string, std::string> overrides_;
    bool helpRequested_ = false;
    Poco::AutoPtr<Poco::Channel> formatting_;
};

} // namespace anchang
