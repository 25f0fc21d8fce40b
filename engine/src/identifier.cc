#include "smematch/identifier.h"

#include <string>

namespace smematch {

int IdentifierCheckDigit(std::string_view digits) {
  int sum = 0;
  for (int i = 0; i < 12; ++i) sum += (digits[i] - '0') * (13 - i);  // weights 13..2
  return (11 - sum % 11) % 10;
}

Status ValidateIdentifier(std::string_view id) {
  if (id.size() != 13) {
    return InvalidArgumentError("expected 13 digits, got " + std::to_string(id.size()) +
                                " characters");
  }
  for (char c : id) {
    if (c < '0' || c > '9') {
      return InvalidArgumentError("expected 13 digits, found '" + std::string(1, c) + "'");
    }
  }
  if (id[0] == '9') return InvalidArgumentError("no Thai identifier starts with 9");
  int check = IdentifierCheckDigit(id);
  if (check != id[12] - '0') {
    return InvalidArgumentError("check digit is " + std::string(1, id[12]) + ", expected " +
                                std::to_string(check));
  }
  return Status::Ok();
}

IdentifierKind ClassifyIdentifier(std::string_view id) {
  if (id.substr(0, 3) == "099") return IdentifierKind::kRevenueDept;
  if (id[0] == '0') return IdentifierKind::kJuristicPerson;
  return IdentifierKind::kNationalId;
}

}  // namespace smematch
