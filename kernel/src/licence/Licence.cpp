#include "licence/Licence.h"

#include "anchang/sdk/Json.hpp"
#include "licence/Ed25519.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormatter.h>

#include <fstream>
#include <regex>
#include <sstream>

namespace anchang {

namespace {

bool isDate(const nlohmann::json& value) {
    static const std::regex pattern(R"(\d{4}-\d{2}-\d{2})");
    return value.is_string() && std::regex_match(value.get<std::string>(), pattern);
}

} // namespace

std::string Licence::today() {
    return Poco::DateTimeFormatter::format(Poco::DateTime(), "%Y-%m-%d");
}

std::string Licence::checkTerms(const nlohmann::json& terms) {
    if (!terms.is_object()) return "the terms must be a JSON object";
    if (!terms.contains("id") || !terms["id"].is_string() || terms["id"].get<std::string>().empty()) return "id is missing";
    if (!terms.contains("customer") || !terms["customer"].is_string()) return "customer is missing";
    if (!terms.contains("modules") || !terms["modules"].is_array()) return "modules must be a list of module ids";
    for (const auto& module : terms["modules"])
        if (!module.is_string()) return "modules must be a list of module ids";
    if (!terms.contains("projects") || !terms["projects"].is_number_integer() || terms["projects"].get<int>() < 1)
        return "projects must be a positive integer";
    if (!terms.contains("expires_at") || !isDate(terms["expires_at"])) return "expires_at must be a date YYYY-MM-DD";
    if (terms.contains("issued_at") && !isDate(terms["issued_at"])) return "issued_at must be a date YYYY-MM-DD";
    return {};
}

std::string Licence::issue(const nlohmann::json& terms, const std::string& privateKeyPem) {
    const std::string problem = checkTerms(terms);
    if (!problem.empty()) throw std::invalid_argument(problem);
    nlohmann::json file = {{"licence", terms}, {"signature", Ed25519::sign(privateKeyPem, terms.dump())}};
    return file.dump(2) + "\n";
}

Licence Licence::load(const std::string& path, const std::string& publicKeyPem, const std::string& today) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        Licence missing;
        missing.problem_ = "no licence file at " + path;
        return missing;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), publicKeyPem, today);
}

Licence Licence::parse(const std::string& text, const std::string& publicKeyPem, const std::string& today) {
    Licence licence;
    licence.state_ = State::Refused;
    nlohmann::json file = sdk::Json::parse(text);
    if (file.is_discarded() || !file.is_object() || !file.contains("licence") || !file.contains("signature") ||
        !file["signature"].is_string()) {
        licence.problem_ = "the licence file is not a signed Anchang licence";
        return licence;
    }
    const nlohmann::json& terms = file["licence"];
    if (!Ed25519::verify(publicKeyPem, terms.dump(), file["signature"].get<std::string>())) {
        licence.problem_ = "the licence signature does not match: the file was edited or signed by another key";
        return licence;
    }
    const std::string problem = checkTerms(terms);
    if (!problem.empty()) {
        licence.problem_ = "the licence terms are invalid: " + problem;
        return licence;
    }
    licence.terms_ = terms;
    for (const auto& module : terms["modules"]) licence.modules_.insert(module.get<std::string>());
    licence.projects_ = terms["projects"].get<int>();
    // Dates compare as text in YYYY-MM-DD; the licence is valid through its expiry day.
    if (terms["expires_at"].get<std::string>() < today) {
        licence.state_ = State::Expired;
        licence.problem_ = "the licence expired on " + terms["expires_at"].get<std::string>() + "; data stays readable";
    } else {
        licence.state_ = State::Valid;
        licence.problem_.clear();
    }
    return licence;
}

nlohmann::json Licence::describe() const {
    static const char* names[] = {"missing", "refused", "valid", "expired"};
    nlohmann::json out = {{"state", names[static_cast<int>(state_)]}, {"problem", problem_}};
    if (usable()) {
        out["id"] = terms_.value("id", "");
        out["customer"] = terms_.value("customer", "");
        out["modules"] = terms_["modules"];
        out["projects"] = projects_;
        out["issued_at"] = terms_.value("issued_at", "");
        out["expires_at"] = terms_.value("expires_at", "");
    }
    return out;
}

} // namespace anchang
