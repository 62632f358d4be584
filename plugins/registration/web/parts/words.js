// The register's words every registration page shows: how a visitor was assigned, where a visit
// stands, what other modules' checks said, the questionnaire's questions and the register's
// columns. A page passes withVisitWords({...its own}) to useLocale; the tag colours and the
// checks' rows are here too, so that every page shows them the same way.
import { moduleName } from '@anchang/ui'

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
    status: { waiting: '待接待', received: '已接待', queued: '排队中', void: '已作废' },
    duty: { on_duty: '在岗', off_duty: '休息', absent: '请假外出', left: '离职' },
    check: { passed: '通过', warning: '需注意', error: '核验未完成' },
    returningTag: '老客户',
    newTag: '新客户',
    questions: { layout: '意向户型', area: '意向面积', budget: '预算', heard_from: '了解渠道', home_district: '居住区域' },
    visitor: '客户',
    receiver: '接待顾问',
    onBehalf: '代{name}接待',
    owner: '归属顾问',
    assignmentLabel: '分配方式',
    voidedBy: '{name}于 {time} 作废',
    void: '作废',
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
    check: { passed: 'Passed', warning: 'Needs attention', error: 'Not checked' },
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

const CHECK_TAG = { passed: 'success', warning: 'warning', error: 'danger' }

/**
 * What other modules' checks said at registration (visit.checks: plugin id → {status, title,
 * message}), as rows to show: one per check that was not skipped, titled by the check, else by
 * its module's name, else by the plugin id. `t` and `localized` are the page's, with the
 * register's words.
 */
export function checkRows(checks, t, localized) {
  return Object.entries(checks ?? {})
    .filter(([, check]) => check.status !== 'skipped')
    .map(([plugin, check]) => ({
      plugin,
      title: localized(check.title) || localized(moduleName(plugin)) || plugin,
      tag: CHECK_TAG[check.status] ?? 'info',
      label: check.status in CHECK_TAG ? t(`check.${check.status}`) : check.status,
      message: localized(check.message),
    }))
}
