#pragma once
/// anchang::Anchangd — the anchangd program: configuration, logging, signals.
///
/// Configuration layers, weakest first: built-in defaults, the properties file
/// (config/anchang.properties, or --config), ANCHANG_* environment variables, command-line
/// options. README lists every key.

#include "app/BufferedLogChannel.h"

#include <Poco/AutoPtr.h>
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
    /// Writes out the log lines still buffered.
    void flushLogging();
    std::string findConfigFile() const;

    std::string configFile_;
    std::string backupTarget_;
    std::map<std::string, std::string> overrides_;
    bool helpRequested_ = false;
    Poco::AutoPtr<BufferedLogChannel> channel_;
};

} // namespace anchang
