#include "app/BufferedLogChannel.h"

#include <Poco/Message.h>

#include <unistd.h>

namespace anchang {

namespace {
constexpr std::size_t kUrgentBytes = 1 << 20;
constexpr auto kInterval = std::chrono::milliseconds(25);
/// A buffer larger than this after a write is given back rather than kept for the next.
constexpr std::size_t kKeepBytes = 4 << 20;
} // namespace

BufferedLogChannel::BufferedLogChannel(Poco::AutoPtr<Poco::Formatter> formatter, int fd)
    : formatter_(std::move(formatter)), fd_(fd) {
    open();
}

BufferedLogChannel::~BufferedLogChannel() { close(); }

void BufferedLogChannel::open() {
    std::lock_guard lock(mutex_);
    if (writer_.joinable()) return;
    stopping_ = false;
    writer_ = std::thread([this] { run(); });
}

void BufferedLogChannel::close() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (writer_.joinable()) writer_.join();
    flush();
}

void BufferedLogChannel::log(const Poco::Message& message) {
    std::string line;
    formatter_->format(message, line);
    add(line, message.getPriority() <= Poco::Message::PRIO_WARNING);
}

void BufferedLogChannel::append(std::string line) { add(line, false); }

void BufferedLogChannel::add(const std::string& line, bool urgent) {
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        buffer_ += line;
        buffer_ += '\n';
        if ((urgent || buffer_.size() >= kUrgentBytes) && !urgent_) {
            urgent_ = true;
            wake = true;
        }
    }
    if (wake) wake_.notify_one();
}

void BufferedLogChannel::flush() {
    std::string text;
    {
        std::lock_guard lock(mutex_);
        text.swap(buffer_);
        urgent_ = false;
    }
    write(text);
}

void BufferedLogChannel::write(const std::string& text) {
    std::lock_guard lock(writeMutex_); // keeps lines of two flushes from interleaving
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
        const ssize_t n = ::write(fd_, p, left);
        if (n <= 0) return; // stderr closed: nothing better to do with a log line
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

void BufferedLogChannel::run() {
    std::unique_lock lock(mutex_);
    // Two buffers trade places, so lines are appended into memory already grown to a burst's
    // size rather than into an empty string that reallocates as it fills.
    std::string text;
    while (!stopping_) {
        wake_.wait_for(lock, kInterval, [this] { return urgent_ || stopping_; });
        // A burst written to a slow stderr may have grown it far: do not keep that for good.
        if (text.capacity() > kKeepBytes) std::string().swap(text);
        text.clear();
        text.swap(buffer_);
        urgent_ = false;
        lock.unlock();
        write(text);
        lock.lock();
    }
}

} // namespace anchang
