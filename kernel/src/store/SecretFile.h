#pragma once
/// anchang::SecretFile — a secret the kernel keeps in its data folder, beside the database and
/// never in it: the token key, the audit key, the audit signing key. A stolen database (a backup
/// copy, a leaked file) then holds none of them, so it cannot mint tokens or rewrite the audit
/// log without being caught.

#include <functional>
#include <string>

namespace anchang {

class SecretFile {
public:
    /// The file's content; when the file is missing or shorter than `minimumBytes`, it is
    /// created (mode 0600) with what `make` returns. Throws std::runtime_error when it cannot be written.
    static std::string loadOrCreate(const std::string& path, std::size_t minimumBytes, const std::function<std::string()>& make);
    /// `bytes` random bytes, for a new key.
    static std::string randomBytes(std::size_t bytes);
};

} // namespace anchang
