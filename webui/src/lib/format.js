// Numbers and times as people in a sales office read them. The kernel sends times as epoch
// milliseconds and dates as YYYY-MM-DD.
import { currentLang } from '@/i18n'

const pad = (n) => String(n).padStart(2, '0')

/** 2026-11-22 14:05:09 in the browser's time zone; '' for nothing. */
export function formatTime(ms) {
  if (ms === null || ms === undefined || ms === '') return ''
  const d = new Date(Number(ms))
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** 2026-11-22 in the browser's time zone; '' for nothing. */
export function formatDate(ms) {
  if (ms === null || ms === undefined || ms === '') return ''
  const d = new Date(Number(ms))
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** A wait or a duration in seconds: 3分20秒 / 3 min 20 s, 1小时5分 / 1 h 5 min. */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(Number(seconds ?? 0)))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const zh = currentLang() === 'zh-CN'
  if (h) return zh ? `${h}小时${m}分` : `${h} h ${m} min`
  if (m) return zh ? `${m}分${pad(s % 60)}秒` : `${m} min ${pad(s % 60)} s`
  return zh ? `${s}秒` : `${s} s`
}

/** 14:05:09 */
export function formatClock(ms) {
  const d = new Date(Number(ms))
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return ''
  const units = ['B', 'KB', 'MB', 'GB']
  let value = Number(bytes)
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

export function formatNumber(value, digits = 0) {
  return Number(value ?? 0).toLocaleString(currentLang(), { maximumFractionDigits: digits, minimumFractionDigits: digits })
}

/** Days from today to a YYYY-MM-DD date (negative once it passed). */
export function daysUntil(date) {
  if (!date) return null
  const [y, m, d] = date.split('-').map(Number)
  const today = new Date()
  const start = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate())
  return Math.round((Date.UTC(y, m - 1, d) - start) / 86400000)
}
