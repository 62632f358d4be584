// The public pool (公海池) in the browser, against the demo kernel (core, registration, follow-up
// and pool): a visitor the desk registered goes to a consultant, who gives them up on the phone
// with a standard reason (申请战败); the supervisor agrees on the console with a written opinion,
// and the customer enters the pool, nobody's in core. There the consultant who gave them up finds
// them disabled until the cooldown ends, while a colleague claims them; the supervisor approves
// the claim and the customer is the colleague's. A visitor who is no buyer, marked invalid by the
// supervisor, is in the pool too, and nobody may claim them. Screenshots of both pages at the
// sizes the people use (phone 390×844, console 1366×768) land in tests/e2e/artifacts/.
import assert from 'node:assert/strict'
import { before } from 'node:test'
import { DEMO, api, keepScreenshot, login, scenario, tokenFor } from '../lib/harness.mjs'
import { demoRoster, path, phones } from '../lib/desk.mjs'

const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1366, height: 768 }
// The demo's consultants and the names they sign in with (config/demo/kernel.json).
const LOGINS = { 张伟: 'consultant1', 李娜: 'consultant2', 刘洋: 'consultant3', 赵敏: 'consultant4', 孙磊: 'consultant5', 周婷: 'consultant6' }
const DAY = 24 * 3600 * 1000
const demo = demoRoster()
const freshPhone = phones('158')
let receptionist

before(async () => {
  const modules = (await api('GET', '/api/v1/modules', { token: await tokenFor('admin', DEMO), base: DEMO })).body
  assert.equal((modules.modules ?? modules).find((m) => m.id === 'pool')?.state, 'running', 'the demo kernel runs the pool module')
  receptionist = await tokenFor('receptionist', DEMO)
})

/** Waits for what still moves on the page — a loading mask, the tags' zoom-in — before a screenshot. */
async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('.el-loading-mask'))
  await page.waitForTimeout(400)
}

/** A time as the sales office (and the browser, in Asia/Shanghai) writes it to the minute. */
const officeMinute = (ms) => new Date(ms).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16)

scenario(
  'a defeat decided in writing puts the customer in the pool for a colleague',
  async (owner, another) => {
    // The desk registers a new visitor; the rotation gives them to one of the two on duty.
    await demo.onDutyOnly('张伟', '李娜')
    const registered = await api('POST', path('/visits'), {
      token: receptionist,
      base: DEMO,
      body: { phone: freshPhone(), name: '公孙先生', questionnaire: { layout: '三室两厅两卫' } },
    })
    assert.equal(registered.status, 201, JSON.stringify(registered.body))
    const { visit, customer } = registered.body
    const ownerName = visit.receiver_name
    assert.ok(['张伟', '李娜'].includes(ownerName), `received by ${ownerName}`)
    assert.equal(customer.owner_id, demo.consultants[ownerName])
    // A second visitor, who turns out to be no buyer: the supervisor marks them invalid below.
    const wrong = await api('POST', path('/visits'), {
      token: receptionist,
      base: DEMO,
      body: { phone: freshPhone(), name: '空号客户', questionnaire: { layout: '三室两厅两卫' } },
    })
    assert.equal(wrong.status, 201, JSON.stringify(wrong.body))

    // The owner, on the phone, applies for defeat: the customer, a reason, a note.
    await login(owner, LOGINS[ownerName], undefined, DEMO)
    await owner.goto(`${DEMO}/pool/browse`)
    await owner.locator('[data-test=pool-caps]').waitFor()
    await owner.locator('[data-test=pool-view]').getByText('我的申请').click()
    await owner.locator('[data-test=defeat-new]').click()
    await owner.locator('[data-test=picker-search]').fill('公孙')
    await owner.locator(`[data-test=pick-${customer.id}]`).click()
    await owner.locator('[data-test=reason-budget]').click()
    await owner.locator('[data-test=defeat-note]').fill('预算 150 万，与本项目差距太大，已推荐二手房')
    await owner.waitForTimeout(400) // the drawer has slid in
    await keepScreenshot(owner, 'pool - a consultant applies for defeat, phone 390x844')
    await owner.locator('[data-test=defeat-submit]').click()
    await owner.locator('.el-message', { hasText: '已提交战败申请' }).waitFor()
    const defeat = (await api('GET', path('/pool/defeats?status=pending'), { token: demo.manager, base: DEMO })).body.defeats.find(
      (d) => d.customer_id === customer.id,
    )
    assert.equal(defeat?.reason_id, 'budget')
    await owner.locator(`[data-test=defeat-status-${defeat.id}]`, { hasText: '待审批' }).waitFor()
    await owner.locator(`[data-test=defeat-card-${defeat.id}]`).getByText('公孙先生').waitFor()
    await owner.waitForTimeout(400) // the drawer has slid away
    await keepScreenshot(owner, 'pool - my requests with the defeat waiting, phone 390x844')

    // The supervisor, on the console, decides it: the button waits for a written opinion.
    const supervisor = await another(DESKTOP)
    await login(supervisor, 'supervisor', undefined, DEMO)
    await supervisor.goto(`${DEMO}/pool/approvals`)
    const row = supervisor.locator('[data-test=pool-defeats] .el-table__row', { hasText: '公孙先生' })
    await row.getByText(ownerName).waitFor()
    await row.getByText('预算不足').waitFor()
    await supervisor.locator(`[data-test=decide-defeat-${defeat.id}]`).click()
    await supervisor.locator('[data-test=decision-approve]').click()
    assert.equal(await supervisor.locator('[data-test=decide-submit]').isDisabled(), true, 'no opinion, no decision')
    await supervisor.locator('[data-test=decide-opinion]').fill('同意，预算差距过大，放入公海由其他顾问尝试')
    await supervisor.waitForTimeout(300) // the dialog has zoomed in
    await keepScreenshot(supervisor, 'pool - the supervisor decides a defeat with an opinion, 1366x768')
    await supervisor.locator('[data-test=decide-submit]').click()
    await supervisor.locator('.el-message', { hasText: '已批准，客户进入公海' }).waitFor()
    const released = (await api('GET', path(`/customers/${customer.id}`), { token: demo.manager, base: DEMO })).body
    assert.equal(released.owner_id, null, 'in the pool, the customer is nobody’s')
    // In the pool tab, the supervisor marks the second visitor invalid, with a note.
    await supervisor.getByRole('tab', { name: '公海' }).click()
    await supervisor.locator('[data-test=pool-entries] .el-table__row', { hasText: '公孙先生' }).getByText(ownerName).waitFor()
    await supervisor.locator('[data-test=mark-invalid]').click()
    await supervisor.locator('[data-test=picker-search]').fill('空号')
    await supervisor.locator(`[data-test=pick-${wrong.body.customer.id}]`).click()
    await supervisor.locator('[data-test=mark-note]').fill('空号，电话无法接通')
    await settled(supervisor)
    await keepScreenshot(supervisor, 'pool - the supervisor marks a customer invalid, 1366x768')
    await supervisor.locator('[data-test=mark-submit]').click()
    await supervisor.locator('[data-test=pool-entries] .el-table__row', { hasText: '空号客户' }).getByText('无效客户').waitFor()
    await settled(supervisor)
    await keepScreenshot(supervisor, 'pool - the pool on the console, 1366x768')

    // The one who gave them up sees them in the pool, disabled until the cooldown's end.
    const entry = (await api('GET', path('/pool/entries'), { token: demo.manager, base: DEMO })).body.entries.find((e) => e.customer_id === customer.id)
    assert.equal(entry?.reason, 'defeat')
    await owner.reload()
    await owner.locator(`[data-test=entry-refusal-${entry.id}]`, { hasText: `冷却期至 ${officeMinute(entry.entered_at + 30 * DAY)}` }).waitFor()
    assert.equal(await owner.locator(`[data-test=entry-claim-${entry.id}]`).isDisabled(), true)
    await settled(owner)
    await keepScreenshot(owner, 'pool - the previous owner waits out the cooldown, phone 390x844')
    // And in 我的申请, the decision with the supervisor's words.
    await owner.locator('[data-test=pool-view]').getByText('我的申请').click()
    await owner.locator(`[data-test=defeat-status-${defeat.id}]`, { hasText: '已批准' }).waitFor()
    await owner.locator(`[data-test=defeat-card-${defeat.id}]`).getByText('主管意见：同意，预算差距过大').waitFor()

    // A colleague claims the customer, within the day's cap shown on top.
    const claimer = await another(PHONE)
    await login(claimer, LOGINS['刘洋'], undefined, DEMO)
    await claimer.goto(`${DEMO}/pool/browse`)
    const today = claimer.locator('[data-test=pool-today]')
    await claimer.locator(`[data-test=entry-${entry.id}]`).getByText('公孙先生').waitFor()
    const invalid = (await api('GET', path('/pool/entries?reason=invalid'), { token: demo.manager, base: DEMO })).body.entries.find(
      (e) => e.customer_id === wrong.body.customer.id,
    )
    await claimer.locator(`[data-test=entry-refusal-${invalid.id}]`, { hasText: '无效客户，不可捞取' }).waitFor()
    const claimedBefore = Number((await today.textContent()).split('/')[0])
    await settled(claimer)
    await keepScreenshot(claimer, 'pool - a colleague finds the customer in the pool, phone 390x844')
    await claimer.locator(`[data-test=entry-claim-${entry.id}]`).click()
    await claimer.locator('.el-message-box').getByText('还剩 ').waitFor() // the places left today
    await settled(claimer)
    await keepScreenshot(claimer, 'pool - a claim asks first, phone 390x844')
    await claimer.locator('.el-message-box .el-button--primary').click()
    await claimer.locator('.el-message', { hasText: '已申请捞取 公孙先生' }).waitFor()
    await claimer.locator(`[data-test=entry-applied-${entry.id}]`).waitFor()
    await today.getByText(`${claimedBefore + 1} /`).waitFor()
    await claimer.waitForTimeout(400) // the confirmation has faded
    await keepScreenshot(claimer, 'pool - the claim waits for the supervisor, phone 390x844')

    // The supervisor approves the claim; the customer is the colleague's.
    await supervisor.locator('[data-test=approvals-refresh]').click()
    await supervisor.getByRole('tab', { name: /捞取申请/ }).click()
    const claim = (await api('GET', path('/pool/claims?status=pending'), { token: demo.manager, base: DEMO })).body.claims.find(
      (c) => c.customer_id === customer.id,
    )
    await supervisor.locator('[data-test=pool-claims] .el-table__row', { hasText: '公孙先生' }).getByText('刘洋').waitFor()
    await supervisor.locator(`[data-test=approve-claim-${claim.id}]`).click()
    await supervisor.locator('[data-test=decide-opinion]').fill('同意，请 24 小时内回访')
    await supervisor.waitForTimeout(300)
    await keepScreenshot(supervisor, 'pool - the supervisor approves a claim, 1366x768')
    await supervisor.locator('[data-test=decide-submit]').click()
    await supervisor.locator('.el-message', { hasText: '已通过，客户归刘洋' }).waitFor()
    const claimed = (await api('GET', path(`/customers/${customer.id}`), { token: demo.manager, base: DEMO })).body
    assert.equal(claimed.owner_id, demo.consultants['刘洋'], 'the claimer owns the customer now')

    await claimer.reload()
    await claimer.locator('[data-test=pool-view]').getByText('我的申请').click()
    await claimer.locator(`[data-test=claim-status-${claim.id}]`, { hasText: '已通过' }).waitFor()
    await settled(claimer)
    await keepScreenshot(claimer, 'pool - the claim approved, phone 390x844')

    // The analysis on the console: this month's defeat reasons, TOP first, and the pool's yield.
    await supervisor.getByRole('tab', { name: '分析' }).click()
    await supervisor.locator('[data-test=analysis-chart] canvas').waitFor()
    assert.ok(Number(await supervisor.locator('[data-test=analysis-claimed] strong').textContent()) >= 1)
    await settled(supervisor)
    await keepScreenshot(supervisor, 'pool - the analysis, 1366x768')

    // In English, the decided requests, with the opinions, fit the phone and the console.
    for (const page of [owner, supervisor]) {
      await page.evaluate(() => localStorage.setItem('anchang.lang', 'en'))
      await page.reload()
    }
    await owner.locator('[data-test=pool-view]').getByText('My requests').click()
    await owner.locator(`[data-test=defeat-status-${defeat.id}]`, { hasText: 'Approved' }).waitFor()
    await settled(owner)
    await keepScreenshot(owner, 'pool - my requests in English, phone 390x844')
    await supervisor.locator('.approvals__filter').first().getByText('All', { exact: true }).click()
    await supervisor.locator('[data-test=pool-defeats] .el-table__row', { hasText: '公孙先生' }).getByText('Approved · in the pool').waitFor()
    await settled(supervisor)
    await keepScreenshot(supervisor, 'pool - decided defeats in English, 1366x768')
    await supervisor.getByRole('tab', { name: 'Claims' }).click()
    await supervisor.locator('.approvals__filter').nth(1).getByText('All', { exact: true }).click()
    await supervisor.locator('[data-test=pool-claims] .el-table__row', { hasText: '公孙先生' }).getByText('Approved').waitFor()
    await settled(supervisor)
    await keepScreenshot(supervisor, 'pool - decided claims in English, 1366x768')

    // The visitors leave, so the next file's rotation starts free.
    for (const v of [visit, wrong.body.visit]) await api('POST', path(`/visits/${v.id}/finish`), { token: demo.manager, base: DEMO })
  },
  { viewport: PHONE, timeout: 180_000 },
)
