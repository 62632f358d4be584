#pragma once
/// anchang::ConnectionReactor — accepts connections, reads requests as they trickle in, keeps
/// idle keep-alive connections off the worker threads, and runs the workers that serve them.
///
/// Poco's HTTPServer gives each connection a thread for its whole life, so 10,000 buyers with
/// an open keep-alive connection would need 10,000 threads or starve everyone else. Here a
/// connection holds a worker thread only while a whole request, already read, is answered.
/// Every connection sits in one epoll set from its accept to its close, edge-triggered: the
/// kernel reports bytes as they arrive, and nobody re-arms anything after a request (with
/// EPOLLONESHOT that was a system call a request, a tenth of the storm's). The workers wait on
/// the set themselves: the one the kernel wakes takes the connection if it is parked, reads
/// what arrived without blocking (admit(): ReadAheadSocket, RequestFraming) and serves it if
/// the request is whole, or parks it again at once — a slow sender costs a worker microseconds
/// per byte, never a wait. A connection has one owner at a time (a worker, or an answer given
/// later): bytes that arrive meanwhile wake a worker who only marks the connection, and the
/// owner, parking it, finds the mark and reads again, so no byte goes unseen and no two workers
/// ever read one connection. Under a crowd a worker that finished finds the next readable
/// connection without sleeping: no thread hands a connection to another, which on these
/// paravirtualised machines cost more than parsing the request (measured in docs/perf.md, the
/// opening storm). A request must arrive within `requestTimeout` of its first byte (408
/// otherwise); an idle connection is closed after `idleTimeout`.
///
/// Only `listeners` workers (one a core) wait on the set at a time; the others are spares. With
/// all 64 waiting, every request that arrived woke a sleeping thread of its own, and the thread
/// switches cost a quarter of the storm's CPU; with a few, a worker back from a request mostly
/// finds the next one ready. Spares are for handlers that take long (an import, a face photo):
/// when nobody listens and no worker came back to listen for `spareAfter`, a sentinel calls a
/// spare in (it listens once, beyond the count if need be), and one more every `spareAfter`
/// while that lasts, so a slow handler costs the others about that much waiting, never their
/// turn. docs/http.md has the numbers.

#include "http/ReadAheadSocket.h"
#include "http/RequestFraming.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace anchang {

class ConnectionReactor {
public:
    /// Serves a connection whose bytes became readable, on a worker thread; it ends by parking
    /// the connection, closing it, or handing it to someone who keeps it (an event stream).
    using Serve = std::function<void(Poco::Net::StreamSocket&)>;

    struct Options {
        /// An idle connection is closed after this long without a request.
        std::chrono::seconds idleTimeout{75};
        /// A request, head and body, must arrive within this long of its first byte.
        std::chrono::seconds requestTimeout{10};
        /// Above this many parked connections, new connections wait in the listen backlog.
        std::size_t maxIdle = 50000;
        /// The largest request head and body; larger ones are answered without waiting for them.
        std::size_t maxHeadBytes = 64 * 1024;
        std::size_t maxBodyBytes = 1 << 20;
        /// Worker threads: requests answered at the same time, a slow handler included.
        int workers = 64;
        /// Workers waiting on the set at a time; 0 means one a core (at least two).
        int listeners = 0;
        /// How long the set may go without a listener before a spare worker takes over.
        std::chrono::microseconds spareAfter{2000};
    };

    ConnectionReactor(Poco::Net::ServerSocket listener, Serve serve, Options options);
    ~ConnectionReactor();

    /// Starts the workers, who start accepting.
    void start();
    /// Stops accepting and closes every parked connection. Connections being served are not
    /// touched; park() closes them afterwards.
    void stop();
    /// After stop(): waits for the workers to finish what they serve, and ends them.
    void join();

    /// Takes back a connection whose request was answered and that may send another, or whose
    /// next request has only partly arrived. False when bytes may have arrived unseen since the
    /// caller last read: the connection is still the caller's, to admit() again.
    [[nodiscard]] bool park(const Poco::Net::StreamSocket& socket);
    /// Takes back a connection answered away from the workers (an answer given later): parked,
    /// or when its next request is already read ahead (pipelined) or bytes came meanwhile,
    /// handed to the next worker.
    void resume(const Poco::Net::StreamSocket& socket);
    /// Lets go of a connection for good while it lives on (an event stream took it over): it
    /// leaves the set, and its bytes are its new owner's business.
    void release(const Poco::Net::StreamSocket& socket);

    /// What a worker may do with a connection that became readable.
    enum class Admission {
        Serve,  ///< a whole request is there
        Wait,   ///< more is to come: park it
        Closed, ///< the peer left, or its request was refused (431, 400) and the connection closed
    };
    /// Reads what arrived, without blocking, and frames it; answers "100 Continue" to a client
    /// that waits for it and refuses a head too large or framing nobody can read.
    /// `framing` is left as the bytes read ahead now frame, for the caller to serve by.
    Admission admit(Poco::Net::StreamSocket& socket, RequestFraming::Result& framing) const;
    /// Whether bytes framed so hold a request to serve: whole, or too large to wait for.
    static bool servable(const RequestFraming::Result& framing);
    /// Whether the bytes already read hold a whole request (no read).
    bool ready(const Poco::Net::StreamSocket& socket) const;
    /// Whether some worker waits for work: then no readable connection waits for a worker.
    bool workerWaiting() const { return listenersNow_.load(std::memory_order_relaxed) > 0; }

    std::size_t idle() const { return parked_.load(); }
    std::uint64_t accepted() const { return accepted_.load(); }
    /// Requests answered 408 because they did not arrive in time.
    std::uint64_t timedOut() const { return timedOut_.load(); }
    int workers() const { return options_.workers; }
    int listeners() const { return listenerCap_; }
    /// Times a spare was called in because every listener was busy (a slow handler, or a crowd).
    std::uint64_t sparesCalled() const { return sparesCalled_.load(); }
    /// Connections a worker is serving now.
    int busy() const { return busy_.load(); }

private:
    using Clock = std::chrono::steady_clock;
    /// A connection in the set, by descriptor. Its socket is held here only while it is parked;
    /// while someone serves it the entry only says so, and one whose owner closed it stays until
    /// its descriptor is accepted again (the set forgot it at the close).
    struct Entry {
        Poco::Net::StreamSocket socket;
        Clock::time_point since;
        /// Which accept this is: an event read just before a close must not take the connection
        /// that reuses the descriptor. In the event's data beside the descriptor.
        std::uint32_t generation = 0;
        bool parked = false;
        /// Bytes arrived while it was not parked: its owner must read again before parking it.
        bool missed = false;
    };
    void work();
    /// Waits on the set for one event (at most a second) and handles it.
    void listen();
    /// Waits until the sentinel calls this spare in; false when the reactor stops instead.
    bool waitAsSpare();
    /// Calls a spare in when no worker has listened for `spareAfter`.
    void watch();
    void acceptAll();
    /// Arms the listener for its next wake-up, unless too many connections are parked.
    void armListener();
    void sweep(Clock::time_point now);
    /// Takes the connection an event was for, if it is parked; marks it if someone holds it.
    std::optional<Poco::Net::StreamSocket> take(int fd, std::uint32_t generation);
    /// The next connection with work waiting (from a batch of events, or resume()), if any.
    std::optional<Poco::Net::StreamSocket> takeReady();
    /// Queues connections with work waiting, for whichever worker is free first.
    void addReady(std::vector<Poco::Net::StreamSocket>& sockets);
    /// Wakes a worker waiting on the set to look at the ready connections.
    void ring();
    /// Parks the connection (under mutex_), unless bytes may be waiting: false then, and the
    /// entry stays its holder's.
    bool parkLocked(const Poco::Net::StreamSocket& socket);
    void serve(Poco::Net::StreamSocket& stream);
    /// The reactor's own short answer, then the connection is closed.
    static void refuse(Poco::Net::StreamSocket& socket, int status, const char* reason, const char* code, const char* message);
    std::size_t fillLimit() const { return options_.maxHeadBytes + options_.maxBodyBytes + 65536; }

    Poco::Net::ServerSocket listener_;
    Serve serve_;
    Options options_;
    int epoll_ = -1;
    /// Readable for good once stop() wrote to it: it wakes every worker.
    int stopEvent_ = -1;
    /// The doorbell: readable once rung, until a worker it woke reads it, who then looks at
    /// the ready connections (level-triggered in the set).
    int doorbell_ = -1;
    std::mutex mutex_;
    std::unordered_map<int, Entry> connections_; ///< by descriptor
    std::atomic<std::size_t> parked_{0}; ///< changed under mutex_, read by idle() without it
    /// Connections taken for their events (beyond the first of a batch) or handed back by
    /// resume(), held by the reactor until a worker serves them: the first worker free.
    std::deque<Poco::Net::StreamSocket> ready_;
    std::atomic<std::size_t> readyCount_{0}; ///< ready_.size(), for a look without the lock
    std::atomic<std::uint64_t> readyTaken_{0}; ///< the sentinel's sign that the ready are being served
    std::uint32_t generations_ = 0;
    bool listening_ = true;
    std::atomic<std::uint64_t> accepted_{0};
    std::atomic<std::uint64_t> timedOut_{0};
    int listenerCap_ = 2;
    std::atomic<int> listenersNow_{0}; ///< workers waiting on the set now
    std::atomic<int> busy_{0};
    /// The spares and the sentinel wait on this; `called_` spares may go and listen.
    std::mutex spareMutex_;
    std::condition_variable spareWake_, sentinelWake_;
    int spares_ = 0;
    int called_ = 0;
    /// The sentinel waits without a deadline while some worker listens and no connection waits
    /// as ready; a worker that takes the last listener's place, or leaves connections ready,
    /// wakes it then (and only then: this flag says it sleeps).
    std::atomic<bool> sentinelIdle_{false};
    std::atomic<std::uint64_t> sparesCalled_{0};
    std::atomic<std::uint64_t> listens_{0}; ///< times a worker came back for work: the sentinel's sign of life
    bool watched_ = false; ///< a sentinel runs (set before the workers start)
    std::thread sentinel_;
    std::atomic<std::int64_t> nextSweep_{0};
    std::atomic<bool> stopping_{false};
    std::vector<std::thread> threads_;
};

} // namespace anchang
