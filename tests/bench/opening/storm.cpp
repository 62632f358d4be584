// anchang_storm — the opening's load generator: fires prepared HTTP requests at one server over
// loopback on a fixed schedule, or holds thousands of event streams open and times a push.
//
// Storm: every request line of --requests is sent at its scheduled moment, spread evenly over
// --window-ms (an open loop: the schedule does not wait for the server), on --connections
// keep-alive connections opened beforehand. Latency is measured from the scheduled moment, so a
// request that waited for a free connection counts its wait (no coordinated omission). Each
// answer goes to --out as "index status latency_us body" for the crash runs' bookkeeping.
//
// Viewers: --viewers N streams of --events-path are opened and their heads read; then the
// --trigger request is sent and the tool reports how long until each stream saw a line naming
// --event (and how many never did within --timeout-ms).
//
// One thread and epoll: the tool must cost the 2-core machine less than the server it measures.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Request {
    std::string wire; // the whole HTTP/1.1 request
};

struct Connection {
    int fd = -1;
    std::string out;    // what remains to be written
    std::string in;     // what was read of the current answer
    long index = -1;    // the request in flight, -1 when idle
    Clock::time_point scheduled;
    bool seen = false;  // viewers: saw the event
};

std::string arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (argv[i] == name) return argv[i + 1];
    return fallback;
}

int connectTo(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        std::perror("socket");
        std::exit(2);
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        std::perror("connect");
        std::exit(2);
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/// Request lines: METHOD<TAB>PATH<TAB>TOKEN<TAB>BODY (token and body may be empty).
std::vector<Request> readRequests(const std::string& file, int port) {
    std::ifstream in(file);
    std::vector<Request> out;
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        std::vector<std::string> f;
        std::size_t start = 0;
        for (int k = 0; k < 3; ++k) {
            const auto tab = line.find('\t', start);
            f.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
            start = tab == std::string::npos ? line.size() : tab + 1;
        }
        f.push_back(line.substr(std::min(start, line.size())));
        std::string wire = f[0] + " " + f[1] + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
        if (!f[2].empty()) wire += "Authorization: Bearer " + f[2] + "\r\n";
        if (!f[3].empty()) wire += "Content-Type: application/json\r\nContent-Length: " + std::to_string(f[3].size()) + "\r\n";
        wire += "\r\n" + f[3];
        out.push_back({std::move(wire)});
    }
    return out;
}

/// The length of a whole answer at the start of `in`, or 0 while it is incomplete.
std::size_t answerLength(const std::string& in) {
    const auto end = in.find("\r\n\r\n");
    if (end == std::string::npos) return 0;
    std::size_t length = 0;
    for (std::size_t at = in.find("\r\n") + 2; at < end;) {
        const auto next = in.find("\r\n", at);
        std::string header = in.substr(at, next - at);
        std::transform(header.begin(), header.end(), header.begin(), [](unsigned char c) { return std::tolower(c); });
        if (header.rfind("content-length:", 0) == 0) length = std::strtoul(header.c_str() + 15, nullptr, 10);
        at = next + 2;
    }
    return in.size() >= end + 4 + length ? end + 4 + length : 0;
}

bool flush(Connection& c) {
    while (!c.out.empty()) {
        const auto n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN;
        c.out.erase(0, static_cast<std::size_t>(n));
    }
    return true;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

int storm(int argc, char** argv, int port) {
    const auto requests = readRequests(arg(argc, argv, "--requests", ""), port);
    const int connections = std::stoi(arg(argc, argv, "--connections", "500"));
    const double windowMs = std::stod(arg(argc, argv, "--window-ms", "1000"));
    std::ofstream out(arg(argc, argv, "--out", "/dev/null"));
    const int ep = ::epoll_create1(0);
    std::vector<Connection> conns(static_cast<std::size_t>(std::min<long>(connections, static_cast<long>(requests.size()))));
    std::deque<std::size_t> idle;
    for (std::size_t i = 0; i < conns.size(); ++i) {
        conns[i].fd = connectTo(port);
        epoll_event ev{EPOLLIN | EPOLLOUT | EPOLLET, {}};
        ev.data.u64 = i;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
        idle.push_back(i);
    }
    std::vector<double> latencies;
    std::map<int, std::vector<double>> byStatus; // sales and refusals wait for different things
    long next = 0, done = 0, failed = 0;
    const auto start = Clock::now();
    Clock::time_point lastCreated = start;
    auto scheduledAt = [&](long i) {
        return start + std::chrono::microseconds(static_cast<long>(windowMs * 1000.0 * static_cast<double>(i) / static_cast<double>(requests.size())));
    };
    std::vector<epoll_event> events(1024);
    while (done + failed < static_cast<long>(requests.size())) {
        const auto now = Clock::now();
        while (next < static_cast<long>(requests.size()) && scheduledAt(next) <= now && !idle.empty()) {
            auto& c = conns[idle.front()];
            idle.pop_front();
            c.index = next;
            c.scheduled = scheduledAt(next);
            c.out = requests[static_cast<std::size_t>(next)].wire;
            ++next;
            if (!flush(c)) ++failed;
        }
        int wait = 1;
        if (next < static_cast<long>(requests.size()) && !idle.empty())
            wait = static_cast<int>(std::max<long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(scheduledAt(next) - now).count()));
        const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), wait);
        for (int k = 0; k < n; ++k) {
            auto& c = conns[events[static_cast<std::size_t>(k)].data.u64];
            if (!flush(c)) {
                ++failed;
                continue;
            }
            char buffer[65536];
            for (;;) {
                const auto got = ::recv(c.fd, buffer, sizeof buffer, 0);
                if (got <= 0) break;
                c.in.append(buffer, static_cast<std::size_t>(got));
            }
            while (c.index >= 0) {
                const auto length = answerLength(c.in);
                if (!length) break;
                const int status = std::atoi(c.in.c_str() + 9);
                const auto at = Clock::now();
                const double us = std::chrono::duration<double, std::micro>(at - c.scheduled).count();
                latencies.push_back(us / 1000.0);
                byStatus[status].push_back(us / 1000.0);
                if (status == 201) lastCreated = at;
                const auto bodyAt = c.in.find("\r\n\r\n") + 4;
                out << c.index << ' ' << status << ' ' << static_cast<long>(us) << ' ' << c.in.substr(bodyAt, length - bodyAt) << '\n';
                out.flush(); // the crash runs read what was acknowledged before the kill
                c.in.erase(0, length);
                c.index = -1;
                ++done;
                idle.push_back(static_cast<std::size_t>(&c - conns.data()));
            }
        }
        if (n == 0 && next >= static_cast<long>(requests.size()) && std::chrono::duration<double>(Clock::now() - start).count() > windowMs / 1000.0 + 30) break;
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("requests %ld, answered %ld, failed %ld, in %.3f s: %.0f/s; latency ms p50 %.2f p90 %.2f p99 %.2f max %.2f; last 201 at %.3f s\n",
                static_cast<long>(requests.size()), done, failed, seconds, static_cast<double>(done) / seconds, percentile(latencies, 0.5),
                percentile(latencies, 0.9), percentile(latencies, 0.99), percentile(latencies, 1.0),
                std::chrono::duration<double>(lastCreated - start).count());
    std::printf("statuses:");
    for (const auto& [status, waits] : byStatus)
        std::printf(" %d×%zu (ms p50 %.1f p99 %.1f)", status, waits.size(), percentile(waits, 0.5), percentile(waits, 0.99));
    std::printf("\n");
    return failed ? 1 : 0;
}

int viewers(int argc, char** argv, int port) {
    const long count = std::stol(arg(argc, argv, "--viewers", "0"));
    const std::string path = arg(argc, argv, "--events-path", "");
    const std::string event = arg(argc, argv, "--event", "");
    const double timeoutMs = std::stod(arg(argc, argv, "--timeout-ms", "10000"));
    const auto trigger = readRequests(arg(argc, argv, "--trigger", ""), port);
    const int ep = ::epoll_create1(0);
    std::vector<Connection> conns(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < conns.size(); ++i) {
        conns[i].fd = connectTo(port);
        conns[i].out = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
        flush(conns[i]);
        epoll_event ev{EPOLLIN | EPOLLET, {}};
        ev.data.u64 = i;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
    }
    std::vector<epoll_event> events(4096);
    char buffer[65536];
    // Every stream's head first: a stream that has it will be sent every later event.
    long ready = 0;
    const auto opened = Clock::now();
    while (ready < count && std::chrono::duration<double, std::milli>(Clock::now() - opened).count() < 60000) {
        const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
        for (int k = 0; k < n; ++k) {
            auto& c = conns[events[static_cast<std::size_t>(k)].data.u64];
            for (;;) {
                const auto got = ::recv(c.fd, buffer, sizeof buffer, 0);
                if (got <= 0) break;
                c.in.append(buffer, static_cast<std::size_t>(got));
            }
            if (c.index == -1 && c.in.find("\r\n\r\n") != std::string::npos) {
                c.index = 0;
                c.in.clear();
                ++ready;
            }
        }
    }
    std::printf("viewers %ld, streaming %ld\n", count, ready);
    std::fflush(stdout);
    if (const char* pause = std::getenv("STORM_PAUSE_FILE")) {
        // The script measures the server's memory with every stream open, then lets us go on.
        std::ofstream(pause) << "ready\n";
        while (std::ifstream(pause).good()) ::usleep(100000);
    }
    Connection t;
    t.fd = connectTo(port);
    t.out = trigger.at(0).wire;
    const auto sent = Clock::now();
    flush(t);
    std::vector<double> seen;
    while (static_cast<long>(seen.size()) < ready && std::chrono::duration<double, std::milli>(Clock::now() - sent).count() < timeoutMs) {
        const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 50);
        for (int k = 0; k < n; ++k) {
            auto& c = conns[events[static_cast<std::size_t>(k)].data.u64];
            for (;;) {
                const auto got = ::recv(c.fd, buffer, sizeof buffer, 0);
                if (got <= 0) break;
                c.in.append(buffer, static_cast<std::size_t>(got));
            }
            if (!c.seen && c.in.find(event) != std::string::npos) {
                c.seen = true;
                seen.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
            }
        }
    }
    std::string answer;
    for (int tries = 0; tries < 100 && answer.find("\r\n\r\n") == std::string::npos; ++tries) {
        const auto got = ::recv(t.fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (got > 0) answer.append(buffer, static_cast<std::size_t>(got));
        else ::usleep(10000);
    }
    std::printf("trigger answered %.12s; %zu of %ld streams saw %s: ms p50 %.1f p99 %.1f max %.1f\n", answer.c_str(), seen.size(), ready, event.c_str(),
                percentile(seen, 0.5), percentile(seen, 0.99), percentile(seen, 1.0));
    return static_cast<long>(seen.size()) == ready ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    const int port = std::stoi(arg(argc, argv, "--port", "0"));
    if (!port) {
        std::cerr << "usage: anchang_storm --port P (--requests FILE [--connections N] [--window-ms MS] [--out FILE]"
                     " | --viewers N --events-path PATH --event NAME --trigger FILE [--timeout-ms MS])\n";
        return 2;
    }
    return arg(argc, argv, "--viewers", "").empty() ? storm(argc, argv, port) : viewers(argc, argv, port);
}
