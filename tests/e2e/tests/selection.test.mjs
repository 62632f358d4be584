// Online opening (在线开盘) in the browser, against the demo kernel's mock round (open since ten
// minutes before the kernel started, every buyer at once): a qualified buyer signs in on the
// phone with the texted code, sees their place in the lottery's order, picks an available unit,
// confirms what it commits them to and sees it chosen; the hall's big screen, open meanwhile,
// turns that unit sold without a reload (the push, well before the fallback poll) and lists it
// among the latest sales; a second buyer asking for the same unit is told it is sold. A second
// rehearsal later in the day shows the buyer's batch and the countdown to it. Screenshots of the
// buyer's phone, the confirmation, the success, the countdown, the hall at 1920×1080 and 4K, and
// the buyer's page on a tablet in English land in tests/e2e/artifacts/.
import assert from 'node:assert/strict'
import { DEMO, api, keepScreenshot, login, scenario, textedCode, tokenFor } from '../lib/harness.mjs'

const PHONE = { width: 390, height: 844 }
const TABLET = { width: 820, height: 1180 }
const HALL = { width: 1920, height: 1080 }
const UHD = { width: 3840, height: 2160 }
// Demo buyers (config/demo/selection.json), each used by this file only.
const BUYER = '13800138001'
const RIVAL = '13800138002'
const path = (p) => `/api/v1/projects/1${p}`
const HOUR = 3600 * 1000

/** A buyer's session through the API, as the phone gets it: a texted code asked for and keyed in. */
async function buyerToken(phone) {
  const body = { phone, project_id: 1, role: 'buyer' }
  const asked = await api('POST', '/api/v1/auth/code', { base: DEMO, body })
  assert.equal(asked.status, 202, JSON.stringify(asked.body))
  const verified = await api('POST', '/api/v1/auth/code/verify', { base: DEMO, body: { ...body, code: await textedCode(phone) } })
  assert.equal(verified.status, 200, JSON.stringify(verified.body))
  return verified.body.token
}

/** Waits for what still moves — a drawer sliding in, a loading mask — before a screenshot. */
async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('.el-loading-mask'))
  await page.waitForTimeout(400)
}

scenario(
  'a buyer chooses a unit on the phone and the hall’s board shows it sold at once',
  async (buyer, another) => {
    const manager = await tokenFor('manager', DEMO)
    const rounds = (await api('GET', path('/selection/rounds'), { token: manager, base: DEMO })).body.rounds
    const mock = rounds.find((r) => r.kind === 'mock')
    assert.equal(mock?.phase, 'open', 'the demo has its mock round open')
    // A second rehearsal in two hours, in batches of five ten minutes apart: the buyer's next
    // round, counting down to their batch.
    const made = await api('POST', path('/selection/rounds'), {
      token: manager,
      base: DEMO,
      body: { name: '二次模拟', kind: 'mock', groups: ['no_home', 'general'], starts_at: Date.now() + 2 * HOUR, ends_at: Date.now() + 4 * HOUR, batch_size: 5, batch_gap_s: 600 },
    })
    assert.equal(made.status, 201, JSON.stringify(made.body))
    const later = made.body
    assert.equal((await api('POST', path(`/selection/rounds/${later.id}/publish`), { token: manager, base: DEMO })).status, 200)
    assert.equal((await api('POST', path(`/selection/rounds/${later.id}/draw`), { token: manager, base: DEMO, body: { digits: '20261206' } })).status, 200)

    // The hall's screen, on before anyone chooses: it picks the open round by itself.
    const hall = await another(HALL)
    await login(hall, 'manager', undefined, DEMO)
    await hall.goto(`${DEMO}/selection/hall`)
    const board = hall.locator(`[data-test=hall-board][data-connected=true][data-loaded=true][data-round="${mock.id}"]`)
    await board.waitFor()
    await hall.locator('[data-test=hall-round]', { hasText: mock.name }).waitFor()

    // The buyer signs in with the texted code and lands on their page.
    await buyer.goto(`${DEMO}/sign-in?project=1&role=buyer&next=/selection/choose`)
    await buyer.locator('[data-test=code-phone]').fill(BUYER)
    await buyer.locator('[data-test=code-send]').click()
    await buyer.locator('[data-test=code-code]').fill(await textedCode(BUYER))
    await buyer.locator('[data-test=code-verify]').click()
    await buyer.waitForURL((url) => url.pathname === '/selection/choose')

    // Their place in the lottery's order, as the kernel has it; the round said to be a mock one.
    const token = await buyer.evaluate(() => localStorage.getItem('anchang.token'))
    const me = (await api('GET', path(`/selection/rounds/${mock.id}/me`), { token, base: DEMO })).body
    assert.ok(me.seq > 0, JSON.stringify(me))
    await buyer.locator('[data-test=buyer-seq]', { hasText: String(me.seq) }).waitFor()
    await buyer.locator('[data-test=buyer-kind]', { hasText: '模拟选房 — 不产生认购' }).waitFor()
    await buyer.locator('[data-test=buyer-round][data-phase=open]').waitFor()
    const available = buyer.locator('[data-test=buyer-board] button[data-status=available]:not([disabled])')
    await available.first().waitFor()
    await settled(buyer)
    await keepScreenshot(buyer, 'selection - the buyer’s board, phone 390x844')

    // A tap on an available unit asks to confirm, with the price and what it commits to.
    const cell = available.first()
    const unitId = Number((await cell.getAttribute('data-test')).replace('unit-', ''))
    const unit = (await api('GET', path(`/selection/rounds/${mock.id}/board`), { token: manager, base: DEMO })).body.units.find((u) => u.unit_id === unitId)
    await cell.click()
    const sheet = buyer.locator('[data-test=confirm-sheet][data-state=ask]')
    await sheet.waitFor()
    await sheet.locator('[data-test=confirm-unit]', { hasText: unit.number }).waitFor()
    await sheet.locator('[data-test=confirm-final]', { hasText: '不产生认购' }).waitFor()
    await buyer.waitForTimeout(400) // the sheet has slid up
    await keepScreenshot(buyer, 'selection - the confirmation sheet, phone 390x844')
    await sheet.locator('[data-test=confirm-submit]').click()
    await buyer.locator('[data-test=buyer-success]').waitFor()
    await buyer.locator('[data-test=success-unit]', { hasText: unit.number }).waitFor()
    await settled(buyer)
    await keepScreenshot(buyer, 'selection - the choice made, phone 390x844')

    // The hall turns the unit sold by the push: well within the 15 s of its fallback poll.
    await hall.locator(`[data-test=wall-unit-${unitId}][data-status=sold]`).waitFor({ timeout: 5000 })
    await hall.locator(`[data-test=sale-${unitId}]`).waitFor()
    assert.match(await hall.locator('[data-test=hall-sold]').textContent(), /^\s*1\s*\//)
    assert.equal(await hall.getByText(me.name).count(), 0, 'no buyer’s name on a public screen')
    await keepScreenshot(hall, 'selection - the hall’s board with a sale just in, 1920x1080')
    await hall.setViewportSize(UHD)
    await hall.waitForTimeout(300) // the wall has laid itself out again
    await keepScreenshot(hall, 'selection - the hall’s board, 3840x2160')

    // Someone slower asks for the same unit: sold.
    const rival = await buyerToken(RIVAL)
    const late = await api('POST', path(`/selection/rounds/${mock.id}/selections`), {
      token: rival,
      base: DEMO,
      body: { unit_id: unitId, price: unit.price, request_id: 'e2e-rival-1' },
    })
    assert.equal(late.status, 409, JSON.stringify(late.body))
    assert.equal(late.body.error.code, 'selection.sold')

    // Back on the board: the unit is the buyer's, listed among their units; nothing more to choose.
    await buyer.locator('[data-test=success-done]').click()
    await buyer.locator(`[data-test=selection-${unitId}]`, { hasText: unit.number }).waitFor()
    await buyer.locator(`[data-test=unit-${unitId}][data-status=sold].grid__cell--mine`).waitFor()
    await buyer.locator('[data-test=buyer-count]', { hasText: '1 / 1' }).waitFor()
    assert.equal(await available.count(), 0, 'a buyer who chose all they may has nothing left to tap')

    // The next round: their place and batch, and the time left until their batch opens.
    const next = (await api('GET', path(`/selection/rounds/${later.id}/me`), { token, base: DEMO })).body
    await buyer.locator('[data-test=buyer-rounds]').getByText('二次模拟').click()
    await buyer.locator('[data-test=buyer-round][data-phase=scheduled]').waitFor()
    await buyer.locator('[data-test=buyer-seq]', { hasText: String(next.seq) }).waitFor()
    await buyer.locator('[data-test=buyer-round]').getByText(`第 ${next.batch + 1} 批`).waitFor()
    assert.match(await buyer.locator('[data-test=buyer-countdown]').textContent(), /^[0-2]\d:\d\d:\d\d$/)
    assert.equal(await available.count(), 0, 'before their turn, the board is for looking')
    await settled(buyer)
    await keepScreenshot(buyer, 'selection - the next round counting down, phone 390x844')
    await buyer.locator('[data-test=buyer-rounds]').getByText(mock.name).click()

    // The same page on a tablet, in English.
    await buyer.evaluate(() => localStorage.setItem('anchang.lang', 'en'))
    await buyer.setViewportSize(TABLET)
    await buyer.reload()
    await buyer.locator('[data-test=buyer-kind]', { hasText: 'Mock round — no subscription is made' }).waitFor()
    await buyer.locator('[data-test=buyer-hint]', { hasText: 'You have chosen all you may' }).waitFor()
    await buyer.locator(`[data-test=unit-${unitId}]`).waitFor()
    await settled(buyer)
    await keepScreenshot(buyer, 'selection - the buyer’s page in English, tablet 820x1180')
  },
  { viewport: PHONE, timeout: 120_000 },
)
