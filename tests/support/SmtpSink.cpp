#include "support/SmtpSink.h"

#include <Poco/Net/SocketStream.h>

namespace anchang::test {

namespace {

/// "RCPT TO: <a@b.c>" -> "<a@b.c>"
std::string address(const std::string& line) {
    const auto colon = line.find(':');
    const auto start = line.find_first_not_of(' ', colon == std::string::npos ? line.size() : colon + 1);
    return start == std::string::npos ? std::string{} : line.substr(start);
}

} // namespace

SmtpSink::SmtpSink() : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    thread_ = std::thread([this] { serve(); });
}

SmtpSink::~SmtpSink() {
    stopping_ = true;
    socket_.close();
    if (thread_.joinable()) thread_.join();
}

std::vector<SmtpSink::Mail> SmtpSink::mails() {
    std::lock_guard lock(mutex_);
    return mails_;
}

void SmtpSink::serve() {
    while (!stopping_) {
        try {
            if (!socket_.poll(Poco::Timespan(0, 100000), Poco::Net::Socket::SELECT_READ)) continue;
            session(socket_.acceptConnection());
        } catch (...) {
            if (stopping_) return;
        }
    }
}

void SmtpSink::session(Poco::Net::StreamSocket socket) {
    socket.setReceiveTimeout(Poco::Timespan(5, 0));
    Poco::Net::SocketStream stream(socket);
    auto say = [&](const std::string& line) { stream << line << "\r\n" << std::flush; };
    say("220 sink ESMTP");
    Mail mail;
    std::string line;
    while (std::getline(stream, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const std::string verb = line.substr(0, 4);
        if (verb == "EHLO" || verb == "HELO") say("250 sink");
        else if (verb == "MAIL") { mail.from = address(line); say("250 OK"); }
        else if (verb == "RCPT") { mail.to.push_back(address(line)); say("250 OK"); }
        else if (verb == "DATA") {
            say("354 go on");
            while (std::getline(stream, line)) {
                if (!line.empty() && line.back() == '\r') line.pop_back();
                if (line == ".") break;
                mail.data += line + "\n";
            }
            {
                std::lock_guard lock(mutex_);
                mails_.push_back(mail);
            }
            mail = Mail{};
            say("250 OK queued");
        } else if (verb == "QUIT") { say("221 bye"); return; }
        else if (verb == "RSET" || verb == "NOOP") say("250 OK");
        else say("502 not here");
    }
}

} // namespace anchang::test
