#include "plugin/BusContracts.h"

#include "form/JsonSchemaSubset.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <mutex>

namespace anchang {

namespace {
/// The violation counts keep at most this many names: a broken plugin cannot grow memory.
constexpr std::size_t kMaxNames = 1000;
} // namespace

void BusContracts::add(const PluginManifest& manifest) {
    std::unique_lock lock(mutex_);
    for (const auto& service : manifest.services) {
        services_[service.name] = service;
        if (!manifest.external) inProcess_.insert(service.name);
    }
    for (const auto& contribution : manifest.contributions) {
        auto& list = contributions_[contribution.point];
        list.push_back({manifest.id, contribution.service});
        std::sort(list.begin(), list.end(), [](const Contributor& a, const Contributor& b) { return a.plugin < b.plugin; });
    }
}

void BusContracts::addService(const std::string& owner, const PluginManifest::Service& service) {
    std::unique_lock lock(mutex_);
    services_[service.name] = service;
    inProcess_.insert(service.name);
    (void)owner;
}

bool BusContracts::inProcess(const std::string& service) const {
    std::shared_lock lock(mutex_);
    return inProcess_.count(service) > 0;
}

std::optional<std::string> BusContracts::mismatch(const nlohmann::json& schema, const nlohmann::json& value) {
    const auto problems = JsonSchemaSubset::validate(schema, value);
    if (problems.empty()) return std::nullopt;
    return (problems[0].path.empty() ? "/" : problems[0].path) + " " + problems[0].message;
}

std::optional<std::string> BusContracts::violation(const std::string& name, const std::string& problem) {
    {
        std::unique_lock lock(mutex_);
        if (violations_.size() < kMaxNames || violations_.count(name)) {
            auto& count = violations_[name];
            ++count.count;
            count.last = problem;
        }
    }
    Poco::Logger::get("bus").warning("contract broken: %s", problem);
    return problem;
}

std::optional<std::string> BusContracts::checkCall(const PluginManifest& caller, const std::string& service, const nlohmann::json& body) {
    if (!caller.declaresCall(service))
        return violation(service, "plugin " + caller.id + " calls " + service + " without declaring it in bus.calls");
    std::shared_lock lock(mutex_);
    const auto it = services_.find(service);
    if (it == services_.end()) return std::nullopt; // not running here: the broker says so
    const auto problem = mismatch(it->second.request, body);
    lock.unlock();
    if (problem) return violation(service, "plugin " + caller.id + " called " + service + " with a request of the wrong shape: " + *problem);
    return std::nullopt;
}

std::optional<std::string> BusContracts::checkReply(const std::string& service, const nlohmann::json& body) {
    std::shared_lock lock(mutex_);
    const auto it = services_.find(service);
    if (it == services_.end()) return std::nullopt;
    const auto problem = mismatch(it->second.reply, body);
    lock.unlock();
    if (problem) return violation(service, "service " + service + " answered a reply of the wrong shape: " + *problem);
    return std::nullopt;
}

std::optional<std::string> BusContracts::checkEvent(const PluginManifest& publisher, const std::string& topic, const nlohmann::json& body) {
    const auto* declared = publisher.publication(topic);
    if (!declared) return violation(topic, "plugin " + publisher.id + " published " + topic + ", which it does not declare");
    if (const auto problem = mismatch(declared->body, body))
        return violation(topic, "plugin " + publisher.id + " published " + topic + " with a body of the wrong shape: " + *problem);
    return std::nullopt;
}

std::vector<BusContracts::Contributor> BusContracts::contributors(const std::string& point) const {
    std::shared_lock lock(mutex_);
    const auto it = contributions_.find(point);
    return it == contributions_.end() ? std::vector<Contributor>{} : it->second;
}

std::optional<std::string> BusContracts::checkExtensionInput(const PluginManifest::ExtensionPoint& point, const nlohmann::json& input) {
    if (const auto problem = mismatch(point.input, input))
        return violation(point.name, "extension point " + point.name + " was asked with an input of the wrong shape: " + *problem);
    return std::nullopt;
}

std::optional<std::string> BusContracts::checkExtensionAnswer(const PluginManifest::ExtensionPoint& point, const std::string& contributor,
                                                              const nlohmann::json& output) {
    if (const auto problem = mismatch(point.output, output))
        return violation(point.name, "plugin " + contributor + " answered " + point.name + " with an answer of the wrong shape: " + *problem);
    return std::nullopt;
}

nlohmann::json BusContracts::describe() const {
    std::shared_lock lock(mutex_);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [name, count] : violations_) out.push_back({{"name", name}, {"count", count.count}, {"last", count.last}});
    return {{"strict", strict_}, {"violations", out}};
}

} // namespace anchang
