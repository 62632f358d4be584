// Words the roster page and its add-a-consultant dialog share, merged into each component's own
// messages: useLocale(withRosterWords({...})).
const words = {
  'zh-CN': {
    status: { on_duty: '在岗', off_duty: '休息', absent: '请假外出', left: '离职' },
    consultant: '置业顾问',
    noTeam: '未分组',
    team: '团队',
    weight: '权重',
    codes: { notConsultant: '此用户不是本项目的置业顾问，不能加入值班表', teamExists: '已经有同名的团队了' },
  },
  en: {
    status: { on_duty: 'On duty', off_duty: 'Off duty', absent: 'Away', left: 'Left' },
    consultant: 'Consultant',
    noTeam: 'No team',
    team: 'Team',
    weight: 'Weight',
    codes: {
      notConsultant: 'This user is not a consultant of this project and cannot be put on the roster',
      teamExists: 'There is already a team with this name',
    },
  },
}

export function withRosterWords(own) {
  return Object.fromEntries(Object.entries(words).map(([lang, shared]) => [lang, { ...shared, ...own[lang] }]))
}

export const STATUSES = ['on_duty', 'off_duty', 'absent', 'left']

/** The team select's value for "no team": Element Plus selects cannot hold null, the API wants it. */
export const NO_TEAM = 0

/** The roster's error codes with our own wording, for notifyError(e, rosterCodes(t)). */
export const rosterCodes = (t) => ({ 'roster.team_exists': t('codes.teamExists'), 'roster.not_consultant': t('codes.notConsultant') })
