// Response corking: a /v1/screen answer leaves as one TCP segment instead of two.
//
// cpp-httplib (0.11) writes a response with two send() calls, the status line and headers and
// then the body, and the server sets TCP_NODELAY (without it, Nagle's algorithm would hold the
// body back until the client's delayed ACK, up to 40 ms). So every answer went out as two
// segments: the client woke up twice for it and both ends ran the TCP stack twice. Measured
// under wrk on loopback (docs/performance.md, "HTTP service"), the load generator spent ~4 µs
// less per answer with one segment.
//
// CorkResponse() sets TCP_CORK on the socket of the request's connection; UncorkResponse(),
// called from httplib's logger, which runs after the response is written, clears it, and the
// kernel sends what it holds at once, as one segment. httplib does not hand handlers the
// socket, so it is found by the client's address and port, which identify the connection among
// those of the server's one listening socket: searched once per keep-alive connection, from its
// second request on (a connection that carries a single request never pays the search), and
// checked with getpeername() on every request. Where it is not found, nothing is corked.
// Per thread; httplib serves a connection on one thread from its first request to its last.
#ifndef SMEMATCH_SERVER_RESPONSE_CORK_H_
#define SMEMATCH_SERVER_RESPONSE_CORK_H_

#include <string>

namespace smematch::server {

// Corks the socket of the connection that `remote_addr`:`remote_port` (the httplib::Request's)
// came on, in the calling thread.
void CorkResponse(const std::string& remote_addr, int remote_port);
// Uncorks the socket corked by this thread, if any: what it holds is sent now.
void UncorkResponse();

}  // namespace smematch::server

#endif  // SMEMATCH_SERVER_RESPONSE_CORK_H_
