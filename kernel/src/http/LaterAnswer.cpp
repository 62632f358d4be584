#include "http/LaterAnswer.h"

#include <utility>

namespace anchang {

std::shared_ptr<LaterAnswer> LaterAnswer::create() {
    std::shared_ptr<LaterAnswer> later(new LaterAnswer);
    later->self_ = later;
    return later;
}

LaterAnswer::Answer LaterAnswer::fromPlugin(int status, const char* contentType, const char* body, std::size_t size) {
    return {status < 200 || status > 599 ? 500 : status, contentType ? contentType : "application/octet-stream",
            std::string(body ? body : "", body ? size : 0)};
}

void LaterAnswer::respond(void* ctx, int status, const char* contentType, const char* body, std::size_t size) noexcept {
    auto* me = static_cast<LaterAnswer*>(ctx);
    try {
        me->give(fromPlugin(status, contentType, body, size));
    } catch (...) {
        // Out of memory copying the answer: an empty 500 still ends the client's wait.
        try {
            me->give({500, "application/octet-stream", {}});
        } catch (...) {
        }
    }
}

void LaterAnswer::give(Answer answer) {
    std::shared_ptr<LaterAnswer> keep; // gone at the end of this call, after the last use of this
    Deliver deliver;
    {
        std::lock_guard lock(mutex_);
        if (given_) return;
        given_ = true;
        keep = std::move(self_);
        if (!deliver_) {
            answer_ = std::move(answer); // for takeEarly or handOver
            return;
        }
        deliver = std::move(deliver_);
    }
    deliver(std::move(answer));
}

std::optional<LaterAnswer::Answer> LaterAnswer::takeEarly() {
    std::lock_guard lock(mutex_);
    return std::exchange(answer_, std::nullopt);
}

void LaterAnswer::handOver(Deliver deliver) {
    std::optional<Answer> answer;
    {
        std::lock_guard lock(mutex_);
        if (!answer_) {
            deliver_ = std::move(deliver);
            return;
        }
        answer = std::exchange(answer_, std::nullopt);
    }
    deliver(std::move(*answer));
}

} // namespace anchang
