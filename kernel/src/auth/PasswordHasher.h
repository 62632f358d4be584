#pragma once
/// anchang::PasswordHasher — argon2id password hashes (libargon2).
///
/// Parameters follow OWASP's recommendation for argon2id (19 MiB, 2 passes, 1 lane): about
/// 20-40 ms on this class of machine, cheap for a login, expensive for a guesser. The encoded
/// form carries its own parameters, so raising them later keeps old hashes verifiable.

#include <string>

namespace anchang {

class PasswordHasher {
public:
    struct Cost {
        unsigned passes = 2;
        unsigned memoryKiB = 19456;
        unsigned lanes = 1;
    };

    PasswordHasher() : PasswordHasher(Cost{}) {}
    explicit PasswordHasher(Cost cost) : cost_(cost) {}

    /// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"
    std::string hash(const std::string& password) const;
    bool verify(const std::string& encoded, const std::string& password) const;

    /// Our minimum: 8 characters. Returns the problem, or "" when acceptable.
    static std::string weakness(const std::string& password);

private:
    Cost cost_;
};

} // namespace anchang
