// What the opening's console pages share (开盘控制台, 认筹登记, the printable 摇号结果): the words
// for a round's kind and phase and a buyer's status, with their tags' colours, so every page
// colours the same thing alike; the server's refusals in the page's language (it says them in
// English only); and the lottery's public files with the command that checks them.
import { formatNumber, formatTime } from '@anchang/ui'

const words = {
  'zh-CN': {
    kind: { mock: '模拟', formal: '正式' },
    kindLong: { mock: '模拟选房', formal: '正式选房' },
    phase: { draft: '草稿', published: '已发布名单', scheduled: '已摇号·待开始', open: '选房中', ended: '已到结束时间', closed: '已结束' },
    buyerStatus: { qualified: '有效', withdrawn: '已退筹' },
    files: {
      eligible: '入围名单',
      commitment: '承诺值',
      seed: '种子',
      digits: '公开数字',
      result: '摇号结果',
    },
    atOnce: '一次全部开放',
    inBatches: '分批：每批 {size} 人，每批提前 {minutes} 分钟',
    limitUnits: '{n} 套',
    signingWithin: '选定后 {n} 天内签约',
    batchNo: '第 {n} 批',
    yuan: '¥{n}',
    problems: {
      buyerExists: '该认筹号或手机号已登记',
      unknownGroup: '没有这个分组，请刷新页面后重新选择',
      invalid: '填写的内容不符合要求：{message}',
      roundFixed: '场次已发布，不能再修改',
      noBuyers: '场次的分组里还没有有效的认筹买受人，无法发布',
      noUnits: '项目当前没有可售房源，无法发布',
      notDrawable: '只有已发布名单、尚未摇号的场次可以摇号，每个场次只摇一次',
      notPublished: '草稿场次无需结束，可直接修改',
      roundNotFound: '没有这个场次',
      buyerNotFound: '没有这位买受人',
    },
  },
  en: {
    kind: { mock: 'Mock', formal: 'Formal' },
    kindLong: { mock: 'Mock round', formal: 'Formal round' },
    phase: { draft: 'Draft', published: 'List published', scheduled: 'Drawn · not open yet', open: 'Open', ended: 'Time is up', closed: 'Closed' },
    buyerStatus: { qualified: 'Qualified', withdrawn: 'Withdrawn' },
    files: {
      eligible: 'Eligible buyers',
      commitment: 'Commitment',
      seed: 'Seed',
      digits: 'Public digits',
      result: 'Result',
    },
    atOnce: 'Everyone at once',
    inBatches: 'In batches of {size}, each {minutes} min ahead of the next',
    limitUnits: '{n} unit | {n} units',
    signingWithin: 'Sign within {n} days of choosing',
    batchNo: 'Batch {n}',
    yuan: '¥{n}',
    problems: {
      buyerExists: 'This qualification number or phone is registered already',
      unknownGroup: 'There is no such group: reload the page and choose again',
      invalid: 'Not accepted: {message}',
      roundFixed: 'The round is published and can no longer change',
      noBuyers: 'No qualified buyer is in the round’s groups yet: nothing to publish',
      noUnits: 'The project has no unit for sale: nothing to publish',
      notDrawable: 'Only a published round that has not been drawn can be drawn, once',
      notPublished: 'A draft is not closed: change it instead',
      roundNotFound: 'No such round',
      buyerNotFound: 'No such buyer',
    },
  },
}

/** The page's own messages with the console's words added (the page's win on a clash). */
export function withConsoleWords(own) {
  return { 'zh-CN': { ...words['zh-CN'], ...own['zh-CN'] }, en: { ...words.en, ...own.en } }
}

/** The selection module's error codes in the page's language, for errorMessage / notifyError. */
export function selectionErrors(t, error) {
  return {
    'selection.buyer_exists': t('problems.buyerExists'),
    'selection.unknown_group': t('problems.unknownGroup'),
    'selection.invalid': t('problems.invalid', { message: error?.message ?? '' }),
    'selection.round_fixed': t('problems.roundFixed'),
    'selection.no_buyers': t('problems.noBuyers'),
    'selection.no_units': t('problems.noUnits'),
    'selection.not_drawable': t('problems.notDrawable'),
    'selection.not_published': t('problems.notPublished'),
    'selection.round_not_found': t('problems.roundNotFound'),
    'selection.buyer_not_found': t('problems.buyerNotFound'),
  }
}

export const PHASE_TAG = { draft: 'info', published: 'warning', scheduled: 'primary', open: 'success', ended: 'warning', closed: 'info' }
export const KIND_TAG = { mock: 'info', formal: 'danger' }
export const STATUS_TAG = { qualified: 'success', withdrawn: 'info' }

/** A phone as the public files and the hall show it: 138****1234. */
export const maskPhone = (phone) => (phone && phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : (phone ?? ''))

export const yuan = (t, amount) => t('yuan', { n: formatNumber(amount) })

/** The start and the end, to the minute; the end's date only when it is another day. */
export function timeEnds(from, to) {
  const start = formatTime(from).slice(0, 16)
  const end = formatTime(to).slice(0, 16)
  return [start, start.slice(0, 10) === end.slice(0, 10) ? end.slice(11) : end]
}
export const timeRange = (from, to) => timeEnds(from, to).join(' – ')

/** How a round opens: everyone at once, or batches with their head start (set in minutes). */
export const pacingText = (t, round) =>
  round.batch_size > 0 ? t('inBatches', { size: round.batch_size, minutes: Math.round(round.batch_gap_s / 6) / 10 }) : t('atOnce')

/** How many batches a round's buyers open in: one when everyone chooses at once. */
export const batchCount = (round) => (round.batch_size > 0 ? Math.max(1, Math.ceil(round.buyers / round.batch_size)) : 1)

/**
 * The lottery's public files, in the order the verifier names them, and whether each is out yet:
 * the list and the commitment when the round is published, the rest once it is drawn.
 */
export const LOTTERY_FILES = ['eligible.csv', 'commitment.txt', 'seed.txt', 'digits.txt', 'result.csv']
// A file's words are under files.<its name without the extension> (vue-i18n reads dots as paths).
export const fileKey = (file) => `files.${file.split('.')[0]}`
export const lotteryFileOut = (round, file) => (file === 'eligible.csv' || file === 'commitment.txt' ? !!round.published_at : !!round.drawn_at)
// Public routes: a plain link fetches them without the token, as the notary's browser would.
export const lotteryFileUrl = (project, round, file) => `/api/v1/projects/${project}/selection/rounds/${round}/lottery/${file}`

/** The standalone check (plugins/selection/LOTTERY.md), run where the five files were saved. */
export const VERIFY_COMMAND =
  'scripts/verify-lottery --list eligible.csv --commitment commitment.txt --seed seed.txt --digits digits.txt --result result.csv'

/**
 * Copies text; over plain http (the office's network) the browser has no clipboard API, so a
 * selected textarea is copied the old way. Resolves to whether it worked.
 */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    const area = document.createElement('textarea')
    area.value = text
    area.setAttribute('readonly', '')
    area.style.position = 'fixed'
    area.style.opacity = '0'
    document.body.append(area)
    area.select()
    const copied = document.execCommand('copy')
    area.remove()
    return copied
  }
}
