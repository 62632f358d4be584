#include "http/HttpConnection.h"

#include "http/HttpServer.h"

namespace anchang {

void HttpConnection::run() { server_.serve(socket()); }

} // namespace anchang
