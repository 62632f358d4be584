#pragma once
/// Who did it: the signed-in user behind a request, for the audit log and receipts.

#include <cstdint>
#include <string>

namespace anchang::face {

struct Actor {
    std::int64_t id = 0;
    std::string name;
};

}  // namespace anchang::face
