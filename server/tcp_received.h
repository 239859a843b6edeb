// The bytes a TCP connection has received so far, from the kernel (TCP_INFO's
// tcpi_bytes_received, Linux 4.1+). Apart from connection_guard.cc because
// <linux/tcp.h>, which has the field, clashes with glibc's <netinet/tcp.h>,
// which httplib includes.
#ifndef SAREA_SERVER_TCP_RECEIVED_H_
#define SAREA_SERVER_TCP_RECEIVED_H_

namespace sarea::server {

// -1 when `fd` is not a TCP socket or the kernel does not say.
long long TcpBytesReceived(int fd);

}  // namespace sarea::server

#endif  // SAREA_SERVER_TCP_RECEIVED_H_
