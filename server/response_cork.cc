#include "response_cork.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace smematch::server {
namespace {

// The connection this thread served last, and its socket once found.
struct Connection {
  std::string remote_addr;
  int remote_port = -1;
  int requests = 0;                // seen on it so far
  int fd = -1;                     // -1: not searched yet; -2: searched, not found
  int family = AF_UNSPEC;          // remote_addr parsed (AF_INET, AF_INET6), once per connection
  unsigned char address[16] = {};  // in network order
};

thread_local Connection tl_connection;
thread_local int tl_corked = -1;

// Whether `fd` is a TCP socket connected to the address and port of `c`.
bool PeerIs(int fd, const Connection& c) {
  sockaddr_storage peer{};
  socklen_t size = sizeof peer;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &size) != 0) return false;
  if (peer.ss_family != c.family) return false;
  if (peer.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&peer);
    return ntohs(in->sin_port) == c.remote_port && std::memcmp(&in->sin_addr, c.address, 4) == 0;
  }
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&peer);
  return ntohs(in6->sin6_port) == c.remote_port && std::memcmp(&in6->sin6_addr, c.address, 16) == 0;
}

// The socket connected to the address and port of `c`, or -1. Looks at the descriptors below the
// soft limit (at most 65,536): a few dozen system calls on a server with a few dozen connections.
int FindSocket(const Connection& c) {
  rlimit limit{};
  int top = 1024;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    top = static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 65536));
  }
  for (int fd = 3; fd < top; ++fd) {
    if (PeerIs(fd, c)) return fd;
  }
  return -1;
}

}  // namespace

void CorkResponse(const std::string& remote_addr, int remote_port) {
  Connection& c = tl_connection;
  if (c.remote_port != remote_port || c.remote_addr != remote_addr) {
    c.remote_addr = remote_addr;
    c.remote_port = remote_port;
    c.requests = 0;
    c.fd = -1;
    c.family = inet_pton(AF_INET, remote_addr.c_str(), c.address) == 1    ? AF_INET
               : inet_pton(AF_INET6, remote_addr.c_str(), c.address) == 1 ? AF_INET6
                                                                          : AF_UNSPEC;
    if (c.family == AF_UNSPEC) c.fd = -2;  // not an address we can compare: never corked
  }
  if (++c.requests < 2 || c.fd == -2) return;
  if (c.fd >= 0 && !PeerIs(c.fd, c)) c.fd = -1;
  if (c.fd == -1) {
    c.fd = FindSocket(c);
    if (c.fd < 0) {
      c.fd = -2;
      return;
    }
  }
  int on = 1;
  if (setsockopt(c.fd, IPPROTO_TCP, TCP_CORK, &on, sizeof on) == 0) tl_corked = c.fd;
}

void UncorkResponse() {
  if (tl_corked < 0) return;
  int off = 0;
  setsockopt(tl_corked, IPPROTO_TCP, TCP_CORK, &off, sizeof off);
  tl_corked = -1;
}

}  // namespace smematch::server
