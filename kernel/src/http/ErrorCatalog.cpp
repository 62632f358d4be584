#include "http/ErrorCatalog.h"

#include <map>
#include <utility>

namespace anchang {

std::string ErrorCatalog::text(const std::string& code, const std::string& lang, const std::string& fallback) {
    static const std::map<std::string, std::pair<std::string, std::string>> catalog = {
        {"http.not_found", {"没有这个接口", "no such API route"}},
        {"http.method_not_allowed", {"该接口不支持此请求方法", "this route does not accept the method"}},
        {"http.body_too_large", {"请求内容过大", "the request body is too large"}},
        {"http.bad_request", {"请求格式错误", "the request is malformed"}},
        {"request.malformed_json", {"请求内容不是有效的 JSON", "the request body is not valid JSON"}},
        {"request.expected_object", {"请求内容必须是 JSON 对象", "the request body must be a JSON object"}},
        {"request.too_deep", {"请求内容嵌套层数过多", "the request body is nested too deeply"}},
        {"auth.token_missing", {"请先登录", "please log in"}},
        {"auth.token_invalid", {"登录凭证无效，请重新登录", "the login token is invalid, please log in again"}},
        {"auth.token_expired", {"登录已过期，请重新登录", "the login has expired, please log in again"}},
        {"auth.token_revoked", {"此登录已失效（已退出或密码已更改），请重新登录", "this login has ended (logged out, or the password changed); please log in again"}},
        {"auth.forbidden", {"没有权限执行此操作", "you do not have permission to do this"}},
        {"auth.not_member", {"您不是该项目的成员", "you are not a member of this project"}},
        {"auth.bad_credentials", {"用户名或密码错误", "wrong username or password"}},
        {"auth.throttled", {"登录失败次数过多，请稍后再试", "too many failed logins, try again later"}},
        {"auth.wrong_password", {"当前密码错误", "the current password is wrong"}},
        {"licence.expired", {"许可证已过期，数据只读", "the licence has expired; data is read-only"}},
        {"licence.refused", {"许可证无效", "the licence is not valid"}},
        {"licence.project_limit", {"已达到许可证允许的项目数量", "the licence allows no more projects"}},
        {"project.not_found", {"项目不存在", "no such project"}},
        {"user.not_found", {"用户不存在", "no such user"}},
        {"user.username_taken", {"用户名已被使用", "that username is taken"}},
        {"user.weak_password", {"密码至少需要 8 个字符", "a password needs at least 8 characters"}},
        {"module.not_found", {"没有这个模块", "no such module"}},
        {"internal", {"服务器内部错误", "internal server error"}},
    };
    auto it = catalog.find(code);
    if (it == catalog.end()) return fallback;
    return lang == "en" ? it->second.second : it->second.first;
}

} // namespace anchang
