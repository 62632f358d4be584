// The HTTP entry: whatever bytes a client sends are framed (RequestFraming) and, once whole,
// parsed (BufferedRequest) or refused, never crash; and no request is read with a body other
// than the one framed — neither by our parser nor by Poco's — which is what would let a
// request hide another inside it (request smuggling).
#include "http/BufferedRequest.h"
#include "http/BufferedResponse.h"
#include "http/RequestFraming.h"

#include <Poco/MemoryStream.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

/// One loopback connection for the whole run: the parser asks the socket for its addresses.
struct Loopback {
    Poco::Net::ServerSocket listener{Poco::Net::SocketAddress("127.0.0.1", 0)};
    Poco::Net::StreamSocket client{listener.address()};
    Poco::Net::StreamSocket server{listener.acceptConnection()};
    Poco::Net::HTTPServerParams::Ptr params{new Poco::Net::HTTPServerParams};
};

/// The body's length as `request` reads it: -1 for chunked.
std::int64_t bodyLength(const Poco::Net::HTTPRequest& request) {
    if (request.getChunkedTransferEncoding()) return -1;
    return request.hasContentLength() ? request.getContentLength64() : 0;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Loopback loopback;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto framing = anchang::RequestFraming::scan(bytes, 4096, 1024);
    if (framing.state != anchang::RequestFraming::State::Complete) return 0;
    if (framing.length > bytes.size() || framing.headLength > framing.length) std::abort();
    const std::int64_t framed = framing.chunked ? -1 : static_cast<std::int64_t>(framing.length - framing.headLength);
    const std::string_view head = bytes.substr(0, framing.headLength);
    // Ours, on the path every whole request without chunks takes.
    if (!framing.chunked) {
        anchang::BufferedResponse response(loopback.server);
        try {
            anchang::BufferedRequest request(head, bytes.substr(framing.headLength, framing.length - framing.headLength), response,
                                             loopback.server, *loopback.params);
            if (bodyLength(request) != framed) std::abort();
        } catch (const Poco::Net::MessageException&) {
        }
    }
    // Poco's, on the path chunked bodies take: when it reads the head at all, it must read the
    // body the same way.
    try {
        Poco::MemoryInputStream in(head.data(), head.size());
        Poco::Net::HTTPRequest request;
        request.read(in);
        if (bodyLength(request) != framed) std::abort();
    } catch (const Poco::Exception&) {
    }
    return 0;
}
