// tern_ares_query ADDRESS PORT QNAME QTYPE [edns]: asks through c-ares (which retries over TCP on
// TC) and prints the raw response in hex on one line, or "TIMEOUT" / "ERROR <c-ares status>".
// The e2e scripts parse the bytes themselves, so c-ares is checked as a client, not trusted as a
// parser.
#include <ares.h>
#include <arpa/nameser.h>
#include <sys/select.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Result {
  bool done = false;
  int status = 0;
  std::vector<unsigned char> bytes;
};

int type_code(const char* text) {
  struct {
    const char* name;
    int code;
  } types[] = {
      {"A", 1}, {"NS", 2}, {"CNAME", 5}, {"SOA", 6}, {"PTR", 12}, {"HINFO", 13}, {"MX", 15},
      {"TXT", 16}, {"AAAA", 28}, {"SRV", 33}, {"DNAME", 39}, {"CAA", 257}, {"ANY", 255}};
  for (auto& t : types)
    if (std::strcmp(t.name, text) == 0) return t.code;
  return std::atoi(text);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: tern_ares_query ADDRESS PORT QNAME QTYPE [edns]\n");
    return 2;
  }
  ares_library_init(ARES_LIB_INIT_ALL);
  ares_channel ch;
  ares_options opts{};
  opts.timeout = 6000;
  opts.tries = 1;
  // NOCHECKRESP: hand SERVFAIL/REFUSED answers to us instead of treating the server as failed.
  opts.flags = ARES_FLAG_NOCHECKRESP;
  int optmask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS;
  if (argc > 5 && std::strcmp(argv[5], "edns") == 0) {
    opts.flags |= ARES_FLAG_EDNS;
    opts.ednspsz = 1232;
    optmask |= ARES_OPT_EDNSPSZ;
  }
  if (ares_init_options(&ch, &opts, optmask) != ARES_SUCCESS) return 2;
  std::string servers = std::string(argv[1]) + ":" + argv[2];
  if (ares_set_servers_ports_csv(ch, servers.c_str()) != ARES_SUCCESS) return 2;
  Result r;
  ares_query(ch, argv[3], ns_c_in, type_code(argv[4]),
             [](void* arg, int status, int, unsigned char* abuf, int alen) {
               auto* res = static_cast<Result*>(arg);
               res->done = true;
               res->status = status;
               if (abuf && alen > 0) res->bytes.assign(abuf, abuf + alen);
             },
             &r);
  for (;;) {
    fd_set rfds, wfds;
    FD_ZERO(&rfds);
    FD_ZERO(&wfds);
    int nfds = ares_fds(ch, &rfds, &wfds);
    if (nfds == 0) break;
    timeval tv, *tvp = ares_timeout(ch, nullptr, &tv);
    select(nfds, &rfds, &wfds, nullptr, tvp);
    ares_process(ch, &rfds, &wfds);
  }
  ares_destroy(ch);
  ares_library_cleanup();
  if (!r.bytes.empty()) {
    for (unsigned char b : r.bytes) std::printf("%02x", b);
    std::printf("\n");
    return 0;
  }
  if (r.status == ARES_ETIMEOUT) {
    std::printf("TIMEOUT\n");
    return 0;
  }
  std::printf("ERROR %s\n", ares_strerror(r.status));
  return 0;
}
