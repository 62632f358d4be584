// The words and numbers the buyer's phone and the hall's board both show: a round's kind and
// phase, a unit's status, its floor, and its price the way a price list writes it — 万 in
// Chinese, millions in English. A page passes withBoardWords({...its own}) to useLocale.
import { formatNumber } from '@anchang/ui'

const words = {
  'zh-CN': {
    formalRound: '正式选房',
    mockNote: '模拟选房 — 不产生认购',
    phase: { draft: '未发布', published: '待摇号', scheduled: '未开始', open: '选房中', ended: '已结束', closed: '已结束' },
    sold: '已售',
    floor: '{n}层',
    priceShort: '{n}万',
    priceFull: '{n} 元',
    perArea: '{n} 元/㎡',
    area: '{n}㎡',
    unitName: '{building} {number}',
    days: '{n}天',
    offline: '连接中断，正在重连…',
  },
  en: {
    formalRound: 'Formal round',
    mockNote: 'Mock round — no subscription is made',
    phase: { draft: 'Draft', published: 'Before the draw', scheduled: 'Not started', open: 'Open', ended: 'Ended', closed: 'Ended' },
    sold: 'Sold',
    floor: '{n}F',
    priceShort: '¥{n}M',
    priceFull: '¥{n}',
    perArea: '¥{n}/m²',
    area: '{n} m²',
    unitName: '{building} · {number}',
    days: '{n} day | {n} days',
    offline: 'Connection lost, reconnecting…',
  },
}

export function withBoardWords(own) {
  return { 'zh-CN': { ...words['zh-CN'], ...own['zh-CN'] }, en: { ...words.en, ...own.en } }
}

/** A total price in a cell: 251.9万, or ¥2.52M in English. Prices are whole yuan. */
export const priceShort = (t, lang, price) => t('priceShort', { n: lang === 'en' ? formatNumber(price / 1e6, 2) : formatNumber(price / 1e4, 1) })

const NUMERALS = { 一: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' }
/** A layout as a narrow cell writes it: 两室两厅一卫 is 2室2厅1卫. */
export const compactLayout = (layout) => String(layout).replace(/[一二两三四五六七八九]/g, (c) => NUMERALS[c])

/** The price per square metre, as price lists print it beside the total. */
export const perArea = (t, unit) => t('perArea', { n: formatNumber(unit.area > 0 ? unit.price / unit.area : 0) })

/** Time left until `ms` as a countdown: 2天 03:04:05, 03:04:05, 04:05. */
export function countdown(t, ms) {
  const s = Math.max(0, Math.floor(ms / 1000))
  const days = Math.floor(s / 86400)
  const pad = (n) => String(n).padStart(2, '0')
  const h = Math.floor((s % 86400) / 3600)
  const clock = h || days ? `${pad(h)}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}` : `${pad(Math.floor(s / 60))}:${pad(s % 60)}`
  return days ? `${t('days', { n: days }, days)} ${clock}` : clock
}

/** Where a round stands at `now`: a drawn round is scheduled, open or ended by its clock. */
export function phaseOf(round, now) {
  if (round.status !== 'drawn') return round.status
  return now < round.starts_at ? 'scheduled' : now < round.ends_at ? 'open' : 'ended'
}

/** A time of the opening: 14:05 today, 12-06 14:05 another day. */
export function when(ms, now = Date.now()) {
  const d = new Date(ms)
  const pad = (n) => String(n).padStart(2, '0')
  const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}`
  return d.toDateString() === new Date(now).toDateString() ? clock : `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock}`
}
