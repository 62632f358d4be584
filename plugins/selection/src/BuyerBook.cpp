#include "BuyerBook.h"

#include <anchang/sdk/Fields.hpp>
#include <anchang/sdk/Phone.hpp>

#include <regex>

namespace anchang::selection {

namespace {

const std::regex kBuyerNo("[A-Za-z0-9-]{1,32}");

} // namespace

void BuyerBook::check(const nlohmann::json& body, bool creating) const {
    if (!body.is_object()) throw sdk::Error::invalid("selection.invalid", "the body must be an object");
    const std::string code = "selection.invalid";
    if (creating) {
        if (!std::regex_match(sdk::Fields::text(body, "buyer_no", 32, true, code), kBuyerNo))
            throw sdk::Error::invalid(code, "buyer_no is letters, digits and '-', at most 32");
        if (!body.contains("phone") || !body["phone"].is_string() || sdk::Phone::normalize(body["phone"].get<std::string>()).empty())
            throw sdk::Error::invalid(code, "phone must be a mainland mobile number");
    }
    // On a change, a key that is there must be as valid as when the buyer was created.
    auto required = [&](const char* key) { return creating || body.contains(key); };
    sdk::Fields::text(body, "name", 100, required("name"), code);
    sdk::Fields::text(body, "household", 64, false, code);
    const std::string group = sdk::Fields::text(body, "group", 32, required("group"), code);
    if (!group.empty()) {
        bool known = false;
        for (const auto& g : groups_) known = known || g["code"] == group;
        if (!known) throw sdk::Error::invalid("selection.unknown_group", "no eligibility group " + group);
    }
    sdk::Fields::integer(body, "unit_limit", 1, 10, 1, code);
    if (required("deposit")) sdk::Fields::integer(body, "deposit", 1, 100'000'000, 0, code);
    if (creating && !body.contains("deposit")) throw sdk::Error::invalid(code, "deposit is required");
    if (body.contains("status") && body["status"] != "qualified" && body["status"] != "withdrawn")
        throw sdk::Error::invalid(code, "status must be qualified or withdrawn");
}

nlohmann::json BuyerBook::create(std::int64_t project, const nlohmann::json& body, const Actor& actor) const {
    check(body, true);
    const std::string phone = sdk::Phone::normalize(body["phone"].get<std::string>());
    // A buyer alone is their own household.
    const std::string household = sdk::Fields::text(body, "household", 64, false, "selection.invalid");
    const std::int64_t now = host_.now();
    std::int64_t id = 0;
    host_.db().transaction([&] {
        const auto made = host_.db().run(
            "INSERT INTO selection_buyers (project_id, buyer_no, name, phone, household, group_code, unit_limit, deposit, deposit_at, status, "
            "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'qualified', ?, ?) ON CONFLICT DO NOTHING RETURNING id",
            {project, body["buyer_no"], body["name"], phone, household.empty() ? body["buyer_no"].get<std::string>() : household, body["group"],
             body.value("unit_limit", 1), body["deposit"], now, actor.id, now});
        if (made.rows.empty()) throw sdk::Error::conflict("selection.buyer_exists", "this 认筹 number or phone is qualified already");
        id = made.rows[0]["id"];
        // The buyer paid the deposit at the office: core's customer by phone (found, or made now
        // with this visit), in this commit.
        const auto customer = host_.request("core.customer.claim", {{"phone", phone}, {"name", body["name"]}}, project)["customer"];
        host_.db().exec("UPDATE selection_buyers SET customer_id = ? WHERE id = ?", {customer["id"], id});
        host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", "selection.buyer.create"},
                     {"target", "selection_buyer:" + std::to_string(id)}, {"detail", {{"buyer_no", body["buyer_no"]}, {"deposit", body["deposit"]}}}});
    });
    return get(project, id);
}

nlohmann::json BuyerBook::update(std::int64_t project, std::int64_t id, const nlohmann::json& body, const Actor& actor) const {
    check(body, false);
    get(project, id);
    static const std::pair<const char*, const char*> columns[] = {{"name", "name"}, {"household", "household"}, {"group", "group_code"},
                                                                  {"unit_limit", "unit_limit"}, {"deposit", "deposit"}, {"status", "status"}};
    host_.db().transaction([&] {
        for (const auto& [key, column] : columns)
            if (body.contains(key)) host_.db().exec(std::string("UPDATE selection_buyers SET ") + column + " = ? WHERE id = ?", {body[key], id});
        host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", "selection.buyer.update"},
                     {"target", "selection_buyer:" + std::to_string(id)}, {"detail", body}});
    });
    return get(project, id);
}

nlohmann::json BuyerBook::list(std::int64_t project, const std::optional<std::string>& q) const {
    std::string sql = "SELECT * FROM selection_buyers WHERE project_id = ?";
    nlohmann::json params = {project};
    if (q && !q->empty()) {
        const std::string pattern = "%" + sdk::Fields::likeEscaped(*q) + "%";
        sql += " AND (name LIKE ? ESCAPE '\\' OR phone LIKE ? ESCAPE '\\' OR buyer_no LIKE ? ESCAPE '\\')";
        params.insert(params.end(), {pattern, pattern, pattern});
    }
    return host_.db().query(sql + " ORDER BY buyer_no LIMIT 5000", params);
}

nlohmann::json BuyerBook::get(std::int64_t project, std::int64_t id) const {
    const auto row = host_.db().one("SELECT * FROM selection_buyers WHERE id = ? AND project_id = ?", {id, project});
    if (!row) throw sdk::Error::notFound("selection.buyer_not_found", "no such buyer");
    return *row;
}

void BuyerBook::linkCustomers(std::int64_t project) const {
    for (const auto& b : host_.db().query("SELECT id, name, phone FROM selection_buyers WHERE project_id = ? AND customer_id IS NULL", {project}))
        host_.db().transaction([&] {
            const auto customer = host_.request("core.customer.claim", {{"phone", b["phone"]}, {"name", b["name"]}}, project)["customer"];
            host_.db().exec("UPDATE selection_buyers SET customer_id = ? WHERE id = ?", {customer["id"], b["id"]});
        });
}

std::optional<nlohmann::json> BuyerBook::signedIn(std::int64_t project, const std::string& phone) const {
    auto row = host_.db().one("SELECT * FROM selection_buyers WHERE project_id = ? AND phone = ?", {project, phone});
    if (row && (*row)["verified_at"].is_null()) {
        const std::int64_t now = host_.now();
        host_.db().exec("UPDATE selection_buyers SET verified_at = ? WHERE id = ? AND verified_at IS NULL", {now, (*row)["id"]});
        (*row)["verified_at"] = now;
    }
    return row;
}

} // namespace anchang::selection
