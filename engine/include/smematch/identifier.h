// Thai 13-digit identifiers: national ID of persons and DBD juristic person numbers share one
// mod-11 check digit (FACTS.md §3, after python-stdnum th/pin.py and th/moa.py). Thread-safe.
#ifndef SMEMATCH_IDENTIFIER_H_
#define SMEMATCH_IDENTIFIER_H_

#include <string_view>

#include "smematch/status.h"

namespace smematch {

enum class IdentifierKind {
  kJuristicPerson,   // starts with 0, DBD juristic person number
  kRevenueDept,      // starts with 099: issued by the Revenue Department to other entities
  kNationalId,       // starts with 1–8: a natural person's national ID
};

// Returns the check digit (0–9) for the first 12 digits of `digits`:
// S = Σ d_i·(14−i), check = (11 − S mod 11) mod 10. `digits` must hold ≥ 12 ASCII digits.
int IdentifierCheckDigit(std::string_view digits);

// Validates a 13-digit identifier. Returns kInvalidArgument naming the problem (length,
// non-digit, leading 9, wrong check digit with the expected one).
Status ValidateIdentifier(std::string_view id);

// Returns the kind of a valid identifier. Precondition: ValidateIdentifier(id).ok().
IdentifierKind ClassifyIdentifier(std::string_view id);

}  // namespace smematch

#endif  // SMEMATCH_IDENTIFIER_H_
