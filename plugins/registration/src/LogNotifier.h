#pragma once
/// LogNotifier — the default Notifier: writes the message to the log instead of sending it.

#include "Notifier.h"

#include <anchang/sdk/Host.hpp>

namespace anchang::registration {

class LogNotifier : public Notifier {
public:
    explicit LogNotifier(const sdk::Host& host) : host_(host) {}
    void send(std::int64_t project, std::int64_t userId, const std::string& userName, const std::string& text) override;

private:
    const sdk::Host& host_;
};

} // namespace anchang::registration
