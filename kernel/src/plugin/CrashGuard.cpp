#include "plugin/CrashGuard.h"

#include <csetjmp>
#include <csignal>
#include <cstring>
#include <mutex>
#include <vector>

namespace anchang {

namespace {

thread_local sigjmp_buf* guardedJump = nullptr;
thread_local volatile sig_atomic_t caughtSignal = 0;

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
struct sigaction previous[sizeof kSignals / sizeof kSignals[0]];

void onFatal(int signal, siginfo_t*, void*) {
    if (guardedJump) {
        caughtSignal = signal;
        siglongjmp(*guardedJump, 1);
    }
    // Not inside a guarded call: behave as if we were never installed.
    for (std::size_t i = 0; i < std::size(kSignals); ++i)
        if (kSignals[i] == signal) sigaction(signal, &previous[i], nullptr);
    raise(signal);
}

void installOnce() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction action {};
        action.sa_sigaction = &onFatal;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
        sigemptyset(&action.sa_mask);
        for (std::size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &action, &previous[i]);
    });
}

} // namespace

std::optional<std::string> CrashGuard::run(const std::function<void()>& body) {
    installOnce();
    // A stack overflow leaves no stack to run the handler on: give it its own.
    std::vector<char> altStack(1 << 16);
    stack_t stack{};
    stack.ss_sp = altStack.data();
    stack.ss_size = altStack.size();
    stack_t oldStack{};
    sigaltstack(&stack, &oldStack);

    sigjmp_buf jump;
    std::optional<std::string> crashed;
    if (sigsetjmp(jump, 1) == 0) {
        guardedJump = &jump;
        body();
    } else {
        crashed = strsignal(caughtSignal);
        const char* abbreviation = sigabbrev_np(caughtSignal);
        if (abbreviation) crashed = std::string("SIG") + abbreviation;
    }
    guardedJump = nullptr;
    sigaltstack(&oldStack, nullptr);
    return crashed;
}

} // namespace anchang
