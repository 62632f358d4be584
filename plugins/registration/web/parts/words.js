// The register's words every registration page shows: how a visitor was assigned, where a visit
// stands, what the channel and face modules said. A page passes withVisitWords({...its own}) to
// useLocale.

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
  },
}

/** The page's own messages with the register's words added (the page's win on a clash). */
export function withVisitWords(own) {
  return { 'zh-CN': { ...words['zh-CN'], ...own['zh-CN'] }, en: { ...words.en, ...own.en } }
}
