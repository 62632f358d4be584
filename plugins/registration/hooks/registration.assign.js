// 内置规则：按轮序分配给第一位当值顾问（空闲的顾问排在正在接待的之前）。以此为起点修改。
// The built-in rule: the first candidate in rotation order (free consultants come before those
// still receiving a visitor). Start from here.
function (input, context) {
  var onDuty = input.candidates.filter(function (c) { return c.on_duty; });
  if (onDuty.length === 0) return null;
  return { consultant_id: onDuty[0].id, reason: onDuty[0].busy ? '轮序（顾问均在接待）' : '轮序' };
}
