// State Validate: DNSSEC validation of a classified response before it is stored, as Unbound's
// validator module sits between its iterator and its cache. What the response needs is the key
// status of each zone that signs a part of it: known (KeyCache), or learnt by child questions
// from the closest trust anchor down -- the zone's DS from the parent side (itself a response
// validated the same way, one zone higher), then its DNSKEY set checked against that DS. When
// every zone is known, validation_response.cpp judges the response and act_on_response stores
// it with its status.
#include <algorithm>
#include <chrono>

#include "resolver/engine/iterator.h"
#include "resolver/engine/validation_response.h"
#include "resolver/validator/dnskey_trust.h"

namespace tern::engine {

using validator::Reason;
using validator::Security;

namespace {

uint32_t wall_seconds(Instant now) {
  return uint32_t(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
}

const ZoneKeys& fixed_status(Security s) {
  // Verdicts that need no key set and no expiry (negative trust anchor, no anchor at all).
  static const ZoneKeys insecure{Security::Insecure, Reason::None, {}, {}};
  static const ZoneKeys indeterminate{Security::Indeterminate, Reason::None, {}, {}};
  return s == Security::Insecure ? insecure : indeterminate;
}

const wire::RRset* find_set(const std::vector<wire::RRset>& sets, const wire::Name& owner,
                            wire::RRType type) {
  for (const auto& s : sets)
    if (s.type == type && s.owner == owner) return &s;
  return nullptr;
}

}  // namespace

bool Iterator::needs_validation(const Task& t) const {
  // The client's question and the DS fetches of the chain of trust are validated; a DNSKEY fetch
  // is validated by its parent against the DS; name-server address lookups and priming only
  // find servers (the data they lead to is validated), as in Unbound.
  return engine.config_.dnssec.validation && !t.priming &&
         (t.depth == 0 || t.key_fetch == KeyFetch::Ds);
}

const ZoneKeys* Iterator::zone_keys(Task& t, const wire::Name& zone, std::optional<KeyFetch>& need) {
  const auto& cfg = engine.config_.dnssec;
  for (const auto& nta : cfg.negative_trust_anchors)
    if (zone.is_subdomain_of(nta)) return &fixed_status(Security::Insecure);
  // A forward or stub zone marked `insecure = true` (a private unsigned zone under a signed
  // parent): as a negative trust anchor, for the routes this resolution started with.
  if (res.routes && res.routes->insecure_at(zone)) return &fixed_status(Security::Insecure);
  const auto* anchor = validator::closest_trust_anchor(engine.anchors_, zone);
  if (!anchor) return &fixed_status(Security::Indeterminate);
  if (const ZoneKeys* k = engine.keys_.find(zone, now())) return k;
  if (zone == anchor->zone || (t.val_ds && t.val_ds->owner == zone))
    need = KeyFetch::Dnskey;
  else
    need = KeyFetch::Ds;
  return nullptr;
}

State Iterator::on_validate(Task& t) {
  if (!t.pending) return fail(t, Failure::Internal);
  Classified& c = *t.pending;
  for (const auto& zone : zones_needed(c, t.dp.zone)) {
    std::optional<KeyFetch> need;
    if (zone_keys(t, zone, need) || !need) continue;
    // A key fetch for the very question this task asks would wait for itself.
    const auto qtype = *need == KeyFetch::Ds ? wire::RRType::DS : wire::RRType::DNSKEY;
    bool circular = (t.key_fetch != KeyFetch::None && t.qname == zone && t.qtype == qtype) ||
                    t.depth + 1 > engine.config_.max_subquery_depth + kMaxValidationDepth;
    if (circular) {
      engine.keys_.put(zone, ZoneKeys{Security::Bogus, Reason::DnskeyMissing, {},
                                      now() + engine.config_.dnssec.bogus_ttl});
      continue;
    }
    size_t child = spawn_child(t, zone, qtype, /*priming=*/false);
    res.tasks[child]->key_fetch = *need;
    t.val_zone = zone;
    return State::WaitChild;
  }
  ResponseContext ctx{t.dp.zone, t.sent_qtype, wall_seconds(now()),
                      uint32_t(engine.config_.dnssec.bogus_ttl.count())};
  auto verdict = validate_response(
      c, ctx,
      [&](const wire::Name& zone) -> const ZoneKeys* {
        std::optional<KeyFetch> need;
        return zone_keys(t, zone, need);
      },
      res.budget);
  if (worst(t.val_security, verdict.security) != t.val_security) {
    t.val_security = verdict.security;
    t.val_reason = verdict.reason;
  }
  Classified taken = std::move(*t.pending);
  t.pending.reset();
  return act_on_response(t, taken);
}

State Iterator::on_validation_child(Task& t, Task& child) {
  const auto& cfg = engine.config_.dnssec;
  const wire::Name zone = t.val_zone;
  const auto n = now();
  auto put = [&](Security s, Reason r, wire::RRset keys, uint32_t ttl) {
    if (s == Security::Bogus) ttl = std::min<uint32_t>(ttl, uint32_t(cfg.bogus_ttl.count()));
    // A verdict must outlive the event that uses it (a TTL of 0 would send the fetch round again).
    ttl = std::max<uint32_t>(ttl, kMinKeyCacheTtl);
    engine.keys_.put(zone, ZoneKeys{s, r, std::move(keys), n + std::chrono::seconds(ttl)});
  };
  const uint32_t bogus_ttl = uint32_t(cfg.bogus_ttl.count());
  const auto& r = child.result;
  if (!t.pending) return fail(t, Failure::Internal);

  if (child.key_fetch == KeyFetch::Ds) {
    if (r.kind == TaskResult::Kind::Failed) {
      put(Security::Bogus, Reason::DnskeyMissing, {}, bogus_ttl);
    } else if (r.kind == TaskResult::Kind::Answer) {
      const wire::RRset* ds = find_set(r.answer, zone, wire::RRType::DS);
      Security s = ds ? worst(r.security, ds->security) : Security::Bogus;
      if (!ds)
        put(Security::Bogus, Reason::DnskeyMissing, {}, bogus_ttl);
      else if (s == Security::Secure)
        t.val_ds = *ds;  // next: the zone's DNSKEY set, against it
      else
        put(s, s == Security::Bogus ? r.reason : Reason::ProvenInsecure, {},
            s == Security::Bogus ? bogus_ttl : ds->ttl);
    } else {
      // No DS: with a secure denial from the parent, the delegation is provably insecure
      // (RFC 4035 §5.2); an NXDOMAIN for a zone that signed something is bogus.
      Security s = r.soa ? worst(r.security, r.soa->security) : worst(r.security, Security::Indeterminate);
      uint32_t ttl = r.soa ? r.soa->ttl : bogus_ttl;
      if (s == Security::Secure && r.kind == TaskResult::Kind::NoData)
        put(Security::Insecure, Reason::ProvenInsecure, {}, ttl);
      else if (s == Security::Secure || s == Security::Bogus)
        put(Security::Bogus, s == Security::Bogus ? r.reason : Reason::ProofInvalid, {}, bogus_ttl);
      else
        put(s, r.reason, {}, ttl);
    }
    return State::Validate;
  }

  // A DNSKEY set, checked against the DS (or the anchor).
  const wire::RRset* keys =
      r.kind == TaskResult::Kind::Answer ? find_set(r.answer, zone, wire::RRType::DNSKEY) : nullptr;
  if (!keys) {
    put(Security::Bogus, Reason::DnskeyMissing, {}, bogus_ttl);
    t.val_ds.reset();
    return State::Validate;
  }
  const wire::RRset no_sigs(zone, wire::RRType::RRSIG, keys->rclass, 0);
  const wire::RRset& sigs = keys->rrsigs ? *keys->rrsigs : no_sigs;
  const uint32_t wall = wall_seconds(n);
  validator::RrsetVerdict v;
  const auto* anchor = validator::closest_trust_anchor(engine.anchors_, zone);
  if (anchor && anchor->zone == zone && !(t.val_ds && t.val_ds->owner == zone)) {
    v = !anchor->ds.empty()
            ? validator::validate_dnskeys_with_ds(*keys, sigs, anchor->ds, wall, res.budget)
            : validator::validate_dnskeys_with_keys(*keys, sigs, anchor->dnskey, wall, res.budget);
  } else if (t.val_ds && t.val_ds->owner == zone) {
    v = validator::validate_dnskeys_with_ds(*keys, sigs, *t.val_ds, wall, res.budget);
  } else {
    v.result = validator::ValidationResult::bogus(Reason::DnskeyMissing);
  }
  t.val_ds.reset();
  if (v.result.security == Security::Secure) {
    wire::RRset trusted = *keys;
    trusted.security = Security::Secure;
    trusted.ttl = std::min(trusted.ttl, v.ttl);
    // The validated key set replaces the copy the fetch cached unvalidated.
    cache.store(trusted, cache::Trust::AnswerAuth, n);
    uint32_t ttl = trusted.ttl;
    put(Security::Secure, Reason::None, std::move(trusted), ttl);
  } else {
    put(v.result.security, v.result.reason, {},
        v.result.security == Security::Bogus ? bogus_ttl : keys->ttl);
  }
  return State::Validate;
}

}  // namespace tern::engine
