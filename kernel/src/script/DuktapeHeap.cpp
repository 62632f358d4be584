#include "script/DuktapeHeap.h"

#include "anchang/sdk/Json.hpp"

#include <duktape.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <unordered_set>

// Called by Duktape (see cmake/Duktape.cmake) with the heap's udata: our DuktapeHeap.
extern "C" int anchang_duk_exec_timeout_check(void* udata) {
    return udata && static_cast<anchang::DuktapeHeap*>(udata)->timeUp() ? 1 : 0;
}

extern "C" double anchang_duk_date_now(void* ctx) {
    duk_memory_functions functions{};
    duk_get_memory_functions(static_cast<duk_context*>(ctx), &functions);
    return static_cast<anchang::DuktapeHeap*>(functions.udata)->now();
}

namespace anchang {

namespace {

constexpr std::size_t kHeader = 16; // keeps Duktape's allocations 16-byte aligned
constexpr std::size_t kMaxLogLines = 50;
constexpr std::size_t kMaxLogLine = 500;
const char* const kVetoMarker = DUK_HIDDEN_SYMBOL("anchangVeto");

struct Fatal : std::runtime_error {
    using std::runtime_error::runtime_error;
};

DuktapeHeap& heapOf(duk_context* ctx) {
    duk_memory_functions functions{};
    duk_get_memory_functions(ctx, &functions);
    return *static_cast<DuktapeHeap*>(functions.udata);
}

void* onAlloc(void* udata, duk_size_t size) { return static_cast<DuktapeHeap*>(udata)->allocate(size); }
void* onRealloc(void* udata, void* pointer, duk_size_t size) { return static_cast<DuktapeHeap*>(udata)->reallocate(pointer, size); }
void onFree(void* udata, void* pointer) { static_cast<DuktapeHeap*>(udata)->release(pointer); }
void onFatal(void*, const char* message) { throw Fatal(message ? message : "fatal Duktape error"); }

std::string joinArguments(duk_context* ctx) {
    std::string text;
    const duk_idx_t count = duk_get_top(ctx);
    for (duk_idx_t i = 0; i < count; ++i) {
        if (i) text += ' ';
        if (duk_is_string(ctx, i)) {
            text += duk_get_string(ctx, i);
        } else if (duk_is_object(ctx, i) && !duk_is_function(ctx, i)) {
            duk_dup(ctx, i);
            // JSON for objects, so a log shows the data a script looked at.
            if (duk_safe_call(ctx, [](duk_context* c, void*) -> duk_ret_t { duk_json_encode(c, -1); return 1; }, nullptr, 1, 1) == 0 &&
                duk_is_string(ctx, -1))
                text += duk_get_string(ctx, -1);
            else
                text += "[object]";
            duk_pop(ctx);
        } else {
            text += duk_safe_to_string(ctx, i);
        }
        if (text.size() > kMaxLogLine) break;
    }
    return text;
}

duk_ret_t consoleLog(duk_context* ctx) {
    duk_push_current_function(ctx);
    duk_get_prop_string(ctx, -1, DUK_HIDDEN_SYMBOL("level"));
    const std::string level = duk_get_string(ctx, -1);
    duk_pop_2(ctx);
    heapOf(ctx).capture(level, joinArguments(ctx));
    return 0;
}

duk_ret_t veto(duk_context* ctx) {
    const std::string message = duk_is_undefined(ctx, 0) ? std::string("vetoed by the project's rule") : duk_safe_to_string(ctx, 0);
    duk_push_object(ctx);
    duk_push_string(ctx, message.c_str());
    duk_put_prop_string(ctx, -2, "message");
    duk_push_true(ctx);
    duk_put_prop_string(ctx, -2, kVetoMarker);
    return 1;
}

duk_ret_t helper(duk_context* ctx) {
    duk_push_current_function(ctx);
    duk_get_prop_string(ctx, -1, DUK_HIDDEN_SYMBOL("name"));
    const std::string name = duk_get_string(ctx, -1);
    duk_pop_2(ctx);
    nlohmann::json args = nlohmann::json::object();
    if (!duk_is_undefined(ctx, 0)) {
        duk_dup(ctx, 0);
        duk_json_encode(ctx, -1);
        args = sdk::Json::parse(duk_get_string(ctx, -1));
        duk_pop(ctx);
    }
    std::string result;
    std::string failure;
    try {
        result = heapOf(ctx).callHelper(name, args).dump();
    } catch (const std::exception& e) {
        failure = "helper " + name + " failed: " + e.what();
    }
    if (!failure.empty()) return duk_error(ctx, DUK_ERR_ERROR, "%s", failure.c_str());
    duk_push_lstring(ctx, result.data(), result.size());
    duk_json_decode(ctx, -1);
    return 1;
}

bool isVeto(duk_context* ctx, duk_idx_t index) {
    if (!duk_is_object(ctx, index)) return false;
    const bool marked = duk_get_prop_string(ctx, index, kVetoMarker) && duk_get_boolean(ctx, -1);
    duk_pop(ctx);
    return marked;
}

std::string vetoMessage(duk_context* ctx, duk_idx_t index) {
    duk_get_prop_string(ctx, index, "message");
    std::string message = duk_safe_to_string(ctx, -1);
    duk_pop(ctx);
    return message;
}

struct CallFrame {
    const char* key;
    const std::string* input;
    const std::string* context;
};

/// What a thrown value says, as text: an Error's stack, anything else coerced to a string.
/// Either may run script code (a stack getter, a toString), so callers run it under the deadline.
std::string describe(duk_context* ctx, duk_idx_t index) {
    if (duk_is_error(ctx, index)) {
        duk_get_prop_string(ctx, index, "stack");
        std::string text = duk_safe_to_string(ctx, -1);
        duk_pop(ctx);
        return text;
    }
    return std::string("the script threw ") + duk_safe_to_string(ctx, index);
}

/// Runs inside duk_safe_call with the deadline armed: [] -> [status, payload], status "ok"
/// (payload: the answer as JSON text), "veto" (the message) or "error" (what was thrown, as
/// text). Everything that can run script code — the call, a veto's message, a thrown value's
/// toString or stack, an answer's toJSON — happens here, under the call's budget: a
/// `throw {toString(){for(;;){}}}` once ran forever because the error was described after the
/// deadline was disarmed. Only the deadline's own RangeError escapes to the caller.
duk_ret_t runCall(duk_context* ctx, void* udata) {
    auto* frame = static_cast<CallFrame*>(udata);
    duk_push_heap_stash(ctx);
    if (!duk_get_prop_string(ctx, -1, frame->key)) return duk_error(ctx, DUK_ERR_REFERENCE_ERROR, "script not compiled");
    duk_push_lstring(ctx, frame->input->data(), frame->input->size());
    duk_json_decode(ctx, -1);
    duk_push_lstring(ctx, frame->context->data(), frame->context->size());
    duk_json_decode(ctx, -1);
    const bool threw = duk_pcall(ctx, 2) != DUK_EXEC_SUCCESS;
    if (isVeto(ctx, -1)) {
        const std::string message = vetoMessage(ctx, -1);
        duk_push_string(ctx, "veto");
        duk_push_lstring(ctx, message.data(), message.size());
        return 2;
    }
    if (threw) {
        const std::string message = describe(ctx, -1);
        duk_push_string(ctx, "error");
        duk_push_lstring(ctx, message.data(), message.size());
        return 2;
    }
    if (duk_is_undefined(ctx, -1) || duk_is_null(ctx, -1) || duk_is_function(ctx, -1)) {
        duk_push_string(ctx, "ok");
        duk_push_string(ctx, "null");
        return 2;
    }
    // A cycle or a throwing toJSON fails the encoding; that too is the script's error to describe.
    const auto encode = [](duk_context* c, void*) -> duk_ret_t {
        duk_json_encode(c, -1);
        return 1;
    };
    if (duk_safe_call(ctx, encode, nullptr, 1, 1) != DUK_EXEC_SUCCESS) {
        const std::string message = "the answer cannot be turned into JSON: " + describe(ctx, -1);
        duk_push_string(ctx, "error");
        duk_push_lstring(ctx, message.data(), message.size());
        return 2;
    }
    duk_push_string(ctx, "ok");
    duk_swap_top(ctx, -2);
    return 2;
}

/// Built-ins are frozen (freezeAll) so that a script cannot change what the next script of its
/// project sees: a deleted script's `Array.prototype.filter = ...` once broke every script after
/// it. Assigning a property that a frozen prototype also has would then fail in strict code
/// (`err.name = "MyError"`, `obj.toString = ...`), so first, for the few such names scripts
/// really assign, the prototype gets an accessor that defines the property on the object itself
/// instead — the way SES tames the "override mistake".
constexpr const char* kTameOverrides = R"JS((function () {
    function tame(proto, key) {
        var d = Object.getOwnPropertyDescriptor(proto, key);
        if (!d || !('value' in d)) return;
        var value = d.value;
        Object.defineProperty(proto, key, {
            get: function () { return value; },
            set: function (v) {
                if (this === proto) throw new TypeError('the built-in ' + key + ' cannot be changed');
                Object.defineProperty(this, key, {value: v, writable: true, enumerable: true, configurable: true});
            },
            enumerable: d.enumerable, configurable: false
        });
    }
    ['constructor', 'toString', 'valueOf', 'toLocaleString', 'hasOwnProperty'].forEach(function (k) { tame(Object.prototype, k); });
    [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError].forEach(function (E) {
        ['name', 'message', 'constructor', 'toString'].forEach(function (k) { tame(E.prototype, k); });
    });
    ['constructor', 'toString', 'name'].forEach(function (k) { tame(Function.prototype, k); });
    ['constructor', 'toString'].forEach(function (k) { tame(Array.prototype, k); });
})())JS";

/// Freezes the object at `index` and everything reachable from it through own properties (their
/// values and accessors) and prototypes. In C: the same walk in script made a heap cost 5 ms.
void freezeAll(duk_context* ctx, duk_idx_t index, std::unordered_set<void*>& seen) {
    if (!duk_is_object(ctx, index) || !seen.insert(duk_get_heapptr(ctx, index)).second) return;
    index = duk_normalize_index(ctx, index);
    duk_freeze(ctx, index);
    duk_enum(ctx, index, DUK_ENUM_OWN_PROPERTIES_ONLY | DUK_ENUM_INCLUDE_NONENUMERABLE | DUK_ENUM_INCLUDE_SYMBOLS);
    while (duk_next(ctx, -1, 0)) {
        duk_get_prop_desc(ctx, index, 0); // key -> descriptor
        for (const char* part : {"value", "get", "set"}) {
            duk_get_prop_string(ctx, -1, part);
            freezeAll(ctx, -1, seen);
            duk_pop(ctx);
        }
        duk_pop(ctx);
    }
    duk_pop(ctx); // the enumerator
    duk_get_prototype(ctx, index);
    freezeAll(ctx, -1, seen);
    duk_pop(ctx);
}

} // namespace

DuktapeHeap::DuktapeHeap(Limits limits, const std::vector<std::string>& helperNames) : limits_(limits) {
    ctx_ = duk_create_heap(&onAlloc, &onRealloc, &onFree, this, &onFatal);
    if (!ctx_) throw std::runtime_error("cannot create a script heap");
    setUpGlobals(helperNames);
    enforce_ = true;
}

DuktapeHeap::~DuktapeHeap() {
    if (!ctx_) return;
    enforce_ = false;
    try {
        duk_destroy_heap(ctx_);
    } catch (const Fatal&) {
    }
}

void DuktapeHeap::setUpGlobals(const std::vector<std::string>& helperNames) {
    duk_context* ctx = ctx_;
    duk_push_global_object(ctx);
    // The amalgamation's built-in tables include the Duktape object (its internals, GC
    // control, encoders); scripts get no name to reach it by.
    duk_del_prop_string(ctx, -1, "Duktape");

    duk_push_object(ctx); // console
    for (const char* level : {"log", "info", "warn", "error"}) {
        duk_push_c_function(ctx, &consoleLog, DUK_VARARGS);
        duk_push_string(ctx, level);
        duk_put_prop_string(ctx, -2, DUK_HIDDEN_SYMBOL("level"));
        duk_put_prop_string(ctx, -2, level);
    }
    duk_put_prop_string(ctx, -2, "console");

    duk_push_object(ctx); // anchang
    duk_push_c_function(ctx, &veto, 1);
    duk_put_prop_string(ctx, -2, "veto");
    duk_push_object(ctx); // anchang.helpers
    for (const auto& name : helperNames) {
        duk_push_c_function(ctx, &helper, 1);
        duk_push_string(ctx, name.c_str());
        duk_put_prop_string(ctx, -2, DUK_HIDDEN_SYMBOL("name"));
        duk_put_prop_string(ctx, -2, name.c_str());
    }
    duk_put_prop_string(ctx, -2, "helpers");
    duk_put_prop_string(ctx, -2, "anchang");
    duk_pop(ctx);

    if (duk_peval_string(ctx, kTameOverrides) != 0)
        throw std::runtime_error(std::string("script heap set-up failed: ") + duk_safe_to_string(ctx, -1));
    duk_pop(ctx);
    std::unordered_set<void*> seen;
    duk_push_global_object(ctx);
    freezeAll(ctx, -1, seen);
    duk_pop(ctx);
}

std::string DuktapeHeap::compile(const std::string& key, const std::string& source) {
    duk_context* ctx = ctx_;
    duk_push_string(ctx, key.c_str()); // the file name in stack traces
    if (duk_pcompile_lstring_filename(ctx, DUK_COMPILE_FUNCTION | DUK_COMPILE_STRICT, source.data(), source.size()) != 0) {
        std::string error = duk_safe_to_string(ctx, -1);
        duk_pop(ctx);
        return error;
    }
    duk_push_heap_stash(ctx);
    duk_swap_top(ctx, -2);
    duk_put_prop_string(ctx, -2, key.c_str());
    duk_pop(ctx);
    return {};
}

bool DuktapeHeap::has(const std::string& key) const {
    duk_push_heap_stash(ctx_);
    const bool found = duk_has_prop_string(ctx_, -1, key.c_str());
    duk_pop(ctx_);
    return found;
}

void DuktapeHeap::forget(const std::string& key) {
    duk_push_heap_stash(ctx_);
    duk_del_prop_string(ctx_, -1, key.c_str());
    duk_pop(ctx_);
}

DuktapeHeap::Outcome DuktapeHeap::call(const std::string& key, const nlohmann::json& input, const nlohmann::json& context,
                                       const Helper& helper, std::optional<std::int64_t> fixedNow,
                                       std::chrono::milliseconds budget) {
    Outcome outcome;
    const std::string inputText = input.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const std::string contextText = context.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    CallFrame frame{key.c_str(), &inputText, &contextText};
    logs_.clear();
    droppedLogs_ = 0;
    memoryExceeded_ = false;
    timedOut_ = false;
    fixedNow_ = fixedNow;
    helper_ = &helper;
    const auto started = std::chrono::steady_clock::now();
    budget_ = budget;
    deadline_ = started + budget;
    inCall_ = true;
    duk_int_t rc = DUK_EXEC_ERROR;
    try {
        rc = duk_safe_call(ctx_, &runCall, &frame, 0, 2);
    } catch (const Fatal& e) {
        broken_ = true;
        inCall_ = false;
        outcome.kind = Outcome::Kind::Failed;
        outcome.code = "script.fatal";
        outcome.message = std::string("the script engine failed: ") + e.what();
        return outcome;
    }
    // From here on nothing may run script code: the deadline is disarmed. Values are only
    // read when they are strings already, never coerced.
    inCall_ = false;
    helper_ = nullptr;
    outcome.micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
    const char* status = rc == DUK_EXEC_SUCCESS ? duk_get_string(ctx_, -2) : nullptr;
    const char* payload = rc == DUK_EXEC_SUCCESS ? duk_get_string(ctx_, -1) : nullptr;
    outcome.kind = Outcome::Kind::Failed;
    if (timedOut_) {
        outcome.code = "script.timeout";
        outcome.message = "the script ran longer than " + std::to_string(budget_.count()) + " ms and was stopped";
    } else if (memoryExceeded_) {
        outcome.code = "script.memory";
        outcome.message = "the script used more than " + std::to_string(limits_.memoryBytes >> 20) + " MiB and was stopped";
    } else if (!status || !payload) {
        // Describing what the script threw failed in turn (or the engine's own call did).
        outcome.code = "script.error";
        outcome.message = "the script failed: " + std::string(duk_is_string(ctx_, -2) ? duk_get_string(ctx_, -2) : "an error that cannot be shown");
    } else if (std::strcmp(status, "veto") == 0) {
        outcome.kind = Outcome::Kind::Vetoed;
        outcome.message = payload;
    } else if (std::strcmp(status, "error") == 0) {
        outcome.code = "script.error";
        outcome.message = payload;
    } else {
        outcome.output = sdk::Json::parse(payload);
        if (!outcome.output.is_discarded()) {
            outcome.kind = Outcome::Kind::Ok;
        } else {
            outcome.code = "script.output";
            outcome.message = sdk::Json::withinDepth(payload) ? "the script returned something that is not JSON"
                                                                : "the script's answer nests deeper than " +
                                                                      std::to_string(sdk::Json::kMaxDepth) + " levels";
            outcome.output = nullptr;
        }
    }
    duk_pop_2(ctx_);
    if (memoryExceeded_) duk_gc(ctx_, 0); // give back what the runaway allocation left behind
    if (droppedLogs_) logs_.push_back({"warn", std::to_string(droppedLogs_) + " more console lines were dropped"});
    outcome.logs = std::move(logs_);
    outcome.memoryBytes = used_;
    return outcome;
}

bool DuktapeHeap::timeUp() {
    if (!inCall_ || std::chrono::steady_clock::now() < deadline_) return false;
    timedOut_ = true;
    return true;
}

double DuktapeHeap::now() const {
    if (fixedNow_) return static_cast<double>(*fixedNow_);
    using namespace std::chrono;
    return static_cast<double>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

void* DuktapeHeap::allocate(std::size_t size) {
    if (enforce_ && used_ + size > limits_.memoryBytes) {
        memoryExceeded_ = true;
        return nullptr;
    }
    auto* block = static_cast<unsigned char*>(std::malloc(size + kHeader));
    if (!block) return nullptr;
    std::memcpy(block, &size, sizeof size);
    used_ += size;
    return block + kHeader;
}

void* DuktapeHeap::reallocate(void* pointer, std::size_t size) {
    if (!pointer) return allocate(size);
    auto* block = static_cast<unsigned char*>(pointer) - kHeader;
    std::size_t old = 0;
    std::memcpy(&old, block, sizeof old);
    if (enforce_ && size > old && used_ + (size - old) > limits_.memoryBytes) {
        memoryExceeded_ = true;
        return nullptr;
    }
    auto* grown = static_cast<unsigned char*>(std::realloc(block, size + kHeader));
    if (!grown) return nullptr;
    std::memcpy(grown, &size, sizeof size);
    used_ = used_ - old + size;
    return grown + kHeader;
}

void DuktapeHeap::release(void* pointer) {
    if (!pointer) return;
    auto* block = static_cast<unsigned char*>(pointer) - kHeader;
    std::size_t size = 0;
    std::memcpy(&size, block, sizeof size);
    used_ -= size;
    std::free(block);
}

void DuktapeHeap::capture(const std::string& level, std::string message) {
    if (logs_.size() >= kMaxLogLines) {
        ++droppedLogs_;
        return;
    }
    if (message.size() > kMaxLogLine) message = message.substr(0, kMaxLogLine) + "…";
    logs_.push_back({level, std::move(message)});
}

nlohmann::json DuktapeHeap::callHelper(const std::string& name, const nlohmann::json& args) {
    if (!helper_ || !*helper_) throw std::runtime_error("no helpers outside a hook call");
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) throw std::runtime_error("no time left in the budget");
    return (*helper_)(name, args, remaining);
}

} // namespace anchang
