#pragma once
/// anchang::HookRunner — runs a project's scripts on a hook point, for the plugin that declared
/// it, and keeps a failing script from hurting the project.
///
/// Scripts on one point run in their declared order; each gets the plugin's input and, as
/// `context.previous`, what the script before it returned. A script returning nothing leaves
/// the previous answer. A veto stops the chain and its message goes back to the user. A
/// failure (error, timeout, memory, an answer of the wrong shape) stops the chain too and tells
/// the plugin to fall back to its built-in rule; after `maxFailures` failures in a row the
/// script is switched off for its project, audited, and the admins are alerted.

#include "script/DuktapeHeap.h"
#include "script/HookCatalog.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace anchang {

class AlertCenter;
class AuditLog;
class BusClient;
class HookCatalog;
class ScriptEngine;
class ScriptRepository;

class HookRunner {
public:
    struct Options {
        int maxFailures = 5;
        /// Script log lines a project may write per minute, beyond which lines are counted, not kept.
        int logLinesPerMinute = 600;
    };
    struct Parts {
        HookCatalog& catalog;
        ScriptRepository& scripts;
        ScriptEngine& engine;
        BusClient& bus;
        AlertCenter& alerts;
        AuditLog& audit;
    };

    HookRunner(Parts parts, Options options) : parts_(parts), options_(options) {}

    /// What anchang_host.hook_call answers: {"output","vetoed","message","fallback","error","scripts"}.
    nlohmann::json call(std::int64_t project, const std::string& hook, const nlohmann::json& input, const std::string& plugin);

    /// Runs `source` against `input` in a throwaway heap: {"ok","vetoed","message","output",
    /// "code","error","logs","time_us","memory_bytes","input_problems","output_problems"}.
    /// Nothing is stored, counted or logged.
    nlohmann::json dryRun(std::int64_t project, const std::string& hook, const std::string& source, const nlohmann::json& input,
                          std::optional<std::int64_t> now);

    std::chrono::milliseconds budgetOf(const std::string& hook) const;

private:
    std::chrono::milliseconds budgetOf(const HookCatalog::Entry* entry) const;
    DuktapeHeap::Helper helperFor(std::int64_t project) const;
    void writeLog(std::int64_t project, std::int64_t script, std::int64_t version, const std::string& hook,
                  const std::string& level, const std::string& message);
    void recordFailure(std::int64_t project, std::int64_t script, std::int64_t version, const std::string& name,
                       const std::string& hook, const DuktapeHeap::Outcome& outcome);

    Parts parts_;
    Options options_;
    std::mutex logMutex_;
    struct LogBudget {
        std::int64_t minute = 0;
        int written = 0;
        int dropped = 0;
    };
    std::map<std::int64_t, LogBudget> logBudgets_;
};

} // namespace anchang
