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

std::string keyOf(std::int64_t id, std::int64_t version) { return "s" + std::to_string(id) + "v" + std::to_string(version); }

} // namespace

ScriptEngine::ScriptEngine(DuktapeHeap::Limits limits, std::function<std::vector<std::string>()> helperNames)
    : limits_(limits), helperNames_(std::move(helperNames)) {}

std::shared_ptr<ScriptEngine::Slot> ScriptEngine::slot(std::int64_t project) {
    std::lock_guard lock(mutex_);
    auto& entry = slots_[project];
    if (!entry) entry = std::make_shared<Slot>();
    return entry;
}

DuktapeHeap::Outcome ScriptEngine::run(std::int64_t project, std::int64_t id, std::int64_t version, const std::string& source,
                                       const nlohmann::json& input, const nlohmann::json& context, const DuktapeHeap::Helper& helper,
                                       std::chrono::milliseconds budget) {
    auto target = slot(project);
    std::unique_lock lock(target->mutex, std::defer_lock);
    if (!lock.try_lock_for(budget)) {
        DuktapeHeap::Outcome busy;
        busy.kind = DuktapeHeap::Outcome::Kind::Failed;
        busy.code = "script.busy";
        busy.message = "the project's scripts were busy for the whole budget of " + std::to_string(budget.count()) + " ms";
        return busy;
    }
    if (!target->heap || target->heap->broken()) {
        target->heap = std::make_unique<DuktapeHeap>(limits_, helperNames_());
        target->compiled.clear();
    }
    DuktapeHeap& heap = *target->heap;
    const std::string key = keyOf(id, version);
    if (!heap.has(key)) {
        // The version this replaces stays in the stash otherwise, counting against the heap's cap.
        if (auto it = target->compiled.find(id); it != target->compiled.end()) heap.forget(keyOf(id, it->second));
        const std::string error = heap.compile(key, source);
        if (!error.empty()) {
            target->compiled.erase(id);
            return syntaxFailure(error);
        }
        target->compiled[id] = version;
    }
    return heap.call(key, input, context, helper, std::nullopt, budget);
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

} // namespace anchang
