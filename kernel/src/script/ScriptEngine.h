#pragma once
/// anchang::ScriptEngine — one Duktape heap per project, created on first use.
///
/// A project's scripts share its heap, compiled once per script version. Calls into one
/// project are serialized by that project's lock (a heap is single-threaded); projects run in
/// parallel. A call waits for the lock at most its own budget and then gives up with
/// `script.busy`: a slow script must cost its project the calls that overlap it, never hold
/// every HTTP worker in a queue behind it. A heap whose engine reported a fatal error is thrown
/// away and rebuilt on the next call.

#include "script/DuktapeHeap.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace anchang {

class ScriptEngine {
public:
    /// `helperNames` is asked each time a heap is made, so helpers of plugins that started
    /// later are there too.
    ScriptEngine(DuktapeHeap::Limits limits, std::function<std::vector<std::string>()> helperNames);

    /// Runs version `version` of script `id` in the project's heap, compiling `source` first if
    /// that version is not there yet (and dropping the script's older version, so a heap holds
    /// what is active, not every version ever run). A syntax error comes back as a failed outcome
    /// with code script.syntax.
    DuktapeHeap::Outcome run(std::int64_t project, std::int64_t id, std::int64_t version, const std::string& source,
                             const nlohmann::json& input,
                             const nlohmann::json& context, const DuktapeHeap::Helper& helper,
                             std::chrono::milliseconds budget);

    /// Runs source in a fresh heap that is thrown away afterwards: dry runs leave nothing behind.
    DuktapeHeap::Outcome runDetached(const std::string& source, const nlohmann::json& input, const nlohmann::json& context,
                                     const DuktapeHeap::Helper& helper, std::chrono::milliseconds budget,
                                     std::optional<std::int64_t> fixedNow);

    /// Compiles in a scratch heap and returns the syntax error, or "".
    std::string syntaxError(const std::string& source);

    const DuktapeHeap::Limits& limits() const { return limits_; }

private:
    struct Slot {
        std::timed_mutex mutex;
        std::unique_ptr<DuktapeHeap> heap;
        std::map<std::int64_t, std::int64_t> compiled; // script id -> the version compiled in heap
    };
    std::shared_ptr<Slot> slot(std::int64_t project);

    DuktapeHeap::Limits limits_;
    std::function<std::vector<std::string>()> helperNames_;
    std::mutex mutex_;
    std::map<std::int64_t, std::shared_ptr<Slot>> slots_;
};

} // namespace anchang
