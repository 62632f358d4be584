#pragma once
/// anchang::DuktapeHeap — one sandboxed JavaScript heap (Duktape), the place project scripts run.
///
/// The sandbox:
///  - memory: every allocation goes through this class and counts against a cap (16 MiB by
///    default); past it, allocation fails and the script gets a RangeError;
///  - time: each call has a deadline (50 ms by default) checked by Duktape's interrupt counter,
///    so `for(;;){}` ends; regular expressions are bounded by a lowered step limit
///    (cmake/Duktape.cmake) because they do not check the deadline;
///  - globals: the ECMAScript built-ins, `console` (captured, at most 50 lines a call) and
///    `anchang` (`veto(message)` and the helpers plugins opted in); no `Duktape`, `require`,
///    file, network or bytecode loading;
///  - Date: the real clock, or a fixed instant for tests and dry runs.
/// Scripts are compiled as strict functions `function (input, context) { ... }` and kept in
/// the heap by key. A heap is not thread-safe; its owner serializes calls.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

struct duk_hthread;

namespace anchang {

class DuktapeHeap {
public:
    struct Limits {
        /// The default time budget of one call; a hook point may ask for another.
        std::chrono::milliseconds budget{50};
        std::size_t memoryBytes = 16u << 20;
    };
    struct LogLine {
        std::string level; ///< log, info, warn, error
        std::string message;
    };
    struct Outcome {
        enum class Kind { Ok, Vetoed, Failed };
        Kind kind = Kind::Ok;
        nlohmann::json output;  ///< null when the script returned undefined or null
        std::string message;    ///< the veto message, or what went wrong
        std::string code;       ///< on failure: script.timeout, script.memory, script.error, script.output
        std::vector<LogLine> logs;
        std::int64_t micros = 0;
        std::size_t memoryBytes = 0; ///< heap size at the end of the call
    };
    /// A read-only helper a plugin offered: args in, result out; throws std::runtime_error.
    using Helper = std::function<nlohmann::json(const std::string& name, const nlohmann::json& args,
                                                std::chrono::milliseconds remaining)>;

    /// `helperNames` become functions under `anchang.helpers`.
    DuktapeHeap(Limits limits, const std::vector<std::string>& helperNames);
    ~DuktapeHeap();
    DuktapeHeap(const DuktapeHeap&) = delete;
    DuktapeHeap& operator=(const DuktapeHeap&) = delete;

    /// Compiles `source`, which must be one function expression, and keeps it under `key`.
    /// Returns the syntax error ("SyntaxError: ... (line 3)"), or "" when it compiled.
    std::string compile(const std::string& key, const std::string& source);
    bool has(const std::string& key) const;
    void forget(const std::string& key);

    /// Calls the function under `key` with (input, context) within `budget`. `fixedNow` (ms
    /// since the epoch) pins Date for this call.
    Outcome call(const std::string& key, const nlohmann::json& input, const nlohmann::json& context, const Helper& helper,
                 std::optional<std::int64_t> fixedNow, std::chrono::milliseconds budget);

    /// True after Duktape reported a fatal error: the heap must not be used again.
    bool broken() const { return broken_; }

    // Entry points for Duktape's C callbacks; not for other callers.
    bool timeUp();
    double now() const;
    void* allocate(std::size_t size);
    void* reallocate(void* pointer, std::size_t size);
    void release(void* pointer);
    void capture(const std::string& level, std::string message);
    nlohmann::json callHelper(const std::string& name, const nlohmann::json& args);

private:
    void setUpGlobals(const std::vector<std::string>& helperNames);

    Limits limits_;
    duk_hthread* ctx_ = nullptr;
    std::size_t used_ = 0;
    bool enforce_ = false;
    bool memoryExceeded_ = false;
    bool timedOut_ = false;
    bool broken_ = false;
    std::chrono::steady_clock::time_point deadline_{};
    std::chrono::milliseconds budget_{0};
    bool inCall_ = false;
    std::optional<std::int64_t> fixedNow_;
    std::vector<LogLine> logs_;
    std::size_t droppedLogs_ = 0;
    const Helper* helper_ = nullptr;
};

} // namespace anchang
