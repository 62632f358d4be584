#include "SubscriptionRelay.h"

#include <algorithm>
#include <map>

namespace anchang::selection {

namespace {
constexpr std::size_t kPerRequest = 500;
constexpr std::chrono::milliseconds kFirstWait{1000}, kLongestWait{60000};
constexpr std::chrono::milliseconds kPause{1000}, kLongestDelay{5000};
} // namespace

SubscriptionRelay::SubscriptionRelay(const sdk::Host& host, bool background) : host_(host) {
    if (background) thread_ = std::thread([this] { loop(); });
}

SubscriptionRelay::~SubscriptionRelay() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void SubscriptionRelay::recover() {
    std::vector<Pending> found;
    for (const auto& row : host_.db().query("SELECT s.id, r.project_id, b.customer_id, s.unit_id, s.price, s.sign_by FROM selection_selections s "
                                            "JOIN selection_rounds r ON r.id = s.round_id JOIN selection_buyers b ON b.id = s.buyer_id "
                                            "WHERE s.deal_id IS NULL AND r.kind = 'formal' ORDER BY s.id"))
        found.push_back({row["project_id"], row["id"], row["customer_id"].is_null() ? 0 : row["customer_id"].get<std::int64_t>(), row["unit_id"],
                         row["price"], row["sign_by"]});
    if (!found.empty()) host_.info("asking core for " + std::to_string(found.size()) + " subscriptions left pending at the last stop");
    add(std::move(found));
}

void SubscriptionRelay::add(std::vector<Pending> pending) {
    if (pending.empty()) return;
    {
        std::lock_guard lock(mutex_);
        lastAdded_ = std::chrono::steady_clock::now();
        if (queue_.empty()) oldest_ = lastAdded_;
        queue_.insert(queue_.end(), pending.begin(), pending.end());
    }
    wake_.notify_one();
}

std::size_t SubscriptionRelay::pending() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

void SubscriptionRelay::loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        if (backoff_.count() > 0) wake_.wait_for(lock, backoff_, [&] { return stopping_; });
        else wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        // Sales still coming: wait for their pause (each add() moves it), or for the longest delay.
        for (;;) {
            const auto until = std::min(lastAdded_ + kPause, oldest_ + kLongestDelay);
            if (stopping_ || std::chrono::steady_clock::now() >= until) break;
            wake_.wait_until(lock, until);
        }
        if (stopping_) return;
        lock.unlock();
        const auto again = relayOnce();
        lock.lock();
        backoff_ = again.value_or(std::chrono::milliseconds(0));
    }
}

std::optional<std::chrono::milliseconds> SubscriptionRelay::relayOnce() {
    std::vector<Pending> taken;
    {
        std::lock_guard lock(mutex_);
        taken.assign(queue_.begin(), queue_.end());
        queue_.clear();
    }
    if (taken.empty()) return std::nullopt;
    std::map<std::int64_t, std::vector<Pending>> byProject;
    for (const auto& one : taken) byProject[one.project].push_back(one);
    std::vector<Pending> unanswered;
    for (const auto& [project, list] : byProject) {
        for (std::size_t at = 0; at < list.size(); at += kPerRequest) {
            const std::vector<Pending> batch(list.begin() + static_cast<std::ptrdiff_t>(at),
                                             list.begin() + static_cast<std::ptrdiff_t>(std::min(list.size(), at + kPerRequest)));
            try {
                subscribe(batch);
            } catch (const sdk::Error& e) {
                if (e.status() >= 500) {
                    unanswered.insert(unanswered.end(), batch.begin(), batch.end());
                    continue;
                }
                // One refusal refuses the whole request: ask each alone, so the others go through.
                for (const auto& one : batch) {
                    try {
                        subscribe({one});
                    } catch (const sdk::Error& alone) {
                        if (alone.status() >= 500) unanswered.push_back(one);
                        else refused(one, alone);
                    } catch (const std::exception&) {
                        unanswered.push_back(one);
                    }
                }
            } catch (const std::exception& e) {
                host_.warning("core did not make " + std::to_string(batch.size()) + " subscriptions, asking again: " + e.what());
                unanswered.insert(unanswered.end(), batch.begin(), batch.end());
            }
        }
    }
    if (unanswered.empty()) return std::nullopt;
    std::lock_guard lock(mutex_);
    queue_.insert(queue_.begin(), unanswered.begin(), unanswered.end());
    return std::min(kLongestWait, backoff_.count() > 0 ? backoff_ * 2 : kFirstWait);
}

void SubscriptionRelay::subscribe(const std::vector<Pending>& batch) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& one : batch)
        list.push_back({{"customer_id", one.customer}, {"unit_id", one.unit}, {"amount", one.amount},
                        {"reference", "selection:" + std::to_string(one.selection)}, {"sign_by", one.signBy}});
    const auto answer = host_.request("core.deals.subscribe", {{"subscriptions", list}}, batch.front().project, std::chrono::seconds(30));
    std::map<std::string, std::int64_t> dealOf;
    for (const auto& d : answer.at("deals")) dealOf[d.at("reference").get<std::string>()] = d.at("deal_id").get<std::int64_t>();
    host_.db().transaction([&] {
        for (const auto& one : batch)
            host_.db().exec("UPDATE selection_selections SET deal_id = ? WHERE id = ? AND deal_id IS NULL",
                            {dealOf.at("selection:" + std::to_string(one.selection)), one.selection});
    });
}

void SubscriptionRelay::refused(const Pending& one, const sdk::Error& why) {
    host_.error("core refused the subscription of selection " + std::to_string(one.selection) + ": " + why.code() + " " + why.what());
    try {
        host_.call("kernel.alert.raise",
                   {{"kind", "selection.subscription_refused"},
                    {"title", {{"zh-CN", "选房成交未能生成认购"}, {"en", "A selection got no subscription"}}},
                    {"message", {{"zh-CN", "第 " + std::to_string(one.selection) + " 号选房记录（房源 " + std::to_string(one.unit) +
                                               "）未能生成认购：" + why.what() + "。请核对客户与房源后处理。"},
                                 {"en", "Selection " + std::to_string(one.selection) + " (unit " + std::to_string(one.unit) +
                                            ") got no subscription from core: " + why.what() + ". Check the customer and the unit."}}},
                    {"subject", "selection:" + std::to_string(one.selection)}},
                   one.project);
    } catch (const std::exception& e) {
        host_.error(std::string("cannot raise the alert: ") + e.what());
    }
}

} // namespace anchang::selection
