#pragma once
/// anchang::BufferedLogChannel — structured log lines to stderr without slowing requests down.
///
/// The calling thread formats its line and appends it to a buffer under a short lock; one
/// writer thread writes the buffer out every 25 ms (at once for warnings and errors, and when
/// it passes 1 MiB). Poco's AsyncChannel instead wakes its writer for every message and the
/// console channel flushes each line, which cost a third of the throughput of a small API
/// request (docs/perf.md). A crash can lose the last 25 ms of info lines, never a warning.

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Formatter.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace anchang {

class BufferedLogChannel : public Poco::Channel {
public:
    BufferedLogChannel(Poco::AutoPtr<Poco::Formatter> formatter, int fd);

    void log(const Poco::Message& message) override;
    void open() override;
    /// Writes everything buffered and stops the writer thread.
    void close() override;
    /// Writes everything buffered now.
    void flush();
    /// Appends a line formatted elsewhere (the access log), without a newline.
    void append(std::string line);

protected:
    ~BufferedLogChannel() override;

private:
    void run();
    void add(const std::string& line, bool urgent);
    void write(const std::string& text);

    Poco::AutoPtr<Poco::Formatter> formatter_;
    int fd_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::string buffer_;
    bool urgent_ = false;
    bool stopping_ = false;
    std::mutex writeMutex_;
    std::thread writer_;
};

} // namespace anchang
