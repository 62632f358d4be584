#pragma once
/// anchang::kernelContracts — the kernel's own bus services with their request and reply
/// schemas (kernel/contracts.json, embedded at build time by cmake/EmbedContracts.cmake).

namespace anchang {

/// The JSON text of kernel/contracts.json.
const char* kernelContracts();

} // namespace anchang
