#pragma once
/// anchang::RequestFraming — whether the bytes read so far hold one whole HTTP/1.x request.
///
/// The reactor asks this before it gives a connection to a worker, and the worker asks it
/// before it reads the next request on a kept-alive connection: a worker must never wait on a
/// client. What is called complete here is what the parser after it (BufferedRequest, or
/// Poco's for a chunked body) reads without blocking, and with the same length: the head ends
/// at the first empty line (CRLF or LF); `Transfer-Encoding: chunked` frames the body in chunks
/// up to a zero-size one and its trailers; otherwise `Content-Length` gives its size; without
/// either a request has no body. Whatever two parsers could read differently (a bare CR, a
/// folded line, whitespace before a colon, any other transfer coding, both headers) is
/// Malformed: a request must not be able to hide another inside it.

#include <cstddef>
#include <string_view>

namespace anchang {

class RequestFraming {
public:
    enum class State {
        Incomplete,    ///< more bytes are needed
        Complete,      ///< `length` bytes make the request
        Oversized,     ///< the body is larger than allowed: a worker answers 413 without waiting
                       ///< (a declared length is refused unread; a chunked body once more than
                       ///< the limit has arrived)
        HeadTooLarge,  ///< no end of the head within the limit: the reactor answers 431
        Malformed,     ///< framing nobody can read: the reactor answers 400
    };
    struct Result {
        State state = State::Incomplete;
        std::size_t length = 0;      ///< the request's bytes, when Complete
        bool headComplete = false;
        bool expectContinue = false; ///< the head asks for "100 Continue" before the body
        std::size_t headLength = 0;  ///< where the body starts, when the head is complete
        bool chunked = false;        ///< the body comes in chunks
    };

    static Result scan(std::string_view data, std::size_t maxHead, std::size_t maxBody);
};

} // namespace anchang
