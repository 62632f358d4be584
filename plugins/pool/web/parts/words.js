// The pool's words both of its pages show: why a customer entered the pool, where a defeat
// request or a claim stands, and what the server's refusals mean. A page passes
// withPoolWords({...its own}) to useLocale; the tags' colours are here too, so both pages colour
// the same thing alike. The server says its refusals in English only: poolErrors gives them in
// the page's language, for errorMessage / notifyError.
const words = {
  'zh-CN': {
    // An entry's reason is one of the server's five; the filter needs them before any entry is loaded.
    entryReason: { defeat: '战败', lapsed: '保护期届满', departed: '顾问离职', no_deal: '长期未认购', invalid: '无效客户' },
    defeatStatus: { pending: '待审批', approved: '已批准·进入公海', rejected: '未批准', extended: '已延长保护期' },
    claimStatus: { pending: '待审批', approved: '已通过', rejected: '未通过' },
    allReasons: '全部',
    customerNo: '客户 #{id}',
    opinion: '主管意见：{text}',
    problems: {
      taken: '该客户已被其他顾问捞取',
      claimedAlready: '您已申请过该客户，请等待主管审批',
      defeatPending: '该客户已有一条战败申请在等待主管审批',
      opinionRequired: '请填写审批意见',
      defeatDecided: '这条战败申请已被处理过了',
      claimDecided: '这条捞取申请已被处理过了',
      ownerChanged: '该客户已不在申请顾问名下，申请无法批准',
      notOwned: '只能标记有归属顾问的客户；该客户可能已在公海',
      notYours: '该客户不在您名下',
    },
  },
  en: {
    entryReason: { defeat: 'Defeat', lapsed: 'Protection lapsed', departed: 'Consultant left', no_deal: 'No subscription', invalid: 'Invalid' },
    defeatStatus: { pending: 'Waiting', approved: 'Approved · in the pool', rejected: 'Rejected', extended: 'Protection extended' },
    claimStatus: { pending: 'Waiting', approved: 'Approved', rejected: 'Rejected' },
    allReasons: 'All',
    customerNo: 'Customer #{id}',
    opinion: 'Supervisor: {text}',
    problems: {
      taken: 'Another consultant claimed this customer first',
      claimedAlready: 'You applied for this customer already: the supervisor decides',
      defeatPending: 'A defeat request for this customer waits for the supervisor already',
      opinionRequired: 'Write your opinion',
      defeatDecided: 'This defeat request was decided already',
      claimDecided: 'This claim was decided already',
      ownerChanged: 'The customer is no longer the applicant’s: the request cannot be approved',
      notOwned: 'Only a customer someone owns is marked invalid; this one may be in the pool already',
      notYours: 'This customer is not yours',
    },
  },
}

/** The page's own messages with the pool's words added (the page's win on a clash). */
export function withPoolWords(own) {
  return { 'zh-CN': { ...words['zh-CN'], ...own['zh-CN'] }, en: { ...words.en, ...own.en } }
}

/** The pool's error codes in the page's language (`t`: the page's, with the pool's words). */
export function poolErrors(t) {
  return {
    'pool.taken': t('problems.taken'),
    'pool.claimed_already': t('problems.claimedAlready'),
    'pool.defeat_pending': t('problems.defeatPending'),
    'pool.opinion_required': t('problems.opinionRequired'),
    'pool.defeat_decided': t('problems.defeatDecided'),
    'pool.claim_decided': t('problems.claimDecided'),
    'customer.owner_changed': t('problems.ownerChanged'),
    'customer.not_owned': t('problems.notOwned'),
    'customer.not_found': t('problems.notYours'),
  }
}

export const ENTRY_REASONS = ['defeat', 'lapsed', 'departed', 'no_deal', 'invalid']
export const ENTRY_TAG = { defeat: 'warning', lapsed: 'primary', departed: 'info', no_deal: 'info', invalid: 'danger' }
export const DEFEAT_TAG = { pending: 'warning', approved: 'success', rejected: 'danger', extended: 'primary' }
export const CLAIM_TAG = { pending: 'warning', approved: 'success', rejected: 'danger' }

/** The title of defeat reason `id` among the project's reasons ({id, zh-CN, en}), else the id itself. */
export function reasonTitle(reasons, id, localized) {
  const reason = reasons.find((r) => r.id === id)
  return reason ? localized(reason) : id ?? ''
}

