#pragma once
/// DemoLoader — fills an empty demo project from config/demo/core.json (plugins.core.demo_seed):
/// profile, two teams with their consultants and who is on duty, three buildings of units, and
/// a few customers who already have an owner, so the front desk can show a returning customer.

#include "CustomerBook.h"
#include "ProjectProfile.h"

#include <anchang/sdk/Host.hpp>

#include <string>

namespace anchang::core {

class DemoLoader {
public:
    DemoLoader(const sdk::Host& host, const ProjectProfile& profile, const CustomerBook& customers)
        : host_(host), profile_(profile), customers_(customers) {}

    /// Loads `file` unless the project already has teams. Returns whether it loaded.
    bool load(const std::string& file) const;

private:
    const sdk::Host& host_;
    const ProjectProfile& profile_;
    const CustomerBook& customers_;
};

} // namespace anchang::core
