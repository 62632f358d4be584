#include "Reports.h"

#include "HiddenPhone.h"

#include <anchang/sdk/Fields.hpp>
#include <anchang/sdk/Phone.hpp>

#include <map>

namespace anchang::channel {

namespace {

constexpr const char* kColumns =
    "r.id, r.company_id, c.name AS company_name, r.agent_id, a.name AS agent_name, a.phone AS agent_phone, a.user_id AS agent_user_id, "
    "r.customer_name, r.phone, r.phone_key, r.hidden_format, r.expected_visit_at, r.notes, r.status, r.reason_code, r.reason, "
    "r.protection_mode, r.protected_until, r.code_valid_until, r.reported_at, r.visited_at, r.visit_id, r.customer_id, r.subscribed_at, r.deal_id, "
    "r.collision_id, r.held_since, r.held_reason";
constexpr const char* kFrom = " FROM channel_reports r JOIN channel_companies c ON c.id = r.company_id JOIN channel_agents a ON a.id = r.agent_id ";

/// Why a report is refused, in the words the agent reads.
const std::map<std::string, std::pair<std::string, std::string>>& refusals() {
    static const std::map<std::string, std::pair<std::string, std::string>> words = {
        {"agent_inactive", {"您的经纪人账号已停用，不能报备", "your agent account is suspended"}},
        {"company_inactive", {"您所在的渠道公司已暂停合作或不在合作期内", "your company is suspended or outside its contract period"}},
        {"hidden_format", {"您所在的渠道不允许以这种隐号格式报备", "your company may not report a number hidden this way"}},
        {"too_soon", {"预计到访时间太近：需在报备后至少 {n} 分钟", "the visit is too soon: at least {n} minutes after the report"}},
        {"site_customer", {"该客户已是案场客户（开发商保护），不能报备", "the site already knows this customer (developer's protection)"}},
        {"protected_other", {"该客户已在其他渠道的报备保护期内", "another channel's report protects this customer"}},
        {"duplicate", {"您已报备过该客户，报备码见“我的报备”", "you reported this customer already: the code is in My reports"}},
        {"sms_full_phone", {"您所在的渠道报备需短信验证客户手机，请填写完整号码", "your company verifies the customer's phone by SMS: give the full number"}},
    };
    return words;
}

std::string fill(std::string text, const std::string& n) {
    if (const auto at = text.find("{n}"); at != std::string::npos) text.replace(at, 3, n);
    return text;
}

nlohmann::json text(const std::string& zh, const std::string& en) { return {{"zh-CN", zh}, {"en", en}}; }

} // namespace

nlohmann::json Reports::shape(nlohmann::json row) const {
    // A report in its window shows the state people mean: lapsed on read, whatever the job did yet.
    const std::int64_t now = host_.now();
    const bool open = row["status"] == "reported" || row["status"] == "visited";
    // A held confirmation (its deal came in time) waits for a ruling, not for the clock.
    if (open && row["held_since"].is_null() && row["protected_until"].is_number() && row["protected_until"].get<std::int64_t>() <= now)
        row["status"] = "expired";
    if (open && row["status"] == "reported" && row["code_valid_until"].get<std::int64_t>() <= now) row["status"] = "expired";
    if (row["status"] == "reported" || row["status"] == "visited")
        row["code"] = codes_.issue(row.value("project_id", std::int64_t{0}), row["id"], row["agent_id"]);
    row.erase("project_id");
    return row;
}

nlohmann::json Reports::get(std::int64_t project, std::int64_t id) const {
    auto row = host_.db().one(std::string("SELECT r.project_id, ") + kColumns + kFrom + "WHERE r.project_id = ? AND r.id = ?", {project, id});
    if (!row) throw sdk::Error::notFound("channel.report_not_found", "no such report: " + std::to_string(id));
    return shape(std::move(*row));
}

std::pair<int, nlohmann::json> Reports::submit(std::int64_t project, std::int64_t userId, const nlohmann::json& body, bool english) const {
    if (!body.is_object()) throw sdk::Error::invalid("channel.invalid", "the body must be an object");
    const auto agent = companies_.agentOf(project, userId);
    if (!agent) throw sdk::Error::forbidden("channel.not_agent", "you are not an agent of a channel company in this project");
    const std::string name = sdk::Fields::text(body, "customer_name", 40, true, "channel.invalid");
    const auto phone = body.contains("phone") && body["phone"].is_string() ? HiddenPhone::parse(body["phone"].get<std::string>()) : std::nullopt;
    if (!phone)
        throw sdk::Error::invalid("channel.phone_invalid", english ? "the phone must be 11 digits, or hidden as 138****1234 (or 1380****234)"
                                                                   : "手机号须为 11 位，或按隐号格式填写，如 138****1234、1380****234");
    if (!body.contains("expected_visit_at") || !body["expected_visit_at"].is_number_integer())
        throw sdk::Error::invalid("channel.invalid", "expected_visit_at must be a time in milliseconds");
    const std::int64_t expected = body["expected_visit_at"];
    const std::string notes = sdk::Fields::text(body, "notes", 500, false, "channel.invalid");
    const auto company = companies_.get(project, agent->companyId);
    const auto policy = companies_.policy(company);
    const std::int64_t now = host_.now();

    // The rules of the agent's company, before anything is written.
    std::string refusal;
    if (!agent->active) refusal = "agent_inactive";
    else if (!companies_.closedReason(company, now).empty()) refusal = "company_inactive";
    else if (phone->hidden() && !policy.hiddenFormats.count(phone->format())) refusal = "hidden_format";
    else if (expected < now + policy.minAdvanceMinutes * 60000LL) refusal = "too_soon";
    else if (company["sms_check"] == true && phone->hidden()) refusal = "sms_full_phone";
    else if (!phone->hidden()) {
        // 开发商保护: a customer who came to the site (or whom a consultant owns) is the site's.
        const auto customer = host_.request("core.customer.find", {{"phone", phone->key()}}, project)["customer"];
        if (customer.is_object() && (customer["visits"].get<std::int64_t>() > 0 || customer["owner_id"].is_number_integer())) refusal = "site_customer";
    }
    // The customer's code last: a report the rules refuse anyway does not spend it.
    if (refusal.empty() && company["sms_check"] == true) verifySmsCode(project, phone->key(), body, english);

    const auto protectedUntil = Protection::fromReport(policy, now);
    const std::int64_t codeValidUntil = protectedUntil.value_or(now + policy.visitDays * Protection::kDayMs);
    std::int64_t id = 0;
    host_.db().transaction([&] {
        id = host_.db()
                 .run("INSERT INTO channel_reports (project_id, company_id, agent_id, customer_name, phone, phone_key, hidden_format, "
                      "expected_visit_at, notes, status, protection_mode, protected_until, code_valid_until, reported_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'reported', ?, ?, ?, ?) RETURNING id",
                      {project, agent->companyId, agent->id, name, phone->key(), phone->key(),
                       phone->hidden() ? nlohmann::json(phone->format()) : nlohmann::json(nullptr), expected, notes, policy.mode,
                       protectedUntil ? nlohmann::json(*protectedUntil) : nlohmann::json(nullptr), codeValidUntil, now})
                 .rows.at(0)
                 .at("id")
                 .get<std::int64_t>();
        if (refusal.empty()) {
            // The claim's key decides between two reports of one customer, whatever their timing:
            // this report takes the row where nobody holds it or the holder's protection lapsed.
            if (protectedUntil)
                host_.db().exec("INSERT INTO channel_claims (project_id, phone_key, report_id, protected_until) VALUES (?, ?, ?, ?) "
                                "ON CONFLICT (project_id, phone_key) DO UPDATE SET report_id = excluded.report_id, "
                                "protected_until = excluded.protected_until WHERE channel_claims.protected_until <= ?",
                                {project, phone->key(), id, *protectedUntil, now});
            const auto holder = host_.db().one("SELECT c.report_id, r.agent_id FROM channel_claims c JOIN channel_reports r ON r.id = c.report_id "
                                               "WHERE c.project_id = ? AND c.phone_key = ? AND c.protected_until > ?",
                                               {project, phone->key(), now});
            if (holder && (*holder)["report_id"] != id) refusal = (*holder)["agent_id"] == agent->id ? "duplicate" : "protected_other";
        }
        if (!refusal.empty()) {
            const auto& words = refusals().at(refusal);
            host_.db().exec("UPDATE channel_reports SET status = 'rejected', reason_code = ?, reason = ?, protected_until = NULL WHERE id = ?",
                            {refusal, fill(words.first, std::to_string(policy.minAdvanceMinutes)), id});
        } else {
            host_.publish("channel.report.created", {{"report_id", id}, {"company_id", agent->companyId}, {"agent_id", agent->id}}, project);
        }
    });
    const auto report = get(project, id);
    if (!refusal.empty()) {
        const auto& words = refusals().at(refusal);
        const std::string n = std::to_string(policy.minAdvanceMinutes);
        return {422, {{"error", {{"code", "channel.report_refused"}, {"reason", refusal}, {"message", english ? fill(words.second, n) : fill(words.first, n)},
                                 {"report", report}}}}};
    }
    return {201, report};
}

nlohmann::json Reports::sendSmsCheck(std::int64_t project, std::int64_t userId, const nlohmann::json& body, const std::string& address,
                                     bool english) const {
    if (!body.is_object()) throw sdk::Error::invalid("channel.invalid", "the body must be an object");
    const auto agent = companies_.agentOf(project, userId);
    if (!agent) throw sdk::Error::forbidden("channel.not_agent", "you are not an agent of a channel company in this project");
    const auto company = companies_.get(project, agent->companyId);
    if (!agent->active || !companies_.closedReason(company, host_.now()).empty())
        throw sdk::Error::forbidden("channel.agent_inactive", english ? "your agent account or company may not report now" : "您的账号或所在渠道当前不能报备");
    if (company["sms_check"] != true) throw sdk::Error::conflict("channel.sms_not_required", "your company's reports need no SMS check");
    const auto phone = body.contains("phone") && body["phone"].is_string() ? HiddenPhone::parse(body["phone"].get<std::string>()) : std::nullopt;
    if (!phone || phone->hidden())
        throw sdk::Error::invalid("channel.phone_invalid", english ? "the customer's full 11-digit number receives the code" : "验证码发送到客户的完整 11 位手机号");
    return host_.request("kernel.phone_check.send",
                         {{"phone", phone->key()},
                          {"template", "channel.report_sms_check"},
                          {"params", {{"agent", agent->name}, {"company", company["name"]}}},
                          {"lang", english ? "en" : "zh-CN"},
                          {"address", address}},
                         project);
}

void Reports::verifySmsCode(std::int64_t project, const std::string& phone, const nlohmann::json& body, bool english) const {
    if (!body.contains("sms_code") || !body["sms_code"].is_string() || body["sms_code"].get<std::string>().empty())
        throw sdk::Error::invalid("channel.sms_code_required",
                                  english ? "your company verifies the customer's phone: send the code and enter what the customer received"
                                          : "所在渠道报备需验证客户手机：请先发送验证码，并填写客户收到的验证码");
    const auto checked = host_.request("kernel.phone_check.verify", {{"phone", phone}, {"template", "channel.report_sms_check"}, {"code", body["sms_code"]}},
                                       project);
    const std::string result = checked["result"];
    if (result == "accepted") return;
    if (result == "exhausted")
        throw sdk::Error::invalid("channel.sms_code_exhausted", english ? "too many wrong tries: send a new code" : "验证码错误次数过多，请重新发送");
    throw sdk::Error::invalid("channel.sms_code_wrong", english ? "wrong or expired code" : "验证码错误或已过期");
}

nlohmann::json Reports::mine(std::int64_t project, std::int64_t userId) const {
    const auto agent = companies_.agentOf(project, userId);
    if (!agent) throw sdk::Error::forbidden("channel.not_agent", "you are not an agent of a channel company in this project");
    nlohmann::json out = nlohmann::json::array();
    for (auto& row : host_.db().query(std::string("SELECT r.project_id, ") + kColumns + kFrom + "WHERE r.project_id = ? AND r.agent_id = ? "
                                          "ORDER BY r.id DESC LIMIT 200",
                                      {project, agent->id}))
        out.push_back(shape(std::move(row)));
    // What the portal's form needs of the company's rules: the hidden formats, the SMS check.
    const auto company = companies_.get(project, agent->companyId);
    return {{"agent", {{"id", agent->id}, {"name", agent->name}, {"active", agent->active}, {"company_admin", agent->companyAdmin}}},
            {"company",
             {{"id", company["id"]}, {"name", company["name"]}, {"kind", company["kind"]}, {"hidden_formats", company["hidden_formats"]},
              {"sms_check", company["sms_check"]}, {"min_advance_minutes", company["min_advance_minutes"]}}},
            {"reports", out}};
}

std::string Reports::codeOf(std::int64_t project, std::int64_t report, std::int64_t userId) const {
    const auto agent = companies_.agentOf(project, userId);
    const auto found = get(project, report);
    if (!agent || found["agent_id"] != agent->id || !found.contains("code"))
        throw sdk::Error::notFound("channel.report_not_found", "no report of yours with a code that holds: " + std::to_string(report));
    return found["code"];
}

nlohmann::json Reports::list(std::int64_t project, const std::optional<std::string>& status, int limit) const {
    std::string sql = std::string("SELECT r.project_id, ") + kColumns + kFrom + "WHERE r.project_id = ?";
    nlohmann::json params = {project};
    if (status) {
        sql += " AND r.status = ?";
        params.push_back(*status);
    }
    params.push_back(std::clamp(limit, 1, 1000));
    nlohmann::json out = nlohmann::json::array();
    for (auto& row : host_.db().query(sql + " ORDER BY r.id DESC LIMIT ?", params)) {
        auto report = shape(std::move(row));
        report.erase("code"); // the site sees reports, not the codes brokers show
        out.push_back(std::move(report));
    }
    return out;
}

nlohmann::json Reports::timeline(std::int64_t project, const nlohmann::json& input) const {
    // Reports bound to the customer at a visit, and reports of their numbers in full; a hidden
    // number alone might be anyone's, so it shows only once a visit bound it.
    std::map<std::int64_t, nlohmann::json> found;
    for (auto& row : host_.db().query(std::string("SELECT ") + kColumns + kFrom + "WHERE r.project_id = ? AND r.customer_id = ?",
                                      {project, input.value("customer_id", std::int64_t{0})})) {
        const std::int64_t id = row["id"]; // before the move: json's assignment takes its value first
        found[id] = std::move(row);
    }
    for (const auto& phone : input.value("phones", nlohmann::json::array()))
        for (auto& row : host_.db().query(std::string("SELECT ") + kColumns + kFrom + "WHERE r.project_id = ? AND r.phone_key = ? LIMIT 50", {project, phone})) {
            const std::int64_t id = row["id"];
            found[id] = std::move(row);
        }
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& [id, r] : found) {
        const std::string who = r["company_name"].get<std::string>() + " · " + r["agent_name"].get<std::string>();
        const bool refused = r["status"] == "rejected";
        entries.push_back({{"at", r["reported_at"]}, {"kind", refused ? "report.rejected" : "report"},
                           {"title", {{"zh-CN", (refused ? "报备未通过：" : "渠道报备：") + who}, {"en", (refused ? "Report refused: " : "Channel report: ") + who}}},
                           {"detail", {{"report_id", id}, {"status", r["status"]}, {"reason", r["reason"]}, {"protected_until", r["protected_until"]}}}});
        if (r["visited_at"].is_number())
            entries.push_back({{"at", r["visited_at"]}, {"kind", "report.visited"},
                               {"title", {{"zh-CN", "确认到访（" + who + "）"}, {"en", "Visit confirmed (" + who + ")"}}}, {"detail", {{"report_id", id}}}});
        if (r["subscribed_at"].is_number())
            entries.push_back({{"at", r["subscribed_at"]}, {"kind", "report.confirmed"},
                               {"title", {{"zh-CN", "确客：业绩归属 " + who}, {"en", "Confirmed for " + who}}}, {"detail", {{"report_id", id}}}});
    }
    return {{"entries", entries}};
}

nlohmann::json Reports::protecting(std::int64_t project, const std::string& phone) const {
    nlohmann::json out = nlohmann::json::array();
    // A full number has exactly three keys a report of it can have: itself and its two hidden
    // forms. Looked up by the (project, phone_key) index, never by a scan of every report.
    const auto keys = HiddenPhone::keysOf(phone);
    for (auto& row : host_.db().query(std::string("SELECT r.project_id, ") + kColumns + kFrom +
                                          "WHERE r.project_id = ? AND r.phone_key IN (?, ?, ?) AND r.status IN ('reported', 'visited') "
                                          "AND r.protected_until > ? ORDER BY r.id",
                                      {project, keys[0], keys[1], keys[2], host_.now()})) {
        const auto hidden = HiddenPhone::parse(row["phone_key"].get<std::string>());
        if (hidden && hidden->matches(phone)) out.push_back(shape(std::move(row)));
    }
    return out;
}

nlohmann::json Reports::rivals(std::int64_t project, const std::string& phone, std::int64_t report, std::int64_t agent) const {
    nlohmann::json out = nlohmann::json::array();
    const std::int64_t now = host_.now();
    const auto keys = HiddenPhone::keysOf(phone);
    for (auto& row : host_.db().query(std::string("SELECT r.project_id, ") + kColumns + kFrom +
                                          "WHERE r.project_id = ? AND r.phone_key IN (?, ?, ?) AND r.id <> ? AND r.agent_id <> ? "
                                          "AND r.status IN ('reported', 'visited') "
                                          "AND (r.protected_until > ? OR (r.protected_until IS NULL AND r.code_valid_until > ?)) ORDER BY r.id",
                                      {project, keys[0], keys[1], keys[2], report, agent, now, now})) {
        const auto hidden = HiddenPhone::parse(row["phone_key"].get<std::string>());
        if (hidden && hidden->matches(phone)) out.push_back(shape(std::move(row)));
    }
    return out;
}

nlohmann::json Reports::check(std::int64_t project, const nlohmann::json& input) const {
    const nlohmann::json title = text("渠道报备", "Channel report");
    const std::string phone = sdk::Phone::normalize(input.value("phone", std::string{}));
    const auto part = input.value("extension", nlohmann::json::object());
    const std::string code = part.is_object() && part.contains("code") && part["code"].is_string() ? part["code"].get<std::string>() : "";
    auto warning = [&](const std::string& reason, const nlohmann::json& message, nlohmann::json detail = nlohmann::json::object()) {
        detail["reason"] = reason;
        return nlohmann::json{{"status", "warning"}, {"title", title}, {"message", message}, {"detail", detail}};
    };
    if (code.empty()) {
        // No code: the desk should still know a channel's report protects this visitor (a
        // broker's customer walking in alone is how customers get "washed").
        const auto reports = phone.empty() ? nlohmann::json::array() : protecting(project, phone);
        if (reports.empty()) return {{"status", "skipped"}, {"title", title}};
        const auto& r = reports[0];
        return warning("reported_without_code",
                       text("该客户在“" + r["company_name"].get<std::string>() + "”的报备保护期内，请向陪同的经纪人核对报备码",
                            "a report of " + r["company_name"].get<std::string>() + " protects this visitor: ask the broker for the code"),
                       {{"report_id", r["id"]}, {"company", r["company_name"]}});
    }
    const auto decoded = ReportCode::decode(code);
    auto unknown = [&] { return warning("code_invalid", text("报备码无效：" + code, "not a valid report code: " + code), {{"code", code}}); };
    if (!decoded) return unknown();
    auto row = host_.db().one(std::string("SELECT r.project_id, ") + kColumns + kFrom + "WHERE r.project_id = ? AND r.id = ?", {project, decoded->report});
    if (!row || !codes_.genuine(project, (*row)["agent_id"], *decoded)) return unknown();
    const auto report = shape(std::move(*row));
    const nlohmann::json detail = {{"report_id", report["id"]}, {"code", code}, {"company_id", report["company_id"]}, {"company", report["company_name"]},
                                   {"agent_id", report["agent_id"]}, {"agent", report["agent_name"]}};
    if (report["status"] == "rejected" || report["status"] == "expired" || report["status"] == "subscribed")
        return warning("code_expired", text("报备码已失效（" + report["status"].get<std::string>() + "）", "the report code no longer holds"), detail);
    const std::string shownBy = part.contains("agent_phone") && part["agent_phone"].is_string() ? sdk::Phone::normalize(part["agent_phone"].get<std::string>()) : "";
    if (!shownBy.empty() && report["agent_phone"].is_string() && report["agent_phone"] != shownBy)
        return warning("code_other_agent", text("出示报备码的经纪人不是报备人", "the code was shown by someone other than its agent"), detail);
    const auto reported = HiddenPhone::parse(report["phone"].get<std::string>());
    if (!reported || !reported->matches(phone))
        return warning("phone_mismatch", text("来访手机号与报备的号码 " + report["phone"].get<std::string>() + " 不符", "the visitor's phone is not the reported one"),
                       detail);
    // 撞单 with the site: a customer who came before the report is the site's.
    const auto customer = host_.request("core.customer.find", {{"phone", phone}}, project)["customer"];
    if (customer.is_object() && customer["first_visit_at"].is_number() &&
        customer["first_visit_at"].get<std::int64_t>() < report["reported_at"].get<std::int64_t>() && customer["visits"].get<std::int64_t>() > 0)
        return warning("site_customer", text("该客户报备前已到访过案场，归案场所有（开发商保护）", "the customer visited the site before the report"), detail);
    return {{"status", "passed"},
            {"title", title},
            {"message", text("报备有效：" + report["company_name"].get<std::string>() + " · " + report["agent_name"].get<std::string>(),
                             "report confirmed: " + report["company_name"].get<std::string>() + ", " + report["agent_name"].get<std::string>())},
            {"origin", {{"source", "channel"}, {"channel", report["company_name"]}}},
            {"detail", detail}};
}

void Reports::visitRegistered(std::int64_t project, const nlohmann::json& event) const {
    if (!event.contains("customer_id") || !event["customer_id"].is_number_integer()) return;
    // Most visitors come without a report: the event carries the desk's checks, so a visit this
    // module had nothing to say about costs no question back to registration (whose workers
    // serve the desk). Events stored before it carried them are asked about as before.
    if (event.contains("checks") && event["checks"].is_object()) {
        const auto mine = event["checks"].value("channel", nlohmann::json::object());
        const bool passed = mine.value("status", "") == "passed";
        const bool siteCustomer = mine.value("status", "") == "warning" && mine.value("detail", nlohmann::json::object()).value("reason", "") == "site_customer";
        if (!passed && !siteCustomer) return;
    }
    // The visit's own record says what this module's check passed (its report), as the desk kept it.
    const auto visits = host_.request("registration.visits.of_customer", {{"customer_id", event["customer_id"]}}, project)["visits"];
    for (const auto& visit : visits) {
        if (visit["id"] != event["visit_id"] || visit["status"] == "void") continue;
        const auto checks = visit.value("checks", nlohmann::json::object());
        if (!checks.contains("channel")) return;
        const auto& check = checks["channel"];
        // A code for a customer the site had before the report: 撞单 with the site, ruled for it.
        if (check.value("status", "") == "warning" && check.value("detail", nlohmann::json::object()).value("reason", "") == "site_customer") {
            const auto report = get(project, check["detail"]["report_id"]);
            if (report["status"] == "reported") collisions_.rule(project, "site", event["customer_id"], visit["phone"], nlohmann::json::array({report}));
            return;
        }
        if (check.value("status", "") != "passed") return;
        const std::int64_t reportId = checks["channel"]["detail"].value("report_id", std::int64_t{0});
        const auto report = get(project, reportId);
        const auto company = companies_.get(project, report["company_id"]);
        const std::int64_t at = visit["registered_at"];
        const std::int64_t until = Protection::fromVisit(companies_.policy(company), report["reported_at"], at);
        bool confirmed = false;
        host_.db().transaction([&] {
            confirmed = host_.db().exec("UPDATE channel_reports SET status = 'visited', visited_at = ?, visit_id = ?, customer_id = ?, protected_until = ? "
                                        "WHERE id = ? AND project_id = ? AND status = 'reported'",
                                        {at, visit["id"], event["customer_id"], until, reportId, project}) > 0;
            if (!confirmed) return; // delivered again, or a second visit: the first confirmed it
            host_.db().exec("INSERT INTO channel_claims (project_id, phone_key, report_id, protected_until) VALUES (?, ?, ?, ?) "
                            "ON CONFLICT (project_id, phone_key) DO UPDATE SET report_id = excluded.report_id, protected_until = excluded.protected_until",
                            {project, visit["phone"], reportId, until});
            host_.publish("channel.report.visited", {{"report_id", reportId}, {"visit_id", visit["id"]}, {"customer_id", event["customer_id"]},
                                                     {"company_id", report["company_id"]}, {"agent_id", report["agent_id"]}, {"protected_until", until}},
                          project);
        });
        if (!confirmed) return;
        const auto now = get(project, reportId);
        tellAgent(project, now, "visited");
        // Another channel's report still open on this customer: 撞单, ruled now.
        auto involved = rivals(project, visit["phone"], reportId, report["agent_id"]);
        if (!involved.empty()) {
            involved.insert(involved.begin(), now);
            collisions_.rule(project, "channels", event["customer_id"], visit["phone"], involved);
        }
        return;
    }
}

void Reports::subscribed(std::int64_t project, const nlohmann::json& event) const {
    if (!event.contains("customer_id") || !event["customer_id"].is_number_integer()) return;
    // A deal after the channel's protection lapsed is the site's: 撞单 ruled for it, on the record.
    for (const auto& row : host_.db().query("SELECT id, phone_key FROM channel_reports WHERE project_id = ? AND customer_id = ? AND status IN ('visited', 'expired') "
                                            "AND protected_until IS NOT NULL AND protected_until <= ?",
                                            {project, event["customer_id"], host_.now()}))
        collisions_.rule(project, "lapsed", event["customer_id"], row["phone_key"], nlohmann::json::array({get(project, row["id"])}));
    const auto deal = event.value("deal_id", nlohmann::json(nullptr));
    for (const auto& row : host_.db().query("SELECT id FROM channel_reports WHERE project_id = ? AND customer_id = ? AND status = 'visited' "
                                            "AND protected_until > ? AND held_since IS NULL",
                                            {project, event["customer_id"], host_.now()}))
        settle(project, row["id"], event["customer_id"], deal);
}

std::pair<std::string, nlohmann::json> Reports::confirmationVerdict(std::int64_t project, std::int64_t report, const nlohmann::json& customer,
                                                                    const nlohmann::json& deal) const {
    std::string verdict = "clear";
    nlohmann::json reason = nullptr;
    auto stricter = [&](const std::string& v, const nlohmann::json& why) {
        const int rank = v == "refuse" ? 2 : v == "hold" ? 1 : 0;
        const int now = verdict == "refuse" ? 2 : verdict == "hold" ? 1 : 0;
        if (rank > now) verdict = v, reason = why;
    };
    for (const auto& answer : host_.extend("channel.confirmation.check", project, {{"customer_id", customer}, {"report_id", report}, {"deal_id", deal}})) {
        if (!answer.ok()) {
            stricter("hold", {{"zh-CN", answer.plugin + " 未能答复（" + answer.errorCode + "），稍后再问"},
                              {"en", answer.plugin + " did not answer (" + answer.errorCode + "): asked again later"}});
            continue;
        }
        stricter(answer.output.value("verdict", std::string("clear")), answer.output.value("reason", nlohmann::json(nullptr)));
    }
    return {verdict, reason};
}

bool Reports::settle(std::int64_t project, std::int64_t report, const nlohmann::json& customer, const nlohmann::json& deal) const {
    // Asked before the write: other modules answer over the bus, and nobody waits on the store.
    const auto [verdict, reason] = confirmationVerdict(project, report, customer, deal);
    const std::int64_t now = host_.now();
    const std::string words = reason.is_object() ? reason.value("zh-CN", std::string{}) : std::string{};
    bool settled = false;
    host_.db().transaction([&] {
        if (verdict == "hold") {
            host_.db().exec("UPDATE channel_reports SET held_since = COALESCE(held_since, ?), held_reason = ?, held_deal_id = ? WHERE id = ? AND status = 'visited'",
                            {now, words, deal, report});
            return;
        }
        if (verdict == "refuse") {
            settled = host_.db().exec("UPDATE channel_reports SET status = 'rejected', reason_code = 'confirmation_refused', reason = ?, protected_until = NULL, "
                                      "held_since = NULL, held_reason = NULL WHERE id = ? AND status = 'visited'",
                                      {words, report}) > 0;
            host_.db().exec("DELETE FROM channel_claims WHERE project_id = ? AND report_id = ?", {project, report});
            return;
        }
        settled = host_.db().exec("UPDATE channel_reports SET status = 'subscribed', subscribed_at = ?, deal_id = ?, held_since = NULL, held_reason = NULL "
                                  "WHERE id = ? AND status = 'visited'",
                                  {now, deal, report}) > 0;
        if (settled) host_.publish("channel.report.confirmed", {{"report_id", report}, {"deal_id", deal}, {"customer_id", customer}}, project);
    });
    const auto shaped = get(project, report);
    tellAgent(project, shaped, verdict == "clear" ? "confirmed" : verdict == "refuse" ? "rejected" : "held");
    return settled;
}

std::int64_t Reports::recheckHeld(std::int64_t project) const {
    std::int64_t settled = 0;
    for (const auto& row : host_.db().query("SELECT id, customer_id, held_deal_id FROM channel_reports WHERE project_id = ? AND status = 'visited' "
                                            "AND held_since IS NOT NULL ORDER BY held_since",
                                            {project}))
        if (settle(project, row["id"], row["customer_id"], row["held_deal_id"])) ++settled;
    return settled;
}

std::int64_t Reports::expire(std::int64_t project) const {
    const std::int64_t now = host_.now();
    std::int64_t n = 0;
    host_.db().transaction([&] {
        // A held confirmation is not lapsed: its deal came inside the window.
        n = host_.db().exec("UPDATE channel_reports SET status = 'expired' WHERE project_id = ? AND status IN ('reported', 'visited') AND held_since IS NULL "
                            "AND ((protected_until IS NOT NULL AND protected_until <= ?) OR (status = 'reported' AND code_valid_until <= ?))",
                            {project, now, now});
        host_.db().exec("DELETE FROM channel_claims WHERE project_id = ? AND protected_until <= ?", {project, now});
    });
    return n;
}

void Reports::tellAgent(std::int64_t project, const nlohmann::json& report, const std::string& event) const {
    host_.publish("push.channel.report", {{"audience", {{"users", {report["agent_user_id"]}}}}, {"data", {{"event", event}, {"report", report}}}},
                  project);
}

} // namespace anchang::channel
