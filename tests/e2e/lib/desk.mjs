// What the front desk's browser tests share, on the demo kernel: the demo roster (put back after
// each file, so the next starts from the demo's), a phone nobody used, and the desk's keypad.
import assert from 'node:assert/strict'
import { after, before } from 'node:test'
import { DEMO, api, login, tokenFor } from './harness.mjs'

export const path = (p) => `/api/v1/projects/1${p}`

/**
 * In a test file: reads the demo roster before its tests and restores who is on duty after them.
 * Returns `demo` — `demo.manager` (a token), `demo.consultants` (display name → user id),
 * `demo.onDutyOnly(...names)`, which leaves only these consultants on duty so the rotation's
 * choice is known, and `demo.seeEveryoneOff()`, which frees every consultant still with a visitor.
 */
export function demoRoster() {
  const demo = { manager: null, consultants: null, onDutyAtStart: [] }
  before(async () => {
    assert.ok(DEMO, 'ANCHANG_E2E_DEMO_URL is not set: run the tests with tests/e2e/run')
    demo.manager = await tokenFor('manager', DEMO)
    const roster = (await api('GET', path('/roster'), { token: demo.manager, base: DEMO })).body
    demo.consultants = Object.fromEntries(roster.consultants.map((c) => [c.name, c.user_id]))
    demo.onDutyAtStart = roster.consultants.filter((c) => c.status === 'on_duty').map((c) => c.user_id)
  })
  after(async () => {
    for (const id of Object.values(demo.consultants)) {
      const status = demo.onDutyAtStart.includes(id) ? 'on_duty' : 'off_duty'
      await api('PUT', path(`/roster/${id}`), { token: demo.manager, base: DEMO, body: { status } })
    }
  })
  demo.onDutyOnly = async (...names) => {
    for (const [name, id] of Object.entries(demo.consultants)) {
      const status = names.includes(name) ? 'on_duty' : 'off_duty'
      const answer = await api('PUT', path(`/roster/${id}`), { token: demo.manager, base: DEMO, body: { status } })
      assert.equal(answer.status, 200, JSON.stringify(answer.body))
    }
  }
  // Everyone still with a visitor sees them off, so the next test's rotation starts free (a
  // consultant with a visitor waits their turn). Answers the hall's board as it was before.
  demo.seeEveryoneOff = async () => {
    const board = (await api('GET', path('/registration/board'), { token: demo.manager, base: DEMO })).body
    const visits = (await api('GET', path('/visits?limit=500'), { token: demo.manager, base: DEMO })).body.visits
    for (const v of visits)
      if ((v.status === 'waiting' || v.status === 'received') && !v.finished_at)
        await api('POST', path(`/visits/${v.id}/finish`), { token: demo.manager, base: DEMO })
    return board
  }
  return demo
}

/** A phone no other test (or earlier run against the same kernel) used; `prefix` keeps files apart. */
export function phones(prefix) {
  let serial = Date.now() % 100000
  return () => `${prefix}${String(serial++ % 100000).padStart(5, '0')}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`
}

export async function typePhone(page, phone) {
  await page.locator('[data-test=key-clear]').click()
  for (const digit of phone) await page.locator(`[data-test=key-${digit}]`).click()
}

/** The receptionist's tablet page, once the questionnaire's options (the layouts sold) are shown. */
export async function openDesk(page) {
  await login(page, 'receptionist', undefined, DEMO)
  await page.goto(`${DEMO}/registration/front-desk`)
  await page.locator('[data-test=keypad]').waitFor()
  await page.locator('[data-test^=layout-]').first().waitFor()
}
