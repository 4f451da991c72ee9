// The state of one resolution: the explicit state enum the iterator dispatches on, the tasks
// (the client's question and its child questions) and the per-client-query budget.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "resolver/engine/delegation.h"
#include "resolver/engine/engine.h"
#include "resolver/engine/failure.h"
#include "resolver/engine/response_classifier.h"
#include "resolver/validator/security_status.h"
#include "resolver/validator/validation_budget.h"
#include "resolver/engine/trace.h"
#include "resolver/engine/world.h"
#include "resolver/engine/zone_routes.h"
#include "wire/name.h"
#include "wire/rrset.h"

namespace tern::engine {

// One handler per state, in iterator_*.cpp. Handlers return the next state; the wait states hand
// control back to the event loop until a callback moves the task on.
enum class State : uint8_t {
  Init,            // iterator_cache.cpp: answer (or a CNAME to follow) from the cache?
  FindDelegation,  // iterator_delegation.cpp: closest enclosing zone cut with NS in the cache
  Prime,           // iterator_delegation.cpp: no root NS set: child query ". NS" to the hints
  SelectServer,    // iterator_select.cpp: best untried address, or a glueless child query
  SendQuery,       // iterator_send.cpp: build (maybe minimised) query, hand it to the transport
  WaitResponse,    // (wait) a query is with the transport
  HandleResponse,  // iterator_response.cpp: validate, classify, act
  Validate,        // iterator_validate.cpp: DNSSEC: fetch the keys the response needs, verify it
  WaitChild,       // (wait) a child task is running
  Finished,        // result is set; the parent (or the engine) takes it
};
std::string_view to_string(State s);

struct TaskResult {
  enum class Kind : uint8_t { Answer, NxDomain, NoData, YxDomain, Failed } kind = Kind::Failed;
  std::vector<wire::RRset> answer;  // CNAME/DNAME chain, then the final RRsets
  std::optional<wire::RRset> soa;   // negative answers
  std::optional<wire::RRset> zone_ns;  // negative answers: the zone's NS set, shown beside the SOA
  Failure failure = Failure::Internal;
  // DNSSEC: the NSEC/NSEC3 records that prove a denial or a wildcard answer (for DO clients), and
  // the worst status of every response this task validated (the RRsets carry their own too).
  std::vector<wire::RRset> proof;
  validator::Security security = validator::Security::Secure;
  validator::Reason reason = validator::Reason::None;
  wire::Name failed_zone;                // Failed: the zone being asked (FailureInfo)
  std::optional<Address> failed_server;  // Failed: the last server this task asked
};

// Why a task exists, for the validation step: an ordinary question, or a key fetch for the
// validation of its parent (whose on_validation_child takes the result).
enum class KeyFetch : uint8_t { None, Ds, Dnskey };

struct Task {
  size_t index = 0;                   // in Resolution::tasks
  std::optional<size_t> parent;       // index of the parent task
  uint32_t depth = 0;                 // 0 = the client's question
  State state = State::Init;
  bool priming = false;               // ". NS" to the root hints
  bool skip_cache_answer = false;     // prefetch: no name of the chain is answered from the cache
  bool cache_walked = false;          // Engine::resolve just walked the cache for qname: a miss,
                                      // no chain; Init goes straight on to the ancestors

  wire::Name qname;                   // current name (moves along a CNAME chain)
  wire::RRType qtype = wire::RRType::A;
  wire::RRClass qclass = wire::RRClass::IN;
  std::vector<wire::RRset> chain;     // CNAME/DNAME records followed so far
  std::vector<wire::Name> visited;    // names of the chain, for loop detection
  uint32_t cname_hops = 0;

  Delegation dp;
  bool have_dp = false;

  // Forward and stub zones (iterator_routes.cpp). A forward-first zone whose forwarders all
  // failed for this task: iterate instead (children inherit it, so they do not retry them).
  std::optional<wire::Name> forward_failed;
  bool stub_prime = false;   // this task asks a stub zone's servers for its NS set (prime = true)
  bool stub_primed = false;  // this task's stub zone was primed (or priming failed): do not again

  // QNAME minimisation (RFC 9156): labels of qname exposed to dp.zone's servers so far.
  bool minimise = false;
  size_t minimise_labels = 0;
  uint32_t minimise_queries = 0;

  // The query in flight (or last sent).
  Address server;
  Protocol protocol = Protocol::Udp;
  bool edns = true;
  uint16_t query_id = 0;
  wire::Name sent_qname;
  wire::RRType sent_qtype = wire::RRType::A;
  MonoInstant sent_at{};
  uint32_t sent_exponent = 0;  // the server's counted timeouts when sent (record_timeout)
  uint64_t send_seq = 0;  // ignores callbacks for queries this task no longer waits for
  std::optional<TransportResult> response;

  // Addresses of this task's own name seen as glue in a referral on the way (the parent side of
  // a name server's address). A glueless lookup hands them to its parent as a last resort, after
  // the child side's own answer (Unbound's parent-side addresses).
  std::vector<wire::RRset> parent_side_glue;

  // The child query this task waits for.
  std::optional<size_t> child;
  wire::Name child_ns;  // the NS name the child resolves

  // DNSSEC validation (iterator_validate.cpp). `pending`: the classified response waiting for
  // its keys; `key_fetch`: what this task fetches for its parent; `val_zone`: the zone whose keys
  // the child in flight fetches; `val_ds`: that zone's verified DS set, once known.
  std::optional<Classified> pending;
  KeyFetch key_fetch = KeyFetch::None;
  wire::Name val_zone;
  std::optional<wire::RRset> val_ds;
  validator::Security val_security = validator::Security::Secure;
  validator::Reason val_reason = validator::Reason::None;

  TaskResult result;
};

// A client waiting for a resolution: when it asked and, for the wait limit, who.
struct Waiter {
  Engine::Done done;
  MonoInstant since{};
  std::optional<Address> client;  // port 0
  bool started_it = false;         // the question that started the resolution (never discarded)
};

struct Resolution {
  uint64_t id = 0;
  Query query;
  std::vector<Waiter> waiters;
  MonoInstant started{};   // monotonic: an NTP step neither fails nor stretches it
  MonoInstant deadline{};
  uint32_t upstream_queries = 0;
  uint32_t referrals = 0;
  bool primed = false;   // priming ran in this resolution (it is not repeated)
  // What priming learned, used when the cache cannot hold it (TTL 0, eviction).
  std::optional<wire::RRset> root_ns;
  std::vector<wire::RRset> root_addrs;
  bool prefetch = false;
  bool finished = false;
  ZoneRoutesPtr routes;  // forward/stub zones as they were when the resolution started
  // KeyTrap / NSEC3 budget for every validation of this client question (validation_budget.h).
  validator::ValidationBudget budget;
  TraceSink* trace = nullptr;  // Engine::trace: every step is reported here (trace.h)
  std::vector<std::unique_ptr<Task>> tasks;  // tasks[0] answers the client
};

}  // namespace tern::engine
