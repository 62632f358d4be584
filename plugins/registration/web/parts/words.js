// The register's words every registration page shows: how a visitor was assigned, where a visit
// stands, what the channel and face modules said, the questionnaire's questions and the register's
// columns. A page passes withVisitWords({...its own}) to useLocale; the tag colours and the
// check's label are here too, so that every page shows a status the same way.

const words = {
  'zh-CN': {
    assignment: {
      returning: '老客户归属',
      covering: '代接待',
      designated: '客户指定',
      rotation: '轮序分配',
      hook: '项目规则',
      queued: '排队等待',
      manual: '手动指派',
    },
    status: { waiting: '待接待', received: '已接待', queued: '排队中', void: '已注销' },
    duty: { on_duty: '在岗', off_duty: '休息', absent: '请假外出', left: '离职' },
    check: {
      skipped: '未提供',
      unavailable: '模块未启用',
      error: '核验出错',
      checked: '已核验',
      verified: '报备有效',
      rejected: '报备无效',
      expired: '报备已过期',
      match: '疑似重复客户',
      clear: '未发现风险',
    },
    returningTag: '老客户',
    newTag: '新客户',
    questions: { layout: '意向户型', area: '意向面积', budget: '预算', heard_from: '了解渠道', home_district: '居住区域' },
    visitor: '客户',
    receiver: '接待顾问',
    onBehalf: '代{name}接待',
    owner: '归属顾问',
    assignmentLabel: '分配方式',
    voidedBy: '{name} 于 {time} 注销',
    void: '注销',
    assign: '指派',
  },
  en: {
    assignment: {
      returning: 'Own customer',
      covering: 'Covering',
      designated: 'Named by visitor',
      rotation: 'Rotation',
      hook: 'Project rule',
      queued: 'Queued',
      manual: 'Assigned by hand',
    },
    status: { waiting: 'Waiting', received: 'Received', queued: 'Queued', void: 'Void' },
    duty: { on_duty: 'On duty', off_duty: 'Off duty', absent: 'Away', left: 'Left' },
    check: {
      skipped: 'Not given',
      unavailable: 'Module not enabled',
      error: 'Check failed',
      checked: 'Checked',
      verified: 'Report valid',
      rejected: 'Report not valid',
      expired: 'Report expired',
      match: 'Possible duplicate',
      clear: 'No risk found',
    },
    returningTag: 'Returning',
    newTag: 'New',
    questions: { layout: 'Layout wanted', area: 'Area wanted', budget: 'Budget', heard_from: 'How they heard of us', home_district: 'Home district' },
    visitor: 'Visitor',
    receiver: 'Received by',
    onBehalf: 'for {name}',
    owner: 'Owner',
    assignmentLabel: 'Assignment',
    voidedBy: 'Voided by {name} at {time}',
    void: 'Void',
    assign: 'Assign',
  },
}

/** The page's own messages with the register's words added (the page's win on a clash). */
export function withVisitWords(own) {
  return { 'zh-CN': { ...words['zh-CN'], ...own['zh-CN'] }, en: { ...words.en, ...own.en } }
}

/** The questionnaire's questions, in the order the desk asks them (labels: `questions.<key>`). */
export const QUESTIONS = ['layout', 'area', 'budget', 'heard_from', 'home_district']

/** The colour of a visit's status tag. */
export const STATUS_TAG = { waiting: 'warning', received: 'success', queued: 'danger', void: 'info' }

const CHECKS = ['skipped', 'unavailable', 'error', 'checked', 'verified', 'rejected', 'expired', 'match', 'clear']
const CHECK_TAG = { verified: 'success', clear: 'success', checked: 'success', rejected: 'danger', expired: 'warning', match: 'danger', error: 'danger' }

/** The colour of what the channel or face module said (`status` of its check). */
export function checkType(status) {
  return CHECK_TAG[status] ?? 'info'
}

/** What the channel or face module said, in words: `t` is the page's, with the register's words. */
export function checkLabel(t, status) {
  return CHECKS.includes(status) ? t(`check.${status}`) : status || '—'
}
