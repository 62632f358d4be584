#pragma once
/// anchang::Licence — which modules a deployment bought, for how many projects, until when.
///
/// A licence file is JSON: {"licence":{...terms...},"signature":"base64"}. The signature is
/// Ed25519 over the terms serialized compactly with sorted keys, so reformatting the file
/// breaks nothing but editing any term does. `anchang-licence` issues and checks them.
///
/// States: missing (no modules), refused (bad signature or malformed: no modules, and the log
/// says why), valid, expired (modules keep running read-only: data stays readable, writes are
/// refused with licence.expired).

#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <string>

namespace anchang {

class Licence {
public:
    enum class State { Missing, Refused, Valid, Expired };

    /// Reads and verifies a licence file against the vendor's public key (PEM).
    static Licence load(const std::string& path, const std::string& publicKeyPem, const std::string& today);
    /// Verifies licence text (an upload) the same way.
    static Licence parse(const std::string& text, const std::string& publicKeyPem, const std::string& today);
    /// Signs terms with the vendor's private key: the file content `anchang-licence issue` writes.
    static std::string issue(const nlohmann::json& terms, const std::string& privateKeyPem);
    /// Checks the terms an issuer is about to sign; returns the first problem, or "".
    static std::string checkTerms(const nlohmann::json& terms);

    /// Today's date as YYYY-MM-DD in UTC, the format of issued_at and expires_at.
    static std::string today();

    State state() const { return state_; }
    /// Why the licence is refused or missing; empty when valid.
    const std::string& problem() const { return problem_; }
    bool usable() const { return state_ == State::Valid || state_ == State::Expired; }
    bool expired() const { return state_ == State::Expired; }
    bool covers(const std::string& module) const { return usable() && modules_.count(module) > 0; }
    int projects() const { return projects_; }
    const nlohmann::json& terms() const { return terms_; }

    /// What the admin page shows: state, problem, customer, modules, projects, expiry.
    nlohmann::json describe() const;

private:
    State state_ = State::Missing;
    std::string problem_ = "no licence installed";
    nlohmann::json terms_ = nlohmann::json::object();
    std::set<std::string> modules_;
    int projects_ = 0;
};

} // namespace anchang
