#pragma once
/// anchang::CrashGuard — survives a plugin that crashes while it starts.
///
/// A segfault, abort or stack overflow inside a guarded call jumps back here on an alternate
/// signal stack and the plugin is reported as failed ("crashed with SIGSEGV in start") while
/// the rest of the kernel starts. This is a best effort for bugs that kill the plugin at once;
/// a plugin that corrupts memory first can still take the process down, which is why a plugin
/// that must not be trusted runs out of process on the tcp bus. Only start is guarded: a
/// request handler that crashes takes down the kernel, and a supervisor restarts it.

#include <functional>
#include <optional>
#include <string>

namespace anchang {

class CrashGuard {
public:
    /// Runs `body`; returns the name of the fatal signal it raised, or nullopt if it returned.
    static std::optional<std::string> run(const std::function<void()>& body);
};

} // namespace anchang
