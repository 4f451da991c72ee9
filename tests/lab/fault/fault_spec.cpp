#include "fault_spec.h"

#include <charconv>
#include <set>
#include <utility>

namespace tern::lab {
namespace {

constexpr std::pair<Behaviour, std::string_view> kNames[] = {
    {Behaviour::Normal, "normal"},
    {Behaviour::Silence, "silence"},
    {Behaviour::Delay, "delay"},
    {Behaviour::Tc, "tc"},
    {Behaviour::WrongId, "wrong-id"},
    {Behaviour::WrongQuestion, "wrong-question"},
    {Behaviour::OtherPort, "other-port"},
    {Behaviour::Poison, "poison"},
    {Behaviour::FormerrEdns, "formerr-edns"},
    {Behaviour::ServFail, "servfail"},
    {Behaviour::Refused, "refused"},
    {Behaviour::Malformed, "malformed"},
    {Behaviour::NoAa, "noaa"},
    {Behaviour::Nxns, "nxns"},
    {Behaviour::ReferralLoop, "referral-loop"},
    {Behaviour::UpwardReferral, "upward-referral"},
    {Behaviour::RefuseMarked, "refuse-marked"},
};

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

template <class T>
std::optional<T> number(std::string_view text, T max) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v > max) return std::nullopt;
  return T(v);
}

// Applies one key=value; returns an error message or empty.
std::string apply_option(FaultSpec& spec, std::string_view key, std::string_view value) {
  auto need_ip = [&](Ipv4& out) -> std::string {
    auto ip = ipv4_from_text(value);
    if (!ip) return "bad IPv4 address in " + std::string(key);
    out = *ip;
    return {};
  };
  auto need_name = [&](wire::Name& out) -> std::string {
    auto n = wire::Name::from_text(value);
    if (!n) return "bad name in " + std::string(key);
    out = *n;
    return {};
  };
  if (key == "ms") {
    auto v = number<uint32_t>(value, 60000);
    if (!v) return "ms must be 0..60000";
    spec.delay_ms = *v;
    return {};
  }
  if (key == "port") {
    auto v = number<uint16_t>(value, 65535);
    if (!v || *v == 0 || *v == 53) return "port must be 1..65535 and not 53";
    spec.other_port = *v;
    return {};
  }
  if (key == "count") {
    auto v = number<uint32_t>(value, 200);
    if (!v || *v == 0) return "count must be 1..200";
    spec.count = *v;
    return {};
  }
  if (key == "bogus") return need_ip(spec.bogus);
  if (key == "peer") return need_ip(spec.peer);
  if (key == "victim") return need_name(spec.victim);
  if (key == "target") return need_name(spec.target);
  if (key == "parent") return need_name(spec.parent);
  return "unknown key " + std::string(key);
}

// What each behaviour cannot do without.
std::string check_required(const FaultSpec& s) {
  switch (s.behaviour) {
    case Behaviour::OtherPort:
      return s.other_port ? "" : "other-port needs port=";
    case Behaviour::Nxns:
      return s.count && !s.target.is_root() ? "" : "nxns needs count= and target=";
    case Behaviour::ReferralLoop:
      return s.peer[0] ? "" : "referral-loop needs peer=";
    case Behaviour::UpwardReferral:
      return s.peer[0] && !s.parent.is_root() ? "" : "upward-referral needs parent= and peer=";
    case Behaviour::Poison:
      return !s.victim.is_root() && s.bogus[0] ? "" : "poison needs victim= and bogus=";
    default:
      return {};
  }
}

}  // namespace

std::optional<Behaviour> behaviour_from_text(std::string_view text) {
  for (auto [b, name] : kNames)
    if (name == text) return b;
  return std::nullopt;
}

std::string_view behaviour_to_text(Behaviour b) {
  for (auto [k, name] : kNames)
    if (k == b) return name;
  return "?";
}

std::optional<Ipv4> ipv4_from_text(std::string_view text) {
  Ipv4 out{};
  size_t part = 0, start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '.') continue;
    if (part == 4) return std::nullopt;
    auto v = number<uint8_t>(text.substr(start, i - start), 255);
    if (!v || i == start) return std::nullopt;
    out[part++] = *v;
    start = i + 1;
  }
  if (part != 4) return std::nullopt;
  return out;
}

Result<std::vector<FaultSpec>, ConfigError> parse_fault_config(std::string_view text) {
  std::vector<FaultSpec> specs;
  std::set<Ipv4> seen;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    auto words = split_words(line);
    if (words.empty() || words[0].front() == '#') continue;
    auto err = [&](std::string msg) { return fail(ConfigError{line_no, std::move(msg)}); };
    if (words.size() < 4) return err("expected: address behaviour zone answer-address [key=value ...]");
    FaultSpec spec;
    spec.address_text = std::string(words[0]);
    auto ip = ipv4_from_text(words[0]);
    if (!ip) return err("bad address " + spec.address_text);
    if ((*ip)[0] != 127) return err(spec.address_text + " is outside 127.0.0.0/8: refused");
    if (!seen.insert(*ip).second) return err(spec.address_text + " listed twice");
    spec.address = *ip;
    auto b = behaviour_from_text(words[1]);
    if (!b) return err("unknown behaviour " + std::string(words[1]));
    spec.behaviour = *b;
    auto zone = wire::Name::from_text(words[2]);
    if (!zone) return err("bad zone name " + std::string(words[2]));
    spec.zone = *zone;
    auto answer = ipv4_from_text(words[3]);
    if (!answer) return err("bad answer address " + std::string(words[3]));
    spec.answer = *answer;
    for (size_t i = 4; i < words.size(); ++i) {
      size_t eq = words[i].find('=');
      if (eq == std::string_view::npos) return err("expected key=value, got " + std::string(words[i]));
      std::string problem = apply_option(spec, words[i].substr(0, eq), words[i].substr(eq + 1));
      if (!problem.empty()) return err(problem);
    }
    if (std::string problem = check_required(spec); !problem.empty()) return err(problem);
    specs.push_back(std::move(spec));
  }
  return specs;
}

}  // namespace tern::lab
