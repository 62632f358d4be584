#include "support/WebhookReceiver.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <thread>

namespace anchang::test {

class WebhookHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit WebhookHandler(WebhookReceiver& receiver) : receiver_(receiver) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        ++receiver_.inFlight_;
        const struct Done {
            std::atomic<int>& count;
            ~Done() { --count; }
        } done{receiver_.inFlight_};
        WebhookReceiver::Hit hit;
        for (const auto& [name, value] : request) hit.headers[name] = value;
        Poco::StreamCopier::copyToString(request.stream(), hit.body);
        hit.answered = receiver_.next();
        receiver_.record(hit);
        response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(hit.answered));
        response.setContentLength(2);
        response.send() << "{}";
    }

private:
    WebhookReceiver& receiver_;
};

namespace {

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(WebhookReceiver& receiver) : receiver_(receiver) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new WebhookHandler(receiver_); }

private:
    WebhookReceiver& receiver_;
};

} // namespace

WebhookReceiver::WebhookReceiver() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, new Poco::Net::HTTPServerParams);
    server_->start();
}

WebhookReceiver::~WebhookReceiver() {
    server_->stopAll(true);
    while (inFlight_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

int WebhookReceiver::port() const { return server_->port(); }

void WebhookReceiver::answerWith(std::vector<int> statuses) {
    std::lock_guard lock(mutex_);
    answers_.assign(statuses.begin(), statuses.end());
}

std::vector<WebhookReceiver::Hit> WebhookReceiver::hits() {
    std::lock_guard lock(mutex_);
    return hits_;
}

int WebhookReceiver::next() {
    std::lock_guard lock(mutex_);
    if (answers_.empty()) return 200;
    const int status = answers_.front();
    answers_.pop_front();
    return status;
}

void WebhookReceiver::record(Hit hit) {
    std::lock_guard lock(mutex_);
    hits_.push_back(std::move(hit));
}

} // namespace anchang::test
