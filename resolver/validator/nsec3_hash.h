// NSEC3 owner-name hashing (RFC 5155 §5): iterated SHA-1 over the canonical name and the salt.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "resolver/validator/validation_budget.h"
#include "wire/name.h"

namespace tern::validator {

using Nsec3Hash = std::array<uint8_t, 20>;  // SHA-1

// IH(salt, name, iterations). One call costs one unit of the budget whatever the iteration count
// (iterations are bounded by kMaxNsec3Iterations before any hashing). nullopt when the budget is
// spent or the algorithm is not SHA-1.
std::optional<Nsec3Hash> nsec3_hash(const wire::Name& name, uint8_t algorithm, uint16_t iterations,
                                    std::span<const uint8_t> salt, ValidationBudget& budget);

}  // namespace tern::validator
