#pragma once
/// anchang::KernelBusServices — what the kernel itself offers plugins on the bus:
///
///   kernel.users.get    {"ids":[...]}, {"usernames":[...]} or {"role":"consultant"} (in the
///                       message's project) -> {"users":[{"id","username","display_name","phone",
///                       "active","roles"}]}
///   kernel.projects.list {} -> {"projects":[{"id","code","name","archived"}]}
///   kernel.alert.raise  {"kind","title":{"zh-CN","en"},"message":{"zh-CN","en"},"detail"?,
///                       "subject"?} -> {"id"}: an alert for the admins and the project's
///                       managers, pushed to their open consoles (docs/scripting.md, alerts)
///   kernel.alert.resolve {"kind","subject"} -> {"closed"}: what the caller's alerts about
///                       `subject` reported was dealt with; they close (its own kinds only)
///   kernel.notify       {"recipient","template","params","lang"} -> {"id","deliveries"}: tell a
///                       user, a phone or an address, with one of the caller's templates
///                       (NotificationCenter)
///   kernel.phone_check.send   {"phone","template","params"?,"lang"?,"address"?} -> {"expires_in",
///                       "resend_after"}: texts a one-time code ({code} in the caller's template,
///                       which must mark it secret) so the phone's holder can show they agree —
///                       a customer a broker reports, a buyer's number. The code never reaches
///                       the caller; the sign-in codes' limits apply (SignInCodes), refused 429.
///   kernel.phone_check.verify {"phone","template","code"} -> {"result"}: accepted (and spent),
///                       wrong, exhausted or invalid

#include <nlohmann/json.hpp>

#include <memory>

namespace anchang {

class AlertCenter;
class Bus;
class BusContracts;
class MediaLibrary;
class NotificationCenter;
class PluginBusAgent;
class SignInCodes;
class ProjectDirectory;
class UserDirectory;

class KernelBusServices {
public:
    /// Declares its services' contracts in `contracts`, as a plugin's manifest would.
    KernelBusServices(Bus& bus, UserDirectory& users, ProjectDirectory& projects, AlertCenter& alerts, NotificationCenter& notifications,
                      MediaLibrary& media, SignInCodes& codes, BusContracts& contracts);
    ~KernelBusServices();

    void start();
    void stop();

private:
    std::unique_ptr<PluginBusAgent> agent_;
    UserDirectory& users_;
    ProjectDirectory& projects_;
    AlertCenter& alerts_;
    /// kernel.table.read: a module's uploaded .xlsx or .csv as rows of text.
    nlohmann::json readTable(const nlohmann::json& header, const nlohmann::json& body);
    /// kernel.table.write: rows to an .xlsx file in the module's media kind; its record.
    nlohmann::json writeTable(const nlohmann::json& header, const nlohmann::json& body);

    /// kernel.phone_check.send / verify.
    nlohmann::json sendPhoneCheck(const nlohmann::json& header, const nlohmann::json& body);
    nlohmann::json verifyPhoneCheck(const nlohmann::json& header, const nlohmann::json& body);

    NotificationCenter& notifications_;
    MediaLibrary& media_;
    SignInCodes& codes_;
};

} // namespace anchang
