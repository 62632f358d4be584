#pragma once
/// Reports — a broker's report (报备) from submission to confirmation (确客):
///
///  1. submit: the agent's own company rules decide at once, with the reason kept on a refused
///     report: agent or company inactive or outside its contract, a hidden format the company
///     does not allow, a visit sooner than the minimum advance time, a customer the site already
///     has (开发商保护), a customer another report protects (the claim's key decides two racing
///     reports: one wins, the other is told who holds it). An accepted report gets its code.
///  2. check (registration.visit.check, at the desk): the code is genuine, this project's, in
///     its window, shown by its agent (when the desk says who shows it), and names this phone
///     (the full number against the hidden form). Without a code, a visitor some report protects
///     is flagged so the desk asks for it. Nothing is written: the visit may still not be.
///  3. visitRegistered (visit.registered, durable): the visit whose check passed confirms the
///     report — customer, agent and company bound, the deal window started — and the agent is
///     told at once. Another channel's open report on the same customer, or a code for a
///     customer the site already had, is a collision, ruled at once (Collisions).
///  4. subscribed (deal.subscribed, durable): a subscription inside the window confirms the
///     attribution for commissions; one after the window lapsed is a collision the site wins.
///     Before confirming, the modules on channel.confirmation.check may hold it (face risk
///     control while its alert waits for a ruling) or refuse it (a confirmed bypass);
///     recheckHeld asks again every few minutes.
///  5. expire (nightly, and every read compares protected_until): lapsed reports release.

#include "Collisions.h"
#include "Companies.h"
#include "ReportCode.h"

#include <anchang/sdk/Host.hpp>

#include <cstdint>

namespace anchang::channel {

class Reports {
public:
    Reports(const sdk::Host& host, const Companies& companies, const ReportCode& codes, const Collisions& collisions)
        : host_(host), companies_(companies), codes_(codes), collisions_(collisions) {}

    /// {status, body}: 201 with the report and its code; 422 channel.report_refused with the
    /// reason's code and words (the refused report is kept, status rejected).
    /// A company with the SMS check (报备需短信验证) asks for the code the customer was texted
    /// (`sms_code`, sent by sendSmsCheck to the full number): the customer agreed to be reported
    /// by this agent. A missing or wrong code is a 400 and nothing is kept: a typo is no fraud.
    std::pair<int, nlohmann::json> submit(std::int64_t project, std::int64_t userId, const nlohmann::json& body, bool english) const;
    /// Texts the customer of a report about to be made ({"phone"}, in full) the code that shows they
    /// agree, through the kernel's phone check; only for an active agent of a company that asks
    /// for it. `address` is the client's, for the kernel's per-address limit.
    nlohmann::json sendSmsCheck(std::int64_t project, std::int64_t userId, const nlohmann::json& body, const std::string& address, bool english) const;
    nlohmann::json mine(std::int64_t project, std::int64_t userId) const;
    /// The code of one of the user's own reports while it holds; 404 otherwise (another agent's
    /// report is not found, not forbidden: its existence is not theirs to learn).
    std::string codeOf(std::int64_t project, std::int64_t report, std::int64_t userId) const;
    nlohmann::json list(std::int64_t project, const std::optional<std::string>& status, int limit) const;
    nlohmann::json check(std::int64_t project, const nlohmann::json& input) const;
    void visitRegistered(std::int64_t project, const nlohmann::json& event) const;
    void subscribed(std::int64_t project, const nlohmann::json& event) const;
    /// The customer's reports as entries of their timeline (core.customer.timeline).
    nlohmann::json timeline(std::int64_t project, const nlohmann::json& input) const;
    /// Marks lapsed reports expired and frees their claims; returns how many.
    std::int64_t expire(std::int64_t project) const;
    /// Asks channel.confirmation.check again about the held confirmations; how many it settled.
    std::int64_t recheckHeld(std::int64_t project) const;

private:
    nlohmann::json get(std::int64_t project, std::int64_t id) const;
    /// Throws 400 unless `body.sms_code` is the code texted to `phone` for this report.
    void verifySmsCode(std::int64_t project, const std::string& phone, const nlohmann::json& body, bool english) const;
    nlohmann::json shape(nlohmann::json row) const;
    /// Reports that protect the full number `phone` now (by its full form or a hidden one).
    nlohmann::json protecting(std::int64_t project, const std::string& phone) const;
    /// Other reports still open on `phone` (protecting it, or 到访为王 reports whose code holds),
    /// by agents other than `agent`: what a confirmed visit collides with.
    nlohmann::json rivals(std::int64_t project, const std::string& phone, std::int64_t report, std::int64_t agent) const;
    /// What the modules on channel.confirmation.check say about confirming this report: the
    /// strictest answer (refuse, then hold, then clear) with its reason. A contributor that fails
    /// or is late holds: it is asked again, rather than confirming what it might have refused.
    std::pair<std::string, nlohmann::json> confirmationVerdict(std::int64_t project, std::int64_t report, const nlohmann::json& customer,
                                                               const nlohmann::json& deal) const;
    /// Confirms, holds or refuses one report as the verdict says.
    bool settle(std::int64_t project, std::int64_t report, const nlohmann::json& customer, const nlohmann::json& deal) const;
    /// Tells the report's agent, on their open portal page.
    void tellAgent(std::int64_t project, const nlohmann::json& report, const std::string& event) const;

    const sdk::Host& host_;
    const Companies& companies_;
    const ReportCode& codes_;
    const Collisions& collisions_;
};

} // namespace anchang::channel
