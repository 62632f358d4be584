#include "script/HookRunner.h"

#include "alert/AlertCenter.h"
#include "anchang/abi.h"
#include "anchang/sdk/Error.hpp"
#include "anchang/sdk/Json.hpp"
#include "audit/AuditLog.h"
#include "bus/BusClient.h"
#include "bus/BusProtocol.h"
#include "form/JsonSchemaSubset.h"
#include "script/HookCatalog.h"
#include "script/ScriptEngine.h"
#include "script/ScriptRepository.h"

#include <Poco/Logger.h>

namespace anchang {

namespace {

nlohmann::json problems(const nlohmann::json& schema, const nlohmann::json& value) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : JsonSchemaSubset::validate(schema, value)) out.push_back((v.path.empty() ? "/" : v.path) + " " + v.message);
    return out;
}

nlohmann::json logsOf(const DuktapeHeap::Outcome& outcome) {
    nlohmann::json logs = nlohmann::json::array();
    for (const auto& line : outcome.logs) logs.push_back({{"level", line.level}, {"message", line.message}});
    return logs;
}

} // namespace

std::chrono::milliseconds HookRunner::budgetOf(const std::string& hook) const { return budgetOf(parts_.catalog.find(hook).get()); }

std::chrono::milliseconds HookRunner::budgetOf(const HookCatalog::Entry* entry) const {
    if (entry && entry->point.timeoutMs > 0) return std::chrono::milliseconds(entry->point.timeoutMs);
    return parts_.engine.limits().budget;
}

DuktapeHeap::Helper HookRunner::helperFor(std::int64_t project) const {
    return [this, project](const std::string& name, const nlohmann::json& args, std::chrono::milliseconds remaining) {
        auto helper = parts_.catalog.helper(name);
        if (!helper) throw std::runtime_error("no helper named " + name);
        auto reply = parts_.bus.request(helper->helper.service, "kernel", project, args.dump(), remaining);
        nlohmann::json body = sdk::Json::parse(reply.body);
        if (reply.status != ANCHANG_OK)
            throw std::runtime_error(body.is_object() ? body.value("message", std::string("failed")) : std::string("failed"));
        return body;
    };
}

void HookRunner::writeLog(std::int64_t project, std::int64_t script, std::int64_t version, const std::string& hook,
                          const std::string& level, const std::string& message) {
    int dropped = 0;
    {
        std::lock_guard lock(logMutex_);
        LogBudget& budget = logBudgets_[project];
        const std::int64_t minute = BusProtocol::nowMs() / 60000;
        if (minute != budget.minute) {
            dropped = budget.dropped;
            budget = {minute, 0, 0};
        }
        if (budget.written >= options_.logLinesPerMinute) {
            ++budget.dropped;
            return;
        }
        ++budget.written;
    }
    if (dropped) parts_.scripts.log(project, 0, 0, hook, "warn", std::to_string(dropped) + " script log lines were dropped in the last minute");
    parts_.scripts.log(project, script, version, hook, level, message);
}

void HookRunner::recordFailure(std::int64_t project, std::int64_t script, std::int64_t version, const std::string& name,
                               const std::string& hook, const DuktapeHeap::Outcome& outcome) {
    writeLog(project, script, version, hook, "error", outcome.code + ": " + outcome.message);
    const int failures = parts_.scripts.failed(project, script);
    if (failures == 1) {
        // Every fall-back to the built-in rule is in the script log; the first of a run of them
        // also reaches the managers, so a broken rule is not replaced silently for days.
        parts_.alerts.raise(project, {"script.failed",
                                      {{"zh-CN", "脚本运行失败"}, {"en", "Script failed"}},
                                      {{"zh-CN", "脚本“" + name + "”（" + hook + "）运行失败，本次已改用内置规则：" + outcome.message},
                                       {"en", "Script \"" + name + "\" (" + hook + ") failed and the built-in rule was used: " + outcome.message}},
                                      {{"script_id", script}, {"version", version}, {"hook", hook}, {"error", outcome.message}},
                                      "script:" + std::to_string(script)});
    }
    if (failures < options_.maxFailures) return;
    const std::string reason = "switched off after " + std::to_string(failures) + " failures in a row; last: " + outcome.message;
    parts_.scripts.switchOff(project, script, reason);
    parts_.audit.append({0, "system", project, "script.switch_off", "script:" + std::to_string(script),
                         {{"hook", hook}, {"version", version}, {"failures", failures}, {"last_error", outcome.message}}});
    parts_.alerts.raise(project, {"script.switched_off",
                                  {{"zh-CN", "脚本已停用"}, {"en", "Script switched off"}},
                                  {{"zh-CN", "脚本“" + name + "”（" + hook + "）连续失败 " + std::to_string(failures) + " 次，已停用，系统改用内置规则。"},
                                   {"en", "Script \"" + name + "\" (" + hook + ") failed " + std::to_string(failures) +
                                              " times in a row and was switched off; the built-in rule applies."}},
                                  {{"script_id", script}, {"version", version}, {"hook", hook}, {"error", outcome.message}},
                                  "script:" + std::to_string(script)});
    Poco::Logger::get("scripts").warning("project " + std::to_string(project) + ": script " + std::to_string(script) + " on " + hook + " switched off: " + outcome.message);
}

nlohmann::json HookRunner::call(std::int64_t project, const std::string& hook, const nlohmann::json& input, const std::string& plugin) {
    auto entry = parts_.catalog.find(hook);
    if (!entry || entry->plugin != plugin)
        throw sdk::Error::invalid("hook.unknown", "plugin " + plugin + " declares no hook point " + hook);
    const auto active = parts_.scripts.active(project, hook);
    const auto& scripts = *active;
    nlohmann::json result = {{"output", nullptr}, {"vetoed", false}, {"fallback", true}, {"scripts", scripts.size()}};
    if (scripts.empty()) return result;

    const auto helper = helperFor(project);
    const auto budget = budgetOf(entry.get());
    nlohmann::json previous = nullptr;
    for (const auto& script : scripts) {
        const nlohmann::json context = {{"project_id", project}, {"hook", hook}, {"script", script.name}, {"previous", previous}};
        auto outcome = parts_.engine.run(project, script.id, script.version, script.source, input, context, helper, budget);
        if (outcome.kind == DuktapeHeap::Outcome::Kind::Ok && !outcome.output.is_null()) {
            const auto wrong = problems(entry->point.output, outcome.output);
            if (!wrong.empty()) {
                outcome.kind = DuktapeHeap::Outcome::Kind::Failed;
                outcome.code = "script.output";
                outcome.message = "the answer does not have the hook's shape: " + wrong[0].get<std::string>();
            }
        }
        for (const auto& line : outcome.logs) writeLog(project, script.id, script.version, hook, line.level, line.message);
        if (outcome.code == "script.busy") {
            // Not this script's fault: another call of the project held the heap all along.
            writeLog(project, script.id, script.version, hook, "warn", outcome.message + "; the built-in rule was used");
            Poco::Logger::get("scripts").warning("project %Ld: %s on %s; fell back", project, outcome.message, hook);
            return {{"output", nullptr}, {"vetoed", false}, {"fallback", true}, {"scripts", scripts.size()},
                    {"error", outcome.code + ": " + outcome.message}, {"script_id", script.id}};
        }
        if (outcome.kind == DuktapeHeap::Outcome::Kind::Failed) {
            recordFailure(project, script.id, script.version, script.name, hook, outcome);
            return {{"output", nullptr}, {"vetoed", false}, {"fallback", true}, {"scripts", scripts.size()},
                    {"error", outcome.code + ": " + outcome.message}, {"script_id", script.id}};
        }
        if (script.failures > 0) parts_.scripts.succeeded(project, script.id);
        if (outcome.kind == DuktapeHeap::Outcome::Kind::Vetoed) {
            writeLog(project, script.id, script.version, hook, "info", "vetoed: " + outcome.message);
            return {{"output", nullptr}, {"vetoed", true}, {"message", outcome.message}, {"fallback", false},
                    {"scripts", scripts.size()}, {"script_id", script.id}};
        }
        if (!outcome.output.is_null()) previous = outcome.output;
    }
    result["output"] = previous;
    result["fallback"] = previous.is_null();
    return result;
}

nlohmann::json HookRunner::dryRun(std::int64_t project, const std::string& hook, const std::string& source,
                                  const nlohmann::json& input, std::optional<std::int64_t> now) {
    auto entry = parts_.catalog.find(hook);
    if (!entry) throw sdk::Error::notFound("hook.unknown", "no hook point " + hook);
    const nlohmann::json context = {{"project_id", project}, {"hook", hook}, {"script", "dry-run"}, {"previous", nullptr}};
    auto outcome = parts_.engine.runDetached(source, input, context, helperFor(project), budgetOf(entry.get()), now);
    nlohmann::json result = {{"ok", outcome.kind == DuktapeHeap::Outcome::Kind::Ok},
                             {"vetoed", outcome.kind == DuktapeHeap::Outcome::Kind::Vetoed},
                             {"output", outcome.output},
                             {"logs", logsOf(outcome)},
                             {"time_us", outcome.micros},
                             {"memory_bytes", outcome.memoryBytes},
                             {"input_problems", problems(entry->point.input, input)},
                             {"output_problems", outcome.output.is_null() ? nlohmann::json::array() : problems(entry->point.output, outcome.output)}};
    if (outcome.kind == DuktapeHeap::Outcome::Kind::Vetoed) result["message"] = outcome.message;
    if (outcome.kind == DuktapeHeap::Outcome::Kind::Failed) {
        result["code"] = outcome.code;
        result["error"] = outcome.message;
    }
    if (!result["output_problems"].empty()) result["ok"] = false;
    return result;
}

} // namespace anchang
