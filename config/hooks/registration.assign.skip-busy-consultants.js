// 示例 · registration.assign：轮序分配，但跳过手上未完成任务超过 5 个的置业顾问。
// Example · registration.assign: keep the rotation, but skip consultants with more than five
// open tasks.
//
// input.candidates 已按轮序排好（第一位就是内置规则会选的人）。open_tasks 由跟进模块提供；
// 未启用该模块时没有这一项，按 0 计。
// input.candidates come in rotation order (the first is whom the built-in rule would pick).
// open_tasks comes from a follow-up module; without one it is absent and counts as 0.
function (input, context) {
  var MAX_OPEN_TASKS = 5;
  var free = input.candidates.filter(function (c) {
    return c.on_duty && (c.open_tasks || 0) <= MAX_OPEN_TASKS;
  });
  if (free.length === 0) {
    console.log('所有当值顾问都超过 ' + MAX_OPEN_TASKS + ' 个未完成任务，沿用内置规则');
    return null; // 不表态：系统按内置轮序分配 / no opinion: the built-in rotation decides
  }
  return {
    consultant_id: free[0].id,
    reason: '轮序（跳过未完成任务超过 ' + MAX_OPEN_TASKS + ' 个的顾问）'
  };
}
