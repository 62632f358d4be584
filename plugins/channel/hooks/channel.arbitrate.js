// 内置规则：按项目设定，先报备者得（first_report）或先到访者得（first_visit）；案场客户与保护期已过的成交归案场。
// The built-in rule: the project's setting — the first valid report wins (first_report) or the
// first visit (first_visit); a customer the site had, or a deal after protection lapsed, stays
// the site's. Start from here.
function (input, context) {
  if (input.kind !== 'channels') return { winner_report_id: null, reason: '归案场' };
  var valid = input.reports.filter(function (r) { return r.status !== 'rejected'; });
  var key = input.rule === 'first_visit' ? 'visited_at' : 'reported_at';
  var ranked = valid.filter(function (r) { return r[key] !== null; }).sort(function (a, b) { return a[key] - b[key] || a.id - b.id; });
  if (ranked.length === 0) return { winner_report_id: null, reason: '无有效报备' };
  return { winner_report_id: ranked[0].id, reason: input.rule === 'first_visit' ? '先到访者得' : '先报备者得' };
}
