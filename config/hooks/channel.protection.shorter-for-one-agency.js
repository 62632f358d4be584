// 示例 · channel.protection：“快房网”的报备保护期缩短为 3 天，其他渠道沿用项目默认值。
// Example · channel.protection: reports from the agency 快房网 are protected for 3 days;
// every other channel keeps the project's default.
function (input, context) {
  var SHORT_DAYS = { '快房网': 3 };
  if (Object.prototype.hasOwnProperty.call(SHORT_DAYS, input.agency)) {
    return { protection_days: SHORT_DAYS[input.agency] };
  }
  return null; // 不表态：使用默认保护期 / no opinion: the default protection applies
}
