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

nlohmann::json VisitDesk::answer(const nlohmann::json& visit, const nlohmann::json& customer, bool duplicate, bool replayed) const {
    nlohmann::json summary = nullptr;
    if (customer.is_object())
        summary = {{"id", customer["id"]}, {"name", customer["name"]}, {"returning", visit["returning"]}, {"visits", customer["visits"]},
                   {"owner_id", customer["owner_id"]}, {"protection_until", customer["protection_until"]}, {"source", customer["source"]}};
    return {{"visit", visit}, {"customer", summary}, {"checks", visit["checks"]}, {"duplicate", duplicate}, {"replayed", replayed}};
}

VisitDesk::Checks VisitDesk::check(std::int64_t project, const nlohmann::json& input) const {
    Checks out;
    for (const auto& answer : host_.extend("registration.visit.check", project, input)) {
        if (!answer.ok()) {
            // A module that failed or ran out of time does not stop the desk: the visit says so.
            nlohmann::json message = {{"zh-CN", "模块出错"}, {"en", "the module failed: " + answer.errorMessage}};
            if (answer.errorCode == "bus.timeout") message = {{"zh-CN", "模块未在规定时间内答复"}, {"en", "the module did not answer in time"}};
            if (answer.errorCode == "bus.contract_violation")
                message = {{"zh-CN", "模块的答复不符合约定"}, {"en", "the module's answer was not in the agreed shape"}};
            out.answers[answer.plugin] = {{"status", "error"}, {"code", answer.errorCode}, {"message", message}};
            continue;
        }
        out.answers[answer.plugin] = answer.output;
        // The first module (by plugin id) that knows where the customer came from says so.
        if (out.origin.is_null() && answer.output.contains("origin")) out.origin = answer.output["origin"];
        out.answers[answer.plugin].erase("origin");
    }
    return out;
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
    // What the desk's slot components collected, one part per plugin (registration.desk.visitor).
    if (body.contains("extensions") && !body["extensions"].is_object())
        throw sdk::Error::invalid("visit.invalid", "extensions must map plugin ids to what their desk components sent");
    const std::int64_t companions = sdk::Fields::integer(body, "companions", 0, 20, 0, "visit.invalid");
    std::optional<std::int64_t> designated;
    if (body.contains("designated_consultant_id") && !body["designated_consultant_id"].is_null()) {
        if (!body["designated_consultant_id"].is_number_integer()) throw sdk::Error::invalid("visit.invalid", "designated_consultant_id must be a user id");
        designated = body["designated_consultant_id"].get<std::int64_t>();
    }
    const nlohmann::json gender = body.value("gender", nlohmann::json(nullptr));

    // The project's own fields and rules.
    nlohmann::json values = body.value("custom", nlohmann::json::object());
    values["phone"] = phone;
    values["name"] = name;
    if (!gender.is_null()) values["gender"] = gender;
    for (const auto& [key, value] : questionnaire.items()) values[key] = value;
    const auto validated = host_.validateForm("registration.visit", project, values);
    if (validated.value("vetoed", false)) throw sdk::Error(422, "registration.vetoed", validated.value("message", std::string{}));
    if (!validated.value("ok", false))
        return {400, {{"error", {{"code", "visit.invalid_fields"}, {"message", say(request, "部分字段填写不正确", "some fields are not valid")},
                                 {"request_id", request.requestId()}, {"fields", validated["errors"]}}}}};
    const nlohmann::json custom = validated.value("values", nlohmann::json::object());

    // 2. The same request again: the same answer. The key is stored in the registration's own
    // commit, so a request that died half-way left nothing behind, and its retry registers.
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
        return std::pair<int, nlohmann::json>{200, answer(visit, customer, false, true)};
    };
    if (auto earlier = replay()) return *earlier;

    // 3. The same visitor a moment ago (a second desk, a second tap): the earlier visit, before
    // anything is asked of other modules. Checked again when the visit is written.
    nlohmann::json customer = host_.request("core.customer.find", {{"phone", phone}}, project)["customer"];
    if (customer.is_object())
        if (const auto earlier = register_.recent(project, customer["id"], duplicateWindowMs_); !earlier.is_null())
            return {200, answer(earlier, customer, true, false)};

    // 4. Whatever other modules check about a visitor, before anything is written: they may be
    // slow, and nobody waits on the store for them.
    const Checks checks = check(project, {{"phone", phone}, {"name", name}, {"gender", gender}, {"questionnaire", questionnaire},
                                          {"extensions", body.value("extensions", nlohmann::json::object())}});

    // 5. Who receives them: decided and committed under the project's turn lock, so that
    // concurrent desks each see the turns the others took.
    auto turns = assignment_.turnLock(project);
    // Read again under the lock: the checks may have taken a while, and a ruling may have moved
    // the customer meanwhile; what the decision and a later void rely on is the customer now.
    if (customer.is_object()) customer = host_.request("core.customer.find", {{"phone", phone}}, project)["customer"];
    const Assignment::Visitor visitor{name, sdk::Phone::masked(phone), questionnaire, designated, optionalText(body, "designation_reason", 200)};
    Assignment::Decision decision = assignment_.decide(project, customer, visitor);
    const std::int64_t now = host_.now();

    // 6. One commit for everything the registration changes, in core and here: the customer
    // claimed or counted, its owner, the numbered visit, the key and the events. A crash
    // anywhere before it leaves nothing; after it, a retry with the same key gets this answer.
    bool claimed = false; // a new customer's first visit is counted by the claim itself
    nlohmann::json duplicate = nullptr;
    std::int64_t id = 0;
    bool replayed = false;
    nlohmann::json visit;
    host_.db().transaction([&] {
        if (!key.empty() && host_.db().one("SELECT visit_id FROM registration_idempotency WHERE project_id = ? AND key = ?", {project, key})) {
            replayed = true; // the same request, committed by a concurrent call while this one worked
            return;
        }
        if (customer.is_null()) {
            nlohmann::json claim = {{"phone", phone}, {"name", name}, {"gender", gender}, {"owner_id", idOrNull(decision.owner)}, {"visit_at", now}};
            if (checks.origin.is_object()) claim["origin"] = checks.origin;
            const auto claimedNow = host_.request("core.customer.claim", claim, project);
            customer = claimedNow["customer"];
            claimed = claimedNow["created"].get<bool>();
            // Another desk claimed this phone first: the first registration wins, and this visit
            // is decided as a returning one (which may give an unowned customer its owner).
            if (!claimed) decision = assignment_.decide(project, customer, visitor);
        }
        register_.openWindow(project, customer["id"], duplicateWindowMs_);
        duplicate = register_.recent(project, customer["id"], duplicateWindowMs_);
        if (!duplicate.is_null()) return;
        // What this visit gives the customer, kept so that a void can take back exactly that.
        const bool givesOwner = decision.newOwner && decision.owner.has_value();
        nlohmann::json ownerBefore = nullptr, protectionBefore = nullptr;
        if (!claimed && givesOwner) {
            ownerBefore = customer["owner_id"];
            protectionBefore = customer["protection_until"];
        }
        if (!claimed && givesOwner)
            customer = host_.request("core.customer.assign_owner",
                                     {{"customer_id", customer["id"]}, {"owner_id", *decision.owner}, {"reason", decision.reason}}, project)["customer"];
        if (!claimed) customer = host_.request("core.customer.visited", {{"customer_id", customer["id"]}, {"at", now}}, project)["customer"];
        const nlohmann::json record = {
            {"customer_id", customer["id"]}, {"phone", phone}, {"phone_source", phoneSource}, {"name", name}, {"gender", gender},
            {"returning", !claimed}, {"receiver_id", idOrNull(decision.receiver)},
            {"receiver_name", decision.receiverName.empty() ? nlohmann::json(nullptr) : nlohmann::json(decision.receiverName)},
            {"owner_id", idOrNull(decision.owner)}, {"owner_name", decision.ownerName.empty() ? nlohmann::json(nullptr) : nlohmann::json(decision.ownerName)},
            {"on_behalf_of", idOrNull(decision.onBehalfOf)}, {"assignment", decision.method}, {"assignment_reason", decision.reason},
            {"counts_turn", decision.countsTurn}, {"questionnaire", questionnaire}, {"custom", custom}, {"checks", checks.answers},
            {"source", customer["source"]}, {"companions", companions}, {"status", decision.receiver ? "waiting" : "queued"},
            {"registered_by", request.userId()}, {"registered_at", now}, {"gave_owner", givesOwner}, {"owner_before", ownerBefore},
            {"protection_before", protectionBefore}};
        id = register_.insert(project, record);
        if (!key.empty())
            host_.db().exec("INSERT INTO registration_idempotency (project_id, key, request_hash, visit_id, created_at) VALUES (?, ?, ?, ?, ?)",
                            {project, key, hash, id, now});
        visit = register_.get(project, id);
        // Durable events are stored with this commit and delivered after it.
        host_.publish("visit.registered", {{"visit_id", id}, {"number", visit["number"]}, {"customer_id", customer["id"]},
                                           {"receiver_id", record["receiver_id"]}, {"owner_id", record["owner_id"]},
                                           {"assignment", record["assignment"]}, {"returning", record["returning"]}, {"source", record["source"]},
                                           {"checks", checks.answers}},
                      project);
        if (givesOwner)
            host_.publish("customer.assigned", {{"customer_id", customer["id"]}, {"owner_id", *decision.owner}, {"method", decision.method},
                                                {"reason", decision.reason}, {"visit_id", id}},
                          project);
        if (!decision.receiver) host_.publish("visit.queued", {{"visit_id", id}, {"number", visit["number"]}}, project);
        host_.crashPoint("registration.visit.before_commit");
    });
    // The turn is committed: the next desk reads it. Held until here because decisions are read
    // outside the writer's transaction, so they see committed turns only.
    turns.unlock();
    if (replayed) return *replay();
    if (!duplicate.is_null()) return {200, answer(duplicate, customer, true, false)};
    host_.crashPoint("registration.visit.committed");
    if (!decision.hookError.empty()) host_.warning("registration.assign fell back to the rotation: " + decision.hookError);

    // 7. Tell the people who need to know now (screens, phones): not stored, so after the commit.
    notify(project, visit);
    return {201, answer(visit, customer, false, false)};
}

nlohmann::json VisitDesk::voidVisit(std::int64_t project, std::int64_t id, const std::string& reason, const Register::Actor& actor) const {
    nlohmann::json before, undone;
    host_.db().transaction([&] {
        // The void's own conditional update decides first: of two managers voiding at once, one
        // voids and undoes, the other is told it was void already, and core hears of it once.
        before = register_.voidVisit(project, id, reason, actor);
        undone = undo(project, before, reason);
        host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", "visit.void"},
                     {"target", "visit:" + std::to_string(id)},
                     {"detail", {{"number", before["number"]}, {"phone", before["phone"]}, {"reason", reason}, {"undone", undone}}}});
        host_.publish("visit.voided", {{"visit_id", id}, {"number", before["number"]}, {"owner_released", undone["owner_released"]}}, project);
    });
    if (before["status"] == "queued") closeQueueAlert(project, before);
    auto visit = register_.get(project, id);
    announce(project, "voided", visit);
    visit["undone"] = undone;
    return visit;
}

nlohmann::json VisitDesk::undo(std::int64_t project, const nlohmann::json& voided, const std::string& reason) const {
    Register::Filter filter;
    filter.customer = voided["customer_id"].get<std::int64_t>();
    filter.limit = 5000;
    const auto history = register_.list(project, filter); // newest first, this one void already
    // The valid visits left say what the customer still has: the first and last visit times,
    // and whether a later visit was for the same owner (then the customer did come for them,
    // and the ownership stands).
    nlohmann::json first = nullptr, last = nullptr, holder = nullptr;
    const bool gaveOwner = voided["gave_owner"].get<bool>() && voided["owner_id"].is_number_integer();
    for (const auto& v : history) {
        if (v["status"] == "void") continue;
        if (last.is_null()) last = v["registered_at"];
        first = v["registered_at"];
        if (gaveOwner && v["owner_id"] == voided["owner_id"] && v["registered_at"] >= voided["registered_at"]) holder = v["number"];
    }
    // The owner to go back to is the one the customer had before, unless a visit voided since gave
    // that one too: then what that visit found, and so on back.
    nlohmann::json ownerBefore = voided["owner_before"], protectionBefore = voided["protection_before"];
    for (const auto& v : history) {
        if (ownerBefore.is_null()) break;
        if (v["registered_at"] >= voided["registered_at"] || !v["gave_owner"].get<bool>() || v["owner_id"] != ownerBefore) continue;
        if (v["status"] != "void") break; // a valid visit gave it: it stands
        ownerBefore = v["owner_before"];
        protectionBefore = v["protection_before"];
    }
    nlohmann::json request = {{"customer_id", voided["customer_id"]}, {"last_visit_at", last}, {"first_visit_at", first},
                              {"voided_visit_at", voided["registered_at"]},
                              {"reason", "作废第 " + voided["number"].dump() + " 号来访登记：" + reason}};
    const bool release = gaveOwner && holder.is_null();
    if (release) request["release"] = {{"owner_id", voided["owner_id"]}, {"owner_before", ownerBefore}, {"protection_before", protectionBefore}};
    const auto answer = host_.request("core.customer.visit_voided", request, project);
    const auto& customer = answer["customer"];
    const bool released = answer["owner_released"].get<bool>();
    return {{"visits", customer["visits"]}, {"owner_released", released},
            // The visit gave the owner and no visit holds it, yet the owner is another now: a
            // ruling or a later visit moved the customer since, and that stands.
            {"owner_moved_since", release && !released}, {"held_by", holder}, {"owner_id", customer["owner_id"]},
            {"protection_until", customer["protection_until"]}};
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
        // Off-screen too (SMS, WeChat Work, e-mail: as the operator set up the kernel's notifier).
        const std::string kind = visit["on_behalf_of"].is_number_integer() ? "registration.visitor_covering"
                                 : visit["returning"].get<bool>()           ? "registration.visitor_returning"
                                                                            : "registration.visitor_new";
        tell(project, visit["receiver_id"], kind,
             {{"visitor", who}, {"number", visit["number"]}, {"owner", visit["owner_name"].is_string() ? visit["owner_name"] : nlohmann::json("")}});
    }
    if (visit["on_behalf_of"].is_number_integer()) {
        host_.publish("push.registration.covered", {{"audience", {{"users", {visit["on_behalf_of"]}}}}, {"data", data}}, project);
        tell(project, visit["on_behalf_of"], "registration.owner_covered", {{"visitor", who}, {"receiver", visit["receiver_name"]}});
    }
    if (visit["status"] == "queued") {
        host_.publish("push.registration.queued",
                      {{"audience", {{"permission", "registration.visit.assign"}}}, {"data", {{"visit", Register::onBoard(visit)}}}}, project);
        host_.call("kernel.alert.raise",
                   {{"kind", "registration.queued"},
                    {"title", {{"zh-CN", "来访客户排队"}, {"en", "Visitor queued"}}},
                    {"subject", "visit:" + visit["id"].dump()},
                    {"message", {{"zh-CN", "当前无置业顾问在岗，第 " + visit["number"].dump() + " 号来访客户 " + who + " 正在等待，请安排接待"},
                                 {"en", "No consultant is on duty: visitor number " + visit["number"].dump() + " is waiting to be received"}}},
                    {"detail", {{"visit_id", visit["id"]}, {"number", visit["number"]}}}},
                   project);
        // Someone may have taken or voided the visitor while the alert was on its way: then it
        // closes now, as it would have then.
        if (register_.get(project, visit["id"])["status"] != "queued") closeQueueAlert(project, visit);
    }
}

void VisitDesk::closeQueueAlert(std::int64_t project, const nlohmann::json& visit) const {
    const auto closed = host_.call("kernel.alert.resolve", {{"kind", "registration.queued"}, {"subject", "visit:" + visit["id"].dump()}}, project);
    if (!closed.ok()) host_.warning("could not close the queue alert of visit " + visit["id"].dump() + ": " + closed.message());
}

void VisitDesk::tell(std::int64_t project, const nlohmann::json& userId, const std::string& kind, const nlohmann::json& params) const {
    const auto sent = host_.call("kernel.notify", {{"recipient", {{"user_id", userId}}}, {"template", kind}, {"params", params}}, project);
    // The visit stands whatever happens to the message; the kernel records and retries deliveries.
    if (!sent.ok()) host_.warning("could not notify user " + userId.dump() + " (" + kind + "): " + sent.code() + " " + sent.message());
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
        auto held = assignment_.turnLock(project);
        const auto customer = host_.request("core.customer.find", {{"phone", visit["phone"]}}, project)["customer"];
        const Assignment::Visitor visitor{visit["name"], sdk::Phone::masked(visit["phone"].get<std::string>()), visit["questionnaire"], std::nullopt, ""};
        const auto decision = assignment_.decide(project, customer, visitor);
        if (!decision.receiver) continue;
        nlohmann::json assigned;
        // The owner in core and the receiver here change together, or neither does.
        host_.db().transaction([&] {
            // Only if still queued: a manager may have given the visitor to someone meanwhile.
            assigned = register_.assign(project, visit["id"], *decision.receiver, decision.receiverName, decision.method,
                                        "排队后分配：" + decision.reason, decision.countsTurn, {"queued"});
            if (assigned.is_null()) return;
            if (decision.newOwner && decision.owner && customer.is_object() && customer["owner_id"] != *decision.owner) {
                register_.ownerGiven(project, visit["id"], customer["owner_id"], customer["protection_until"]);
                host_.request("core.customer.assign_owner",
                              {{"customer_id", customer["id"]}, {"owner_id", *decision.owner}, {"reason", "排队客户分配：" + decision.reason}},
                              project);
            }
        });
        held.unlock();
        if (!assigned.is_null()) {
            closeQueueAlert(project, visit);
            notify(project, assigned);
        }
    }
}

nlohmann::json VisitDesk::assignManually(std::int64_t project, std::int64_t visitId, std::int64_t consultant, const std::string& reason,
                                         std::int64_t actorId, const std::string& actorName) const {
    std::string name;
    const auto roster = host_.request("core.roster.get", nlohmann::json::object(), project);
    for (const auto& c : roster["consultants"])
        if (c["user_id"] == consultant && c["status"] != "left") name = c["name"];
    if (name.empty()) throw sdk::Error::invalid("visit.not_consultant", "the consultant must be on this project's roster");
    nlohmann::json visit, before;
    // Core's owner, the register and the audit entry in one commit: if core refuses, nothing changed.
    host_.db().transaction([&] {
        before = register_.get(project, visitId);
        if (before["status"] != "queued" && before["status"] != "waiting")
            throw sdk::Error::conflict("visit.not_assignable", "only a waiting or queued visitor can be given to someone");
        if (before["owner_id"].is_null() && before["customer_id"].is_number_integer()) {
            const auto customer = host_.request("core.customer.find", {{"phone", before["phone"]}}, project)["customer"];
            register_.ownerGiven(project, visitId, customer["owner_id"], customer["protection_until"]);
            host_.request("core.customer.assign_owner", {{"customer_id", before["customer_id"]}, {"owner_id", consultant}, {"reason", reason}}, project);
        }
        visit = register_.assign(project, visitId, consultant, name, "manual", reason, false, {"queued", "waiting"});
        if (visit.is_null()) throw sdk::Error::conflict("visit.not_assignable", "the visitor was received or voided meanwhile");
        host_.audit({{"actor_id", actorId}, {"actor_name", actorName}, {"project_id", project}, {"action", "visit.assign"},
                     {"target", "visit:" + std::to_string(visitId)},
                     {"detail", {{"from", before["receiver_id"]}, {"to", consultant}, {"reason", reason}}}});
    });
    if (before["status"] == "queued") closeQueueAlert(project, before);
    notify(project, visit);
    return visit;
}

std::int64_t VisitDesk::forgetRequestKeys(std::int64_t project, std::int64_t before) const {
    return host_.db().exec("DELETE FROM registration_idempotency WHERE project_id = ? AND created_at < ?", {project, before});
}

} // namespace anchang::registration
