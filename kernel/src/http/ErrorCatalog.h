#pragma once
/// anchang::ErrorCatalog — the kernel's own error messages in zh-CN and English.
///
/// Plugins word their errors in the request's language themselves; the web UI translates the
/// codes it knows. This catalog covers the codes the kernel answers with, so an API client that
/// sends Accept-Language gets a readable message without the UI.

#include <string>

namespace anchang {

class ErrorCatalog {
public:
    /// The message for `code` in `lang`, or `fallback` when the catalog does not know the code.
    static std::string text(const std::string& code, const std::string& lang, const std::string& fallback);
};

} // namespace anchang
