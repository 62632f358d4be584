#pragma once
/// anchang::NotificationApi — what the kernel told whom, and how each delivery went: the newest
/// notifications with their deliveries, for admins (GET /api/v1/notifications).

namespace anchang {

class NotificationCenter;
class Router;

class NotificationApi {
public:
    explicit NotificationApi(NotificationCenter& notifications) : notifications_(notifications) {}

    void install(Router& router);

private:
    NotificationCenter& notifications_;
};

} // namespace anchang
