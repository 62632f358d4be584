#pragma once
/// anchang::LaterAnswer — a request's answer that a plugin gives after its handler returned
/// (ABI 1.6 http_later), and the connection that waits for it.
///
/// On opening day two thousand buyers wait for the batch their sale is written in. Held on
/// their HTTP workers, they were a batch of at most sixty-four, and every request behind them
/// waited for a worker (docs/perf.md, the opening storm). Here the handler returns at once and
/// the worker goes on; the plugin answers from its writer's thread once the batch is on disk.
///
/// Three parties meet here, on any threads and in any order: the plugin giving the answer
/// (give), the handler returning (takeEarly: an answer given already is sent as usual), and the
/// server letting go of the connection (handOver: from then on the answer is written by
/// whoever comes last). The object keeps itself alive until the plugin has answered: the
/// plugin holds only a raw pointer.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace anchang {

class LaterAnswer {
public:
    struct Answer {
        int status = 500;
        std::string contentType;
        std::string body;
    };
    /// Writes the answer to the connection handed over, and gives the connection back.
    using Deliver = std::function<void(Answer&&)>;

    /// An answer as a plugin hands it over the ABI, made safe to send: a status outside
    /// 200–599 becomes 500, no content type is application/octet-stream, no body is empty.
    static Answer fromPlugin(int status, const char* contentType, const char* body, std::size_t size);

    /// A new one, alive until given its answer (and for as long as the server holds it).
    static std::shared_ptr<LaterAnswer> create();

    /// The ABI's respond function for the context `create()` handed to the plugin: exactly once.
    /// Nothing thrown here reaches the plugin (a C caller, or an SDK destructor).
    static void respond(void* ctx, int status, const char* contentType, const char* body, std::size_t size) noexcept;

    /// The answer, exactly once (the plugin's pointer is not valid after it).
    void give(Answer answer);
    /// When the handler returned: the answer if it came already (then nothing else happens
    /// here), or nothing while it is still to come.
    std::optional<Answer> takeEarly();
    /// Once the server let go of the connection: `deliver` writes the answer, at once if it came
    /// meanwhile, else on the thread that gives it.
    void handOver(Deliver deliver);

private:
    LaterAnswer() = default;

    std::mutex mutex_;
    std::optional<Answer> answer_;
    Deliver deliver_;
    bool given_ = false;
    /// Itself, until given: the plugin's raw pointer must stay valid until then.
    std::shared_ptr<LaterAnswer> self_;
};

} // namespace anchang
