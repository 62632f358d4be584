#pragma once
/// anchang::HttpConnection — the unit of work the worker pool runs: serve one readable
/// connection until it goes idle, then hand it back to the reactor.

#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

namespace anchang {

class HttpServer;

class HttpConnection : public Poco::Net::TCPServerConnection {
public:
    HttpConnection(const Poco::Net::StreamSocket& socket, HttpServer& server)
        : Poco::Net::TCPServerConnection(socket), server_(server) {}

    void run() override;

    /// Makes HttpConnections for Poco's TCPServerDispatcher.
    class Factory : public Poco::Net::TCPServerConnectionFactory {
    public:
        explicit Factory(HttpServer& server) : server_(server) {}
        Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
            return new HttpConnection(socket, server_);
        }

    private:
        HttpServer& server_;
    };

private:
    HttpServer& server_;
};

} // namespace anchang
