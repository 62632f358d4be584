#pragma once
/// anchang::test::SmtpSink — an SMTP server on a free loopback port that accepts every message
/// and keeps it (envelope and data), speaking just enough of RFC 5321 for Poco's client: the mail
/// relay a notification test sends to.

#include <Poco/Net/ServerSocket.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace anchang::test {

class SmtpSink {
public:
    struct Mail {
        std::string from;
        std::vector<std::string> to;
        std::string data;
    };

    SmtpSink();
    ~SmtpSink();

    int port() const { return socket_.address().port(); }
    std::vector<Mail> mails();

private:
    void serve();
    void session(Poco::Net::StreamSocket socket);

    Poco::Net::ServerSocket socket_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::vector<Mail> mails_;
    std::thread thread_;
};

} // namespace anchang::test
