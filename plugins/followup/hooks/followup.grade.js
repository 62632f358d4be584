// 内置规则：采用顾问本次选择的等级；未选择则保持原等级。以此为起点修改。
// The built-in rule: the grade the consultant chose this time; none chosen keeps the previous
// one. Start from here.
function (input, context) {
  return { grade: input.record.grade || input.previous || null };
}
