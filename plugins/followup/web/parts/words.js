// The follow-up words every page of the module shows — task kinds, methods, grades, the profile's
// fields, why a consultant falls behind — and how the pages read a customer's protection, so that
// the phone and the console say the same thing the same way. A page passes
// withFollowupWords({...its own}) to useLocale.
const words = {
  'zh-CN': {
    kind: {
      first_callback: '首次回访',
      revisit: '3日复访',
      weekly: '本周跟进',
      monthly: '月度激活',
      next_contact: '约定联系',
      after_contact: '到访后跟进',
    },
    method: { phone: '电话', wechat: '微信', visit: '到访', other: '其他' },
    grade: { A: 'A 高意向', B: 'B 中意向', C: 'C 低意向' },
    gradeTag: '{grade} 类',
    noGrade: '未分级',
    field: { household: '家庭结构', motive: '置业动机', finances: '资金情况', focus: '关注点', resistance: '抗性点' },
    behind: { overdue_tasks: '任务逾期', low_frequency: '跟进频率低' },
    protectionLeft: '保护期剩 {n} 天',
    protectionOver: '保护期已过',
    protectionNone: '无保护期',
    noOwner: '无归属顾问',
    notFound: '没有找到这位客户：TA 不是您名下的客户，或已不存在',
  },
  en: {
    kind: {
      first_callback: 'First call-back',
      revisit: '3-day revisit',
      weekly: 'This week',
      monthly: 'Monthly wake-up',
      next_contact: 'Agreed contact',
      after_contact: 'After the visit',
    },
    method: { phone: 'Phone', wechat: 'WeChat', visit: 'Visit', other: 'Other' },
    grade: { A: 'A hot', B: 'B warm', C: 'C cold' },
    gradeTag: 'Grade {grade}',
    noGrade: 'Not graded',
    field: { household: 'Household', motive: 'Why buying', finances: 'Finances', focus: 'What matters', resistance: 'Concerns' },
    behind: { overdue_tasks: 'Overdue tasks', low_frequency: 'Few follow-ups' },
    protectionLeft: '{n} day protected | {n} days protected',
    protectionOver: 'Protection over',
    protectionNone: 'Not protected',
    noOwner: 'No owner',
    notFound: 'No such customer among yours: they are not yours, or no longer exist',
  },
}

export function withFollowupWords(own) {
  return Object.fromEntries(Object.entries(words).map(([lang, shared]) => [lang, { ...shared, ...own[lang] }]))
}

export const DAY = 86400000
export const GRADES = ['A', 'B', 'C']
export const METHODS = ['phone', 'wechat', 'visit', 'other']
export const PROFILE_FIELDS = ['household', 'motive', 'finances', 'focus', 'resistance']
// A is the customer to see this week, C the one to wake up: hot to cold.
export const GRADE_TAG = { A: 'danger', B: 'warning', C: 'info' }

/** Whole days left of a protection (epoch ms), rounded up; 0 once it ended. */
export function daysLeft(until, now = Date.now()) {
  return until ? Math.max(0, Math.ceil((until - now) / DAY)) : 0
}

/**
 * Whether a protection needs the consultant now: it ends within 7 days (the reminders' and the
 * board's horizon), or has ended while the customer is still theirs.
 */
export function protectionUrgent(until, now = Date.now()) {
  return Boolean(until) && until - now < 7 * DAY
}

/** The customer's own number (the household's first when none is marked as theirs). */
export function ownPhone(customer) {
  const persons = customer?.persons ?? []
  return (persons.find((p) => p.relation === 'self') ?? persons[0])?.phone ?? ''
}

/** Who a user id is, by the roster's name (those who left included), `#id` for someone not on it. */
export function rosterNames(consultants) {
  const names = new Map(consultants.map((c) => [c.user_id, c.name]))
  return (id) => (id ? (names.get(id) ?? `#${id}`) : '')
}
