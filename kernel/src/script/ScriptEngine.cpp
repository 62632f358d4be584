#include "script/ScriptEngine.h"

namespace anchang {

namespace {

DuktapeHeap::Outcome syntaxFailure(const std::string& error) {
    DuktapeHeap::Outcome outcome;
    outcome.kind = DuktapeHeap::Outcome::Kind::Failed;
    outcome.code = "script.syntax";
    outcome.message = error;
    return outcome;
}

std::string keyOf(const ScriptEngine::Script& script) {
    return "s" + std::to_string(script.id) + "v" + std::to_string(script.version);
}

} // namespace

ScriptEngine::ScriptEngine(DuktapeHeap::Limits limits, std::function<std::vector<std::string>()> helperNames)
    : limits_(limits), helperNames_(std::move(helperNames)) {}

std::shared_ptr<ScriptEngine::Slot> ScriptEngine::slot(std::int64_t project) {
    std::lock_guard lock(mutex_);
    auto& entry = slots_[project];
    if (!entry) entry = std::make_shared<Slot>();
    return entry;
}

DuktapeHeap::Outcome ScriptEngine::run(std::int64_t project, const Script& script, const nlohmann::json& input,
                                       const nlohmann::json& context, const DuktapeHeap::Helper& helper,
                                       std::chrono::milliseconds budget, std::optional<std::int64_t> fixedNow) {
    auto target = slot(project);
    std::lock_guard lock(target->mutex);
    if (!target->heap || target->heap->broken()) target->heap = std::make_unique<DuktapeHeap>(limits_, helperNames_());
    DuktapeHeap& heap = *target->heap;
    const std::string key = keyOf(script);
    if (!heap.has(key)) {
        const std::string error = heap.compile(key, script.source);
        if (!error.empty()) return syntaxFailure(error);
    }
    return heap.call(key, input, context, helper, fixedNow, budget);
}

DuktapeHeap::Outcome ScriptEngine::runDetached(const std::string& source, const nlohmann::json& input,
                                               const nlohmann::json& context, const DuktapeHeap::Helper& helper,
                                               std::chrono::milliseconds budget, std::optional<std::int64_t> fixedNow) {
    DuktapeHeap heap(limits_, helperNames_());
    const std::string error = heap.compile("dry-run", source);
    if (!error.empty()) return syntaxFailure(error);
    return heap.call("dry-run", input, context, helper, fixedNow, budget);
}

std::string ScriptEngine::syntaxError(const std::string& source) {
    DuktapeHeap heap(limits_, helperNames_());
    return heap.compile("check", source);
}

void ScriptEngine::reset(std::int64_t project) {
    std::lock_guard lock(mutex_);
    slots_.erase(project);
}

} // namespace anchang
