#pragma once
/// anchang::test::WebhookReceiver — an HTTP server on a free loopback port that records every
/// request it gets (headers and body) and answers with the statuses it was told to, then 200:
/// the SMS gateway or WeChat Work robot a notification test talks to.

#include <Poco/Net/HTTPServer.h>

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace anchang::test {

class WebhookReceiver {
public:
    struct Hit {
        std::map<std::string, std::string> headers;
        std::string body;
        int answered;
    };

    WebhookReceiver();
    ~WebhookReceiver();

    int port() const;
    /// The next answers, in order (say {500, 500} to fail twice); 200 after them.
    void answerWith(std::vector<int> statuses);
    std::vector<Hit> hits();

private:
    friend class WebhookHandler;
    int next();
    void record(Hit hit);

    std::mutex mutex_;
    /// Handlers still running: the destructor waits for them, since stopping the server does not,
    /// and a kernel still delivering a notification must not reach a receiver already gone.
    std::atomic<int> inFlight_{0};
    std::deque<int> answers_;
    std::vector<Hit> hits_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

} // namespace anchang::test
