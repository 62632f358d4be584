#include "RoundBook.h"

#include "Lottery.h"
#include "Pacing.h"

#include <anchang/sdk/Fields.hpp>
#include <anchang/sdk/Phone.hpp>

#include <map>
#include <set>

namespace anchang::selection {

namespace {

const std::string kInvalid = "selection.invalid";

} // namespace

void RoundBook::audit(std::int64_t project, std::int64_t id, const Actor& actor, const std::string& action, const nlohmann::json& detail) const {
    host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", action},
                 {"target", "selection_round:" + std::to_string(id)}, {"detail", detail}});
}

nlohmann::json RoundBook::settings(const nlohmann::json& body, const nlohmann::json& base) const {
    if (!body.is_object()) throw sdk::Error::invalid(kInvalid, "the body must be an object");
    nlohmann::json s = base;
    for (const auto& [key, value] : body.items()) s[key] = value;
    const std::string name = sdk::Fields::text(s, "name", 100, true, kInvalid);
    if (s.value("kind", nlohmann::json()) != "mock" && s.value("kind", nlohmann::json()) != "formal")
        throw sdk::Error::invalid(kInvalid, "kind must be mock or formal");
    if (!s.contains("groups") || !s["groups"].is_array() || s["groups"].empty())
        throw sdk::Error::invalid(kInvalid, "groups must list the eligibility groups that take part");
    // The round's groups in the configuration's priority order: who chooses first.
    nlohmann::json groups = nlohmann::json::array();
    std::set<std::string> asked;
    for (const auto& g : s["groups"]) {
        if (!g.is_string()) throw sdk::Error::invalid(kInvalid, "groups must list group codes");
        asked.insert(g.get<std::string>());
    }
    for (const auto& g : buyers_.groups())
        if (asked.erase(g["code"].get<std::string>())) groups.push_back({{"code", g["code"]}, {"priority", g["priority"]}});
    if (!asked.empty()) throw sdk::Error::invalid("selection.unknown_group", "no eligibility group " + *asked.begin());
    const std::int64_t starts = sdk::Fields::integer(s, "starts_at", 1, std::int64_t{1} << 50, 0, kInvalid);
    const std::int64_t ends = sdk::Fields::integer(s, "ends_at", 1, std::int64_t{1} << 50, 0, kInvalid);
    if (!starts || !ends || ends <= starts) throw sdk::Error::invalid(kInvalid, "starts_at and ends_at are required, the end after the start");
    return {{"name", name},
            {"kind", s["kind"]},
            {"groups", groups},
            {"starts_at", starts},
            {"ends_at", ends},
            {"batch_size", sdk::Fields::integer(s, "batch_size", 0, 100000, 0, kInvalid)},
            {"batch_gap_s", sdk::Fields::integer(s, "batch_gap_s", 0, 24 * 3600, 0, kInvalid)},
            {"household_limit", sdk::Fields::integer(s, "household_limit", 1, 10, 1, kInvalid)},
            {"signing_days", sdk::Fields::integer(s, "signing_days", 1, 90, 7, kInvalid)}};
}

nlohmann::json RoundBook::create(std::int64_t project, const nlohmann::json& body, const Actor& actor) const {
    const auto s = settings(body, nlohmann::json::object());
    std::int64_t id = 0;
    host_.db().transaction([&] {
        id = host_.db()
                 .run("INSERT INTO selection_rounds (project_id, name, kind, status, eligible_groups, starts_at, ends_at, batch_size, batch_gap_ms, "
                      "household_limit, signing_days, created_by, created_at) VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      {project, s["name"], s["kind"], s["groups"].dump(), s["starts_at"], s["ends_at"], s["batch_size"],
                       s["batch_gap_s"].get<std::int64_t>() * 1000, s["household_limit"], s["signing_days"], actor.id, host_.now()})
                 .rows.at(0)
                 .at("id")
                 .get<std::int64_t>();
        audit(project, id, actor, "selection.round.create", s);
    });
    return get(project, id);
}

nlohmann::json RoundBook::update(std::int64_t project, std::int64_t id, const nlohmann::json& body, const Actor& actor) const {
    const auto current = get(project, id);
    if (current["status"] != "draft") throw sdk::Error::conflict("selection.round_fixed", "a published round cannot change");
    nlohmann::json base = current;
    nlohmann::json codes = nlohmann::json::array();
    for (const auto& g : current["groups"]) codes.push_back(g["code"]);
    base["groups"] = codes;
    const auto s = settings(body, base);
    host_.db().transaction([&] {
        if (host_.db().exec("UPDATE selection_rounds SET name = ?, kind = ?, eligible_groups = ?, starts_at = ?, ends_at = ?, batch_size = ?, "
                            "batch_gap_ms = ?, household_limit = ?, signing_days = ? WHERE id = ? AND status = 'draft'",
                            {s["name"], s["kind"], s["groups"].dump(), s["starts_at"], s["ends_at"], s["batch_size"],
                             s["batch_gap_s"].get<std::int64_t>() * 1000, s["household_limit"], s["signing_days"], id}) == 0)
            throw sdk::Error::conflict("selection.round_fixed", "a published round cannot change");
        audit(project, id, actor, "selection.round.update", s);
    });
    changed_(id);
    return get(project, id);
}

nlohmann::json RoundBook::row(std::int64_t project, std::int64_t id) const {
    const auto r = host_.db().one("SELECT * FROM selection_rounds WHERE id = ? AND project_id = ?", {id, project});
    if (!r) throw sdk::Error::notFound("selection.round_not_found", "no such round");
    return *r;
}

nlohmann::json RoundBook::files(std::int64_t id) const {
    const auto f = host_.db().one("SELECT eligible_csv, result_csv FROM selection_lottery_files WHERE round_id = ?", {id});
    return f ? *f : nlohmann::json{{"eligible_csv", nullptr}, {"result_csv", nullptr}};
}

nlohmann::json RoundBook::get(std::int64_t project, std::int64_t id) const {
    const auto r = row(project, id);
    const std::string status = r["status"];
    const std::int64_t now = host_.now();
    // While drawn, the clock says whether the round is open: scheduled, open or ended.
    std::string phase = status;
    if (status == "drawn") phase = now < r["starts_at"].get<std::int64_t>() ? "scheduled" : now < r["ends_at"].get<std::int64_t>() ? "open" : "ended";
    const auto counts = host_.db().query("SELECT (SELECT COUNT(*) FROM selection_entries WHERE round_id = ?) AS buyers, "
                                         "(SELECT COUNT(*) FROM selection_units WHERE round_id = ?) AS units, "
                                         "(SELECT COUNT(*) FROM selection_units WHERE round_id = ? AND status = 'sold') AS sold",
                                         {id, id, id})[0];
    const bool drawn = status == "drawn" || (status == "closed" && !r["drawn_at"].is_null());
    return {{"id", r["id"]},
            {"name", r["name"]},
            {"kind", r["kind"]},
            {"status", status},
            {"phase", phase},
            {"groups", nlohmann::json::parse(r["eligible_groups"].get<std::string>())},
            {"starts_at", r["starts_at"]},
            {"ends_at", r["ends_at"]},
            {"batch_size", r["batch_size"]},
            {"batch_gap_s", r["batch_gap_ms"].get<std::int64_t>() / 1000},
            {"household_limit", r["household_limit"]},
            {"signing_days", r["signing_days"]},
            {"commitment", r["commitment"]},
            {"digits", r["digits"]},
            {"seed", drawn ? r["seed"] : nlohmann::json(nullptr)},
            {"published_at", r["published_at"]},
            {"drawn_at", r["drawn_at"]},
            {"closed_at", r["closed_at"]},
            {"sold_out_at", r["sold_out_at"]},
            {"version", r["version"]},
            {"buyers", counts["buyers"]},
            {"units", counts["units"]},
            {"sold", counts["sold"]}};
}

nlohmann::json RoundBook::list(std::int64_t project) const {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : host_.db().query("SELECT id FROM selection_rounds WHERE project_id = ? ORDER BY id DESC", {project}))
        out.push_back(get(project, r["id"]));
    return out;
}

nlohmann::json RoundBook::publish(std::int64_t project, std::int64_t id, const Actor& actor) const {
    const auto round = get(project, id);
    if (round["status"] != "draft") throw sdk::Error::conflict("selection.round_fixed", "the round is published already");
    const bool formal = round["kind"] == "formal";
    if (formal) buyers_.linkCustomers(project);
    std::map<std::string, int> priority;
    for (const auto& g : round["groups"]) priority[g["code"]] = g["priority"];
    std::vector<Lottery::Entry> entries;
    std::map<std::string, nlohmann::json> byNo;
    for (auto& b : host_.db().query("SELECT id, buyer_no, phone, household, group_code FROM selection_buyers WHERE project_id = ? AND status = 'qualified'",
                                    {project})) {
        const auto p = priority.find(b["group_code"]);
        if (p == priority.end()) continue;
        entries.push_back({p->second, b["group_code"], b["buyer_no"], sdk::Phone::masked(b["phone"].get<std::string>())});
        b["priority"] = p->second;
        const std::string no = b["buyer_no"]; // before the move: the right side of = goes first
        byNo[no] = std::move(b);
    }
    if (entries.empty()) throw sdk::Error::conflict("selection.no_buyers", "no qualified buyer is in the round's groups");
    // A mock round rehearses on the real inventory without touching it, so it takes what a
    // formal round may have reserved too; a formal round takes what the desk may still sell.
    nlohmann::json units = host_.request("core.units.list", {{"status", "available"}}, project)["units"];
    if (!formal) {
        auto selected = host_.request("core.units.list", {{"status", "selected"}}, project);
        for (auto& u : selected["units"]) units.push_back(std::move(u));
    }
    if (units.empty()) throw sdk::Error::conflict("selection.no_units", "core has no available unit to sell");
    nlohmann::json reserved = nlohmann::json::array();
    if (formal) {
        nlohmann::json ids = nlohmann::json::array();
        for (const auto& u : units) ids.push_back(u["id"]);
        reserved = host_.request("core.units.reserve", {{"unit_ids", ids}}, project, std::chrono::seconds(30))["moved"];
        const std::set<std::int64_t> moved(reserved.begin(), reserved.end());
        nlohmann::json kept = nlohmann::json::array();
        for (auto& u : units)
            if (moved.count(u["id"].get<std::int64_t>())) kept.push_back(std::move(u));
        units = std::move(kept);
    }
    const std::string seed = Lottery::newSeed();
    const std::string list = Lottery::listCsv(entries);
    try {
        host_.db().transaction([&] {
            if (host_.db().exec("UPDATE selection_rounds SET status = 'published', seed = ?, commitment = ?, published_at = ? WHERE id = ? AND status = 'draft'",
                                {seed, Lottery::commitment(seed), host_.now(), id}) == 0)
                throw sdk::Error::conflict("selection.round_fixed", "the round is published already");
            host_.db().exec("INSERT INTO selection_lottery_files (round_id, eligible_csv) VALUES (?, ?)", {id, list});
            std::set<std::string> households;
            for (const auto& [no, b] : byNo) {
                host_.db().exec("INSERT INTO selection_entries (round_id, buyer_id, priority) VALUES (?, ?, ?)", {id, b["id"], b["priority"]});
                if (households.insert(b["household"]).second)
                    host_.db().exec("INSERT INTO selection_households (round_id, household) VALUES (?, ?)", {id, b["household"]});
            }
            for (const auto& u : units)
                host_.db().exec("INSERT INTO selection_units (round_id, unit_id, building, floor, number, layout, area, price, status) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'available')",
                                {id, u["id"], u["building"], u["floor"], u["number"], u["layout"], u["area"], u["list_price"]});
            audit(project, id, actor, "selection.round.publish",
                  {{"buyers", byNo.size()}, {"units", units.size()}, {"commitment", Lottery::commitment(seed)}});
        });
    } catch (...) {
        // The units go back to the desk: a round that did not publish holds nothing.
        if (!reserved.empty()) host_.call("core.units.unreserve", {{"unit_ids", reserved}}, project, std::chrono::seconds(30));
        throw;
    }
    changed_(id);
    return get(project, id);
}

nlohmann::json RoundBook::draw(std::int64_t project, std::int64_t id, const nlohmann::json& body, const Actor& actor) const {
    const auto r = row(project, id);
    if (r["status"] != "published") throw sdk::Error::conflict("selection.not_drawable", "only a published round is drawn, once");
    if (!body.is_object() || !body.contains("digits") || !body["digits"].is_string())
        throw sdk::Error::invalid(kInvalid, "digits are what the representatives keyed in");
    const std::string digits = body["digits"];
    Lottery::checkDigits(digits);
    const auto drawn = Lottery::draw(r["seed"], digits, files(id)["eligible_csv"]);
    std::map<std::string, std::int64_t> idOf;
    for (const auto& b : host_.db().query("SELECT b.id, b.buyer_no FROM selection_entries e JOIN selection_buyers b ON b.id = e.buyer_id WHERE e.round_id = ?",
                                          {id}))
        idOf[b["buyer_no"]] = b["id"];
    const Pacing pacing({r["starts_at"], r["ends_at"], r["batch_size"], r["batch_gap_ms"]});
    host_.db().transaction([&] {
        if (host_.db().exec("UPDATE selection_rounds SET status = 'drawn', digits = ?, drawn_at = ? WHERE id = ? AND status = 'published'",
                            {digits, host_.now(), id}) == 0)
            throw sdk::Error::conflict("selection.not_drawable", "only a published round is drawn, once");
        host_.db().exec("UPDATE selection_lottery_files SET result_csv = ? WHERE round_id = ?", {Lottery::resultCsv(drawn), id});
        for (const auto& d : drawn)
            host_.db().exec("UPDATE selection_entries SET seq = ?, batch = ? WHERE round_id = ? AND buyer_id = ?",
                            {d.order, pacing.batchOf(d.order), id, idOf.at(d.entry.buyerNo)});
        audit(project, id, actor, "selection.round.draw", {{"digits", digits}, {"seed", r["seed"]}, {"commitment", r["commitment"]}, {"buyers", drawn.size()}});
    });
    changed_(id);
    return get(project, id);
}

nlohmann::json RoundBook::close(std::int64_t project, std::int64_t id, const Actor& actor) const {
    const auto r = row(project, id);
    if (r["status"] == "closed") return get(project, id);
    if (r["status"] == "draft") throw sdk::Error::conflict("selection.not_published", "a draft is not closed; change or leave it");
    nlohmann::json unsold = nlohmann::json::array();
    host_.db().transaction([&] {
        if (host_.db().exec("UPDATE selection_rounds SET status = 'closed', closed_at = ? WHERE id = ? AND status <> 'closed'", {host_.now(), id}) == 0) return;
        for (const auto& u : host_.db().query("SELECT unit_id FROM selection_units WHERE round_id = ? AND status = 'available'", {id})) unsold.push_back(u["unit_id"]);
        audit(project, id, actor, "selection.round.close", {{"unsold", unsold.size()}});
    });
    changed_(id);
    // After the commit: no selection can take a unit any more, so giving them back is safe; a
    // failure leaves them reserved in core, which the manager sees and releases by hand.
    if (r["kind"] == "formal" && !unsold.empty()) {
        const auto reply = host_.call("core.units.unreserve", {{"unit_ids", unsold}}, project, std::chrono::seconds(30));
        if (!reply.ok()) host_.warning("selection round " + std::to_string(id) + ": unsold units stay reserved in core: " + reply.code());
    }
    return get(project, id);
}

std::int64_t RoundBook::closeEnded(std::int64_t project) const {
    std::int64_t closed = 0;
    for (const auto& r : host_.db().query("SELECT id FROM selection_rounds WHERE project_id = ? AND status = 'drawn' AND ends_at <= ?", {project, host_.now()})) {
        close(project, r["id"], {0, "system"});
        ++closed;
    }
    return closed;
}

std::string RoundBook::lotteryFile(std::int64_t project, std::int64_t id, const std::string& name) const {
    auto r = row(project, id);
    r.update(files(id));
    const bool drawn = !r["drawn_at"].is_null();
    auto file = [&](const char* column, bool ready) -> std::string {
        if (!ready || r[column].is_null()) throw sdk::Error::notFound("selection.not_published_yet", name + " is published later");
        return r[column];
    };
    // The CSV files exactly as hashed and drawn; one value per line in the others.
    if (name == "eligible.csv") return file("eligible_csv", true);
    if (name == "result.csv") return file("result_csv", true);
    if (name == "commitment.txt") return file("commitment", true) + "\n";
    if (name == "seed.txt") return file("seed", drawn) + "\n";
    if (name == "digits.txt") return file("digits", drawn) + "\n";
    throw sdk::Error::notFound("selection.no_such_file", "the lottery publishes eligible.csv, commitment.txt, seed.txt, digits.txt and result.csv");
}

nlohmann::json RoundBook::order(std::int64_t project, std::int64_t id) const {
    row(project, id);
    return host_.db().query("SELECT e.seq AS \"order\", e.batch, b.buyer_no, b.name, b.phone, b.group_code FROM selection_entries e "
                            "JOIN selection_buyers b ON b.id = e.buyer_id WHERE e.round_id = ? AND e.seq IS NOT NULL ORDER BY e.seq",
                            {id});
}

nlohmann::json RoundBook::progress(std::int64_t project, std::int64_t id) const {
    const auto r = row(project, id);
    const std::int64_t now = host_.now();
    const Pacing pacing({r["starts_at"], r["ends_at"], r["batch_size"], r["batch_gap_ms"]});
    const auto counts = host_.db().query(
        "SELECT COUNT(*) AS buyers, SUM(CASE WHEN b.verified_at IS NOT NULL THEN 1 ELSE 0 END) AS verified, "
        "SUM(CASE WHEN e.selected > 0 THEN 1 ELSE 0 END) AS chose FROM selection_entries e JOIN selection_buyers b ON b.id = e.buyer_id WHERE e.round_id = ?",
        {id})[0];
    const auto units = host_.db().query("SELECT COUNT(*) AS units, SUM(CASE WHEN status = 'sold' THEN 1 ELSE 0 END) AS sold FROM selection_units WHERE round_id = ?",
                                        {id})[0];
    const int buyers = counts["buyers"];
    const int open = r["status"] == "drawn" ? pacing.batchesOpen(buyers, now) : 0;
    // Stragglers: their batch has opened and they have not chosen (the first 200, in order).
    nlohmann::json stragglers = nlohmann::json::array();
    std::int64_t stragglersTotal = 0;
    if (open > 0) {
        stragglersTotal = host_.db().query("SELECT COUNT(*) AS n FROM selection_entries WHERE round_id = ? AND selected = 0 AND batch < ?", {id, open})[0]["n"];
        stragglers = host_.db().query("SELECT e.seq, e.batch, b.buyer_no, b.name, b.phone, b.verified_at FROM selection_entries e JOIN selection_buyers b "
                                      "ON b.id = e.buyer_id WHERE e.round_id = ? AND e.selected = 0 AND e.batch < ? ORDER BY e.seq LIMIT 200",
                                      {id, open});
    }
    const auto rate = host_.db().query("SELECT COUNT(*) AS n FROM selection_selections WHERE round_id = ? AND selected_at >= ?", {id, now - 60000})[0];
    return {{"round", get(project, id)},
            {"at", now},
            {"buyers", buyers},
            {"verified", counts["verified"].is_null() ? nlohmann::json(0) : counts["verified"]},
            {"chose", counts["chose"].is_null() ? nlohmann::json(0) : counts["chose"]},
            {"units", units["units"]},
            {"sold", units["sold"].is_null() ? nlohmann::json(0) : units["sold"]},
            {"last_minute", rate["n"]},
            {"batches_open", open},
            {"sold_out_at", r["sold_out_at"]},
            {"stragglers", stragglers},
            {"stragglers_total", stragglersTotal}};
}

void RoundBook::loadDemo(std::int64_t project, const nlohmann::json& seed) const {
    if (host_.db().one("SELECT id FROM selection_buyers WHERE project_id = ? LIMIT 1", {project})) return;
    const Actor system{0, "demo"};
    for (const auto& b : seed.value("buyers", nlohmann::json::array())) buyers_.create(project, b, system);
    // Rounds relative to now: the mock round open since an hour ago, the formal one published
    // for tomorrow, waiting for its draw.
    const std::int64_t now = host_.now();
    for (const auto& spec : seed.value("rounds", nlohmann::json::array())) {
        nlohmann::json body = spec;
        body["starts_at"] = now + spec.value("starts_in_minutes", 0) * 60000LL;
        body["ends_at"] = now + spec.value("ends_in_minutes", 60 * 24) * 60000LL;
        body.erase("starts_in_minutes");
        body.erase("ends_in_minutes");
        body.erase("publish");
        body.erase("draw_digits");
        const std::int64_t id = create(project, body, system)["id"];
        if (spec.value("publish", false)) publish(project, id, system);
        if (spec.contains("draw_digits")) draw(project, id, {{"digits", spec["draw_digits"]}}, system);
    }
}

} // namespace anchang::selection
