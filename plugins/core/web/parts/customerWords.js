// Words the customer list and the customer drawer share (sources, household relations, gender),
// merged into each component's own messages: useLocale(withCustomerWords({...})).
const words = {
  'zh-CN': {
    sourceLabel: '来源',
    source: { natural: '自然来访', channel: '渠道', referral: '老带新', online: '线上', event: '活动', other: '其他' },
    relation: { self: '本人', spouse: '配偶', parent: '父母', child: '子女', partner: '伴侣' },
    genderLabel: '性别',
    gender: { male: '男', female: '女' },
    owner: '归属顾问',
    noOwner: '无归属',
    protectionUntil: '保护期至',
    protectedDays: '保护中，剩 {n} 天',
    protectionEnded: '保护期已过',
    firstVisit: '首次到访',
    lastVisit: '最近到访',
    visits: '到访次数',
    phone: '手机号',
    name: '称呼',
  },
  en: {
    sourceLabel: 'Source',
    source: { natural: 'Walk-in', channel: 'Channel', referral: 'Owner referral', online: 'Online', event: 'Event', other: 'Other' },
    relation: { self: 'Self', spouse: 'Spouse', parent: 'Parent', child: 'Child', partner: 'Partner' },
    genderLabel: 'Gender',
    gender: { male: 'Male', female: 'Female' },
    owner: 'Owner',
    noOwner: 'No owner',
    protectionUntil: 'Protected until',
    protectedDays: '{n} day left | {n} days left',
    protectionEnded: 'Protection over',
    firstVisit: 'First visit',
    lastVisit: 'Last visit',
    visits: 'Visits',
    phone: 'Mobile phone',
    name: 'Name',
  },
}

export function withCustomerWords(own) {
  return Object.fromEntries(Object.entries(words).map(([lang, shared]) => [lang, { ...shared, ...own[lang] }]))
}

/** Whole days left of a protection period (epoch ms), rounded up; 0 once it ended. */
export function daysLeft(until) {
  return until ? Math.max(0, Math.ceil((until - Date.now()) / 86400000)) : 0
}

/**
 * Who owns a customer, by name: from the roster's consultants (those who left included, as old
 * customers may still be theirs), `#id` for someone not on it, "no owner" for none.
 */
export function ownerNames(roster, t) {
  const names = new Map(roster.map((c) => [c.user_id, c.name]))
  return (id) => (id ? names.get(id) ?? `#${id}` : t('noOwner'))
}
