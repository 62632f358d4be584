#include "VisitDesk.h"

#include <anchang/sdk/Fields.hpp>
#include <anchang/sdk/Phone.hpp>

#include <functional>
#include <set>

namespace anchang::registration {

namespace {

std::string say(const sdk::Request& request, const std::string& zh, const std::string& en) { return request.english() ? en : zh; }

std::string optionalText(const nlohmann::json& body, const char* key, std::size_t maxLength) {
    return sdk::Fields::text(body, key, maxLength, false, "visit.invalid");
}

std::string trimmed(std::string text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

nlohmann::json idOrNull(const std::optional<std::int64_t>& id) { return id ? nlohmann::json(*id) : nlohmann::json(nullptr); }

} // namespace

nlohmann::json VisitDesk::askModule(const std::string& service, const nlohmann::json& body, std::int64_t project,
                                    const std::string& moduleName) const {
    const auto reply = host_.call(service, body, project, std::chrono::milliseconds(2000));
    if (reply.unavailable())
        return {{"status", "unavailable"}, {"code", reply.code()},
                {"message", {{"zh-CN", moduleName == "channel" ? "渠道报备模块未启用，报备码未核验" : "人脸风控模块未启用，照片未比对"},
                             {"en", "the " + moduleName + " module is not enabled; nothing was checked"}}}};
    if (!reply.ok()) return {{"status", "error"}, {"code", reply.code()}, {"message", reply.message()}};
    nlohmann::json result = reply.body.is_object() ? reply.body : nlohmann::json{{"result", reply.body}};
    if (!result.contains("status")) result["status"] = "checked";
    return result;
}

nlohmann::json VisitDesk::answer(const nlohmann::json& visit, const nlohmann::json& customer, const nlohmann::json& channel,
                                 const nlohmann::json& face, bool duplicate, bool replayed) const {
    nlohmann::json summary = nullptr;
    if (customer.is_object())
        summary = {{"id", customer["id"]}, {"name", customer["name"]}, {"returning", visit["returning"]}, {"visits", customer["visits"]},
                   {"owner_id", customer["owner_id"]}, {"protection_until", customer["protection_until"]}, {"source", customer["source"]}};
    return {{"visit", visit}, {"customer", summary}, {"channel", channel}, {"face", face}, {"duplicate", duplicate}, {"replayed", replayed}};
}

std::pair<int, nlohmann::json> VisitDesk::registerVisit(const sdk::Request& request) const {
    const std::int64_t project = request.idParam("project");
    const nlohmann::json body = request.json();

    // 1. What makes a registration valid at all.
    const std::string phone = body.contains("phone") && body["phone"].is_string() ? sdk::Phone::normalize(body["phone"].get<std::string>()) : "";
    if (phone.empty())
        throw sdk::Error::invalid("visit.phone_invalid", say(request, "手机号不正确，请输入 11 位手机号", "the phone must be an 11-digit mainland mobile number"));
    const std::string name = trimmed(optionalText(body, "name", 120));
    if (name.empty()) throw sdk::Error::invalid("visit.name_required", say(request, "请填写客户称呼", "the visitor's name is required"));
    if (body.contains("questionnaire") && !body["questionnaire"].is_object())
        throw sdk::Error::invalid("visit.invalid", "questionnaire must be an object");
    const nlohmann::json questionnaire = body.value("questionnaire", nlohmann::json::object());
    const std::string layout = questionnaire.contains("layout") && questionnaire["layout"].is_string() ? trimmed(questionnaire["layout"]) : "";
    if (layout.empty()) throw sdk::Error::invalid("visit.layout_required", say(request, "请填写意向户型", "the layout wanted is required"));
    std::string phoneSource = optionalText(body, "phone_source", 10);
    if (phoneSource.empty()) phoneSource = "typed";
    if (phoneSource != "typed" && phoneSource != "wechat") throw sdk::Error::invalid("visit.invalid", "phone_source must be typed or wechat");
    if (body.contains("custom") && !body["custom"].is_object()) throw sdk::Error::invalid("visit.invalid", "custom must be an object");
    const std::int64_t companions = sdk::Fields::integer(body, "companions", 0, 20, 0, "visit.invalid");
    std::optional<std::int64_t> designated;
    if (body.contains("designated_consultant_id") && !body["designated_consultant_id"].is_null()) {
        if (!body["designated_consultant_id"].is_number_integer()) throw sdk::Error::invalid("visit.invalid", "designated_consultant_id must be a user id");
        designated = body["designated_consultant_id"].get<std::int64_t>();
    }
    const std::string reportCode = optionalText(body, "report_code", 64);
    const std::string photo = optionalText(body, "photo", 700 * 1024);
    // Faces need the visitor's own, separate consent (the 2025 face-recognition rules); without it
    // the desk registers them with no photo, never the other way round.
    if (body.contains("photo_consent") && !body["photo_consent"].is_boolean()) throw sdk::Error::invalid("visit.invalid", "photo_consent must be true or false");
    if (!photo.empty() && !body.value("photo_consent", false))
        throw sdk::Error::invalid("visit.photo_consent_required",
                                  say(request, "拍照需先征得客户同意", "a photo needs the visitor's consent (photo_consent: true)"));

    // The project's own fields and rules.
    nlohmann::json values = body.value("custom", nlohmann::json::object());
    values["phone"] = phone;
    values["name"] = name;
    if (body.contains("gender") && !body["gender"].is_null()) values["gender"] = body["gender"];
    for (const auto& [key, value] : questionnaire.items()) values[key] = value;
    const auto checked = host_.validateForm("registration.visit", project, values);
    if (checked.value("vetoed", false)) throw sdk::Error(422, "registration.vetoed", checked.value("message", std::string{}));
    if (!checked.value("ok", false))
        return {400, {{"error", {{"code", "visit.invalid_fields"}, {"message", say(request, "部分字段填写不正确", "some fields are not valid")},
                                 {"request_id", request.requestId()}, {"fields", checked["errors"]}}}}};
    const nlohmann::json custom = checked.value("values", nlohmann::json::object());

    // 2. The same request again: the same answer.
    const std::string key = request.header("idempotency-key").value_or("");
    if (key.size() > 128) throw sdk::Error::invalid("visit.invalid", "the Idempotency-Key may have at most 128 characters");
    const std::string hash = std::to_string(std::hash<std::string>{}(body.dump()));
    auto replay = [&]() -> std::optional<std::pair<int, nlohmann::json>> {
        if (key.empty()) return std::nullopt;
        auto row = host_.db().one("SELECT visit_id, request_hash FROM registration_idempotency WHERE project_id = ? AND key = ?", {project, key});
        if (!row) return std::nullopt;
        if ((*row)["request_hash"] != hash)
            throw sdk::Error::conflict("visit.idempotency_conflict",
                                       say(request, "同一个请求编号已用于另一次登记", "this Idempotency-Key was used for a different registration"));
        const auto visit = register_.get(project, (*row)["visit_id"]);
        const auto customer = host_.request("core.customer.find", {{"phone", phone}}, project)["customer"];
        return std::pair<int, nlohmann::json>{200, answer(visit, customer, visit["channel"], visit["face"], false, true)};
    };
    if (auto earlier = replay()) return *earlier;

    // 3. The same visitor a moment ago (a second desk, a second tap): the earlier visit, before
    // anything is asked of other modules. Checked again when the visit is written.
    nlohmann::json customer = host_.request("core.customer.find", {{"phone", phone}}, project)["customer"];
    if (customer.is_object())
        if (const auto earlier = register_.recent(project, customer["id"], duplicateWindowMs_); !earlier.is_null())
            return {200, answer(earlier, customer, earlier["channel"], earlier["face"], true, false)};

    // 4. Other modules, if this deployment has them.
    nlohmann::json channel = reportCode.empty() ? nlohmann::json{{"status", "skipped"}}
                                                : askModule("channel.report.verify", {{"code", reportCode}, {"phone", phone}, {"name", name}},
                                                            project, "channel");
    // The code stays on the visit whatever the channel module said, so a report can be checked later.
    if (!reportCode.empty()) channel["report_code"] = reportCode;
    const nlohmann::json face = photo.empty() ? nlohmann::json{{"status", "skipped"}}
                                              : askModule("face.check", {{"photo", photo}, {"phone", phone}, {"consent", true}}, project, "face");

    // 5. Who receives them.
    bool claimed = false; // a new customer's first visit is counted by the claim itself
    const Assignment::Visitor visitor{name, sdk::Phone::masked(phone), questionnaire, designated, optionalText(body, "designation_reason", 200)};
    Assignment::Decision decision = assignment_.decide(project, customer, visitor);
    const std::int64_t now = LocalDay::now();
    if (customer.is_null()) {
        const bool viaChannel = channel.value("status", "") == "verified";
        const auto claim = host_.request("core.customer.claim",
                                         {{"phone", phone}, {"name", name}, {"gender", body.value("gender", nlohmann::json(nullptr))},
                                          {"owner_id", idOrNull(decision.owner)}, {"source", viaChannel ? "channel" : "natural"},
                                          {"channel", viaChannel ? channel.value("channel", nlohmann::json(nullptr)) : nlohmann::json(nullptr)},
                                          {"visit_at", now}},
                                         project);
        customer = claim["customer"];
        claimed = claim["created"].get<bool>();
        // Another desk claimed this phone first: the first registration wins, and this visit is
        // decided as a returning one (which may give an unowned customer its owner, below).
        if (!claimed) decision = assignment_.decide(project, customer, visitor);
    }
    if (!claimed && decision.newOwner && decision.owner) {
        customer = host_.request("core.customer.assign_owner",
                                 {{"customer_id", customer["id"]}, {"owner_id", *decision.owner}, {"reason", decision.reason},
                                  {"actor_id", request.userId()}, {"actor_name", request.username()}},
                                 project)["customer"];
    }
    if (!decision.hookError.empty()) host_.warning("registration.assign fell back to the rotation: " + decision.hookError);

    // 6. The register.
    const nlohmann::json record = {
        {"customer_id", customer["id"]}, {"phone", phone}, {"phone_source", phoneSource}, {"name", name},
        {"gender", body.value("gender", nlohmann::json(nullptr))}, {"returning", !claimed},
        {"receiver_id", idOrNull(decision.receiver)}, {"receiver_name", decision.receiverName.empty() ? nlohmann::json(nullptr) : nlohmann::json(decision.receiverName)},
        {"owner_id", idOrNull(decision.owner)}, {"owner_name", decision.ownerName.empty() ? nlohmann::json(nullptr) : nlohmann::json(decision.ownerName)},
        {"on_behalf_of", idOrNull(decision.onBehalfOf)}, {"assignment", decision.method}, {"assignment_reason", decision.reason},
        {"counts_turn", decision.countsTurn}, {"questionnaire", questionnaire}, {"custom", custom}, {"channel", channel}, {"face", face},
        {"companions", companions}, {"status", decision.receiver ? "waiting" : "queued"}, {"registered_by", request.userId()},
        {"registered_at", now}};
    nlohmann::json duplicate = nullptr;
    std::int64_t id = 0;
    bool replayed = false;
    host_.db().transaction([&] {
        if (!key.empty() && host_.db().one("SELECT visit_id FROM registration_idempotency WHERE project_id = ? AND key = ?", {project, key})) {
            replayed = true; // the same request, committed by a concurrent call while this one worked
            return;
        }
        duplicate = register_.recent(project, customer["id"], duplicateWindowMs_);
        if (!duplicate.is_null()) return;
        id = register_.insert(project, record);
        if (!key.empty())
            host_.db().exec("INSERT INTO registration_idempotency (project_id, key, request_hash, visit_id, created_at) VALUES (?, ?, ?, ?, ?)",
                            {project, key, hash, id, now});
    });
    if (replayed) return *replay();
    if (!duplicate.is_null()) return {200, answer(duplicate, customer, duplicate["channel"], duplicate["face"], true, false)};
    const nlohmann::json visit = register_.get(project, id);

    // 7. Tell everyone who needs to know.
    if (!claimed) {
        const auto counted = host_.call("core.customer.visited", {{"customer_id", customer["id"]}, {"at", now}}, project);
        if (counted.ok()) customer = counted.body["customer"];
        else host_.error("core did not count visit " + std::to_string(id) + ": " + counted.message());
    }
    host_.publish("visit.registered", {{"visit_id", id}, {"number", visit["number"]}, {"customer_id", customer["id"]},
                                       {"receiver_id", visit["receiver_id"]}, {"owner_id", visit["owner_id"]},
                                       {"assignment", visit["assignment"]}, {"returning", visit["returning"]},
                                       {"channel", channel.value("status", "")}},
                  project);
    if (decision.newOwner && decision.owner)
        host_.publish("customer.assigned", {{"customer_id", customer["id"]}, {"owner_id", *decision.owner}, {"method", decision.method},
                                            {"reason", decision.reason}, {"visit_id", id}},
                      project);
    notify(project, visit);
    return {201, answer(visit, customer, channel, face, false, false)};
}

void VisitDesk::announce(std::int64_t project, const std::string& what, const nlohmann::json& visit) const {
    host_.publish("push.registration.board", {{"audience", {{"permission", "registration.board.read"}}},
                                              {"data", {{"event", what}, {"visit", Register::onBoard(visit)}}}},
                  project);
}

void VisitDesk::notify(std::int64_t project, const nlohmann::json& visit) const {
    announce(project, "registered", visit);
    const std::string who = visit["name"].get<std::string>() + "（" + sdk::Phone::masked(visit["phone"].get<std::string>()) + "）";
    // The receiver and the owner take the customer, so they get the full phone; pushes to a
    // permission (everyone who may assign) carry the board's masked view.
    const nlohmann::json data = {{"visit", visit}};
    if (visit["receiver_id"].is_number_integer()) {
        host_.publish("push.registration.assigned", {{"audience", {{"users", {visit["receiver_id"]}}}}, {"data", data}}, project);
        std::string text = "您有一位" + std::string(visit["returning"].get<bool>() ? "老" : "新") + "客户到访，请及时接待：" + who + "，登记第 " +
                           visit["number"].dump() + " 号";
        if (visit["on_behalf_of"].is_number_integer()) text += "（代" + visit["owner_name"].get<std::string>() + "接待）";
        notifier_.send(project, visit["receiver_id"], visit["receiver_name"], text);
    }
    if (visit["on_behalf_of"].is_number_integer()) {
        host_.publish("push.registration.covered", {{"audience", {{"users", {visit["on_behalf_of"]}}}}, {"data", data}}, project);
        notifier_.send(project, visit["on_behalf_of"], visit["owner_name"],
                       "您的客户 " + who + " 到访，您不在岗，由 " + visit["receiver_name"].get<std::string>() + " 代为接待，客户归属不变");
    }
    if (visit["status"] == "queued") {
        host_.publish("visit.queued", {{"visit_id", visit["id"]}, {"number", visit["number"]}}, project);
        host_.publish("push.registration.queued",
                      {{"audience", {{"permission", "registration.visit.assign"}}}, {"data", {{"visit", Register::onBoard(visit)}}}}, project);
        host_.call("kernel.alert.raise",
                   {{"kind", "registration.queued"},
                    {"message", {{"zh-CN", "当前无置业顾问在岗，第 " + visit["number"].dump() + " 号来访客户 " + who + " 正在等待，请安排接待"},
                                 {"en", "No consultant is on duty: visitor number " + visit["number"].dump() + " is waiting to be received"}}},
                    {"detail", {{"visit_id", visit["id"]}, {"number", visit["number"]}}}},
                   project);
    }
}

nlohmann::json VisitDesk::lookup(std::int64_t project, const std::string& phone) const {
    const std::string normalized = sdk::Phone::normalize(phone);
    if (normalized.empty()) throw sdk::Error::invalid("visit.phone_invalid", "not a mobile phone number");
    const auto customer = host_.request("core.customer.find", {{"phone", normalized}}, project)["customer"];
    if (customer.is_null()) return {{"known", false}};
    nlohmann::json owner = nullptr;
    const auto roster = host_.request("core.roster.get", nlohmann::json::object(), project);
    for (const auto& c : roster["consultants"])
        if (c["user_id"] == customer["owner_id"]) owner = {{"id", c["user_id"]}, {"name", c["name"]}, {"status", c["status"]}};
    Register::Filter filter;
    filter.customer = customer["id"].get<std::int64_t>();
    filter.limit = 5;
    nlohmann::json visits = nlohmann::json::array();
    for (const auto& v : register_.list(project, filter))
        visits.push_back({{"number", v["number"]}, {"day", v["day"]}, {"receiver_name", v["receiver_name"]}, {"status", v["status"]}});
    return {{"known", true},
            {"customer", {{"id", customer["id"]}, {"name", customer["name"]}, {"visits", customer["visits"]}, {"protected", customer["protected"]},
                          {"protection_until", customer["protection_until"]}, {"last_visit_at", customer["last_visit_at"]},
                          {"source", customer["source"]}}},
            {"owner", owner},
            {"recent_visits", visits}};
}

void VisitDesk::drainQueue(std::int64_t project) const {
    const auto queued = register_.queued(project);
    if (queued.empty() || assignment_.rotation(project).empty()) return;
    for (const auto& visit : queued) {
        const auto customer = host_.request("core.customer.find", {{"phone", visit["phone"]}}, project)["customer"];
        const Assignment::Visitor visitor{visit["name"], sdk::Phone::masked(visit["phone"].get<std::string>()), visit["questionnaire"], std::nullopt, ""};
        const auto decision = assignment_.decide(project, customer, visitor);
        if (!decision.receiver) continue;
        if (decision.newOwner && decision.owner && customer.is_object() && customer["owner_id"] != *decision.owner)
            host_.request("core.customer.assign_owner", {{"customer_id", customer["id"]}, {"owner_id", *decision.owner},
                                                         {"reason", "排队客户分配：" + decision.reason}, {"actor_name", "registration"}},
                          project);
        // Only if still queued: a manager may have given the visitor to someone meanwhile.
        auto assigned = register_.assign(project, visit["id"], *decision.receiver, decision.receiverName, decision.method,
                                         "排队后分配：" + decision.reason, decision.countsTurn, {"queued"});
        if (assigned.is_null()) continue;
        notify(project, assigned);
    }
}

nlohmann::json VisitDesk::assignManually(std::int64_t project, std::int64_t visitId, std::int64_t consultant, const std::string& reason,
                                         std::int64_t actorId, const std::string& actorName) const {
    std::string name;
    const auto roster = host_.request("core.roster.get", nlohmann::json::object(), project);
    for (const auto& c : roster["consultants"])
        if (c["user_id"] == consultant && c["status"] != "left") name = c["name"];
    if (name.empty()) throw sdk::Error::invalid("visit.not_consultant", "the consultant must be on this project's roster");
    const auto before = register_.get(project, visitId);
    if (before["status"] != "queued" && before["status"] != "waiting")
        throw sdk::Error::conflict("visit.not_assignable", "only a waiting or queued visitor can be given to someone");
    // Core first: if it refuses, the register is left as it was.
    if (before["owner_id"].is_null() && before["customer_id"].is_number_integer())
        host_.request("core.customer.assign_owner", {{"customer_id", before["customer_id"]}, {"owner_id", consultant}, {"reason", reason},
                                                     {"actor_id", actorId}, {"actor_name", actorName}},
                      project);
    auto visit = register_.assign(project, visitId, consultant, name, "manual", reason, false, {"queued", "waiting"});
    if (visit.is_null()) throw sdk::Error::conflict("visit.not_assignable", "the visitor was received or voided meanwhile");
    host_.audit({{"actor_id", actorId}, {"actor_name", actorName}, {"project_id", project}, {"action", "visit.assign"},
                 {"target", "visit:" + std::to_string(visitId)},
                 {"detail", {{"from", before["receiver_id"]}, {"to", consultant}, {"reason", reason}}}});
    notify(project, visit);
    return visit;
}

} // namespace anchang::registration
