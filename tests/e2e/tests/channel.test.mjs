// Channel reporting in the browser, against the demo kernel (core, registration, channel and the
// demo's channel companies): a broker reports a customer on a phone and gets the code; the front
// desk registers the visitor with that code on the tablet; the broker's page shows the desk's
// confirmation without a reload; the site's console lists the report. Screenshots at the sizes
// the people use land in tests/e2e/artifacts/.
import assert from 'node:assert/strict'
import { before } from 'node:test'
import { DEMO, api, keepScreenshot, login, scenario, tokenFor } from '../lib/harness.mjs'
import { openDesk, typePhone } from '../lib/desk.mjs'

const TABLET = { width: 1024, height: 768 }
const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1366, height: 768 }

let serial = Date.now() % 10000
const freshPhone = () => `135${String(serial++ % 10000).padStart(4, '0')}${String(Math.floor(Math.random() * 10000)).padStart(4, '0')}`

before(async () => {
  assert.ok(DEMO, 'ANCHANG_E2E_DEMO_URL is not set: run the tests with tests/e2e/run')
  const modules = (await api('GET', '/api/v1/modules', { token: await tokenFor('admin', DEMO), base: DEMO })).body
  const channel = (modules.modules ?? modules).find((m) => m.id === 'channel')
  assert.equal(channel?.state, 'running', 'the demo kernel runs the channel module')
})

scenario(
  'a broker reports on the phone, the desk registers with the code, and the broker sees the confirmation at once',
  async (broker, another) => {
    const phone = freshPhone()
    await login(broker, 'agent1', undefined, DEMO)
    await broker.goto(`${DEMO}/channel/portal`)
    await broker.locator('[data-test=portal-new]').click()
    await broker.locator('[data-test=portal-name]').fill('欧阳女士')
    await broker.locator('[data-test=portal-phone]').fill(phone)
    await broker.locator('[data-test=portal-submit]').click()
    const code = (await broker.locator('[data-test=portal-code-text]').textContent()).trim()
    await broker.waitForTimeout(400) // the form's drawer has slid away
    assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/)
    await broker.locator('[data-test=portal-code] svg').waitFor()
    await keepScreenshot(broker, 'channel - the code to show, phone 390x844')
    await broker.keyboard.press('Escape')

    // The front desk, on its tablet: the phone, the name, the layout and the code.
    const desk = await another(TABLET)
    await openDesk(desk)
    await typePhone(desk, phone)
    await desk.locator('[data-test=desk-name]').fill('欧阳女士')
    await desk.locator('[data-test^=layout-]').first().click()
    await desk.locator('[data-test=channel-code]').fill(code)
    await keepScreenshot(desk, 'channel - the desk with the code, tablet 1024x768')
    await desk.locator('[data-test=desk-submit]').click()
    await desk.locator('[data-test=desk-outcome]').getByText('报备有效').waitFor()
    await keepScreenshot(desk, 'channel - the desk confirms the report, tablet 1024x768')

    // The broker's page hears of it without a reload.
    const report = (await api('GET', '/api/v1/projects/1/channel/reports/mine', { token: await tokenFor('agent1', DEMO), base: DEMO })).body.reports.find(
      (r) => r.code === code,
    )
    await broker.locator(`[data-test=report-status-${report.id}]`, { hasText: '已到访' }).waitFor({ timeout: 5000 })
    await keepScreenshot(broker, 'channel - confirmed on the broker’s phone, 390x844')

    // The site's console lists it.
    const manager = await another(DESKTOP)
    await login(manager, 'manager', undefined, DEMO)
    await manager.goto(`${DEMO}/channel/reports`)
    await manager.locator('[data-test=channel-reports]').getByText('欧阳女士').first().waitFor()
    await manager.locator('[data-test=channel-reports] .el-tag', { hasText: '已到访' }).first().waitFor()
    await manager.waitForTimeout(400) // the tags' zoom-in
    await keepScreenshot(manager, 'channel - the site’s reports, 1366x768')
  },
  { viewport: PHONE },
)

scenario(
  'a refused report says why on the broker’s phone and stays in the list with its reason',
  async (broker) => {
    await login(broker, 'agent2', undefined, DEMO) // 全民经纪人: no hidden numbers
    await broker.goto(`${DEMO}/channel/portal`)
    await broker.locator('[data-test=portal-new]').click()
    await broker.locator('[data-test=portal-name]').fill('司马先生')
    await broker.locator('[data-test=portal-phone]').fill('135****1234')
    await broker.locator('[data-test=portal-submit]').click()
    await broker.locator('[data-test=portal-refusal]').getByText('不允许以这种隐号格式报备').waitFor()
    await keepScreenshot(broker, 'channel - a refused report, phone 390x844')
  },
  { viewport: PHONE },
)

scenario(
  'two channels on one visitor: the collision is ruled with its evidence, the loser appeals on the phone, the manager decides',
  async (manager, another) => {
    const token = async (u) => tokenFor(u, DEMO)
    const post = async (who, path, body) => api('POST', `/api/v1/projects/1${path}`, { token: await token(who), base: DEMO, body })
    const digits = freshPhone()
    const hidden = `${digits.slice(0, 3)}****${digits.slice(7)}`
    // 何军 (链家, 带看保护) reports the hidden number first; 马芳 (全民经纪人, 到访为王) the full one later.
    const first = await post('agent1', '/channel/reports', { customer_name: '慕容先生', phone: hidden, expected_visit_at: Date.now() + 3 * 3600 * 1000 })
    assert.equal(first.status, 201, JSON.stringify(first.body))
    const second = await post('agent2', '/channel/reports', { customer_name: '慕容先生', phone: digits, expected_visit_at: Date.now() + 3 * 3600 * 1000 })
    assert.equal(second.status, 201, JSON.stringify(second.body))
    // 马芳 brings him, with her code.
    const visit = await post('receptionist', '/visits', {
      phone: digits,
      name: '慕容先生',
      questionnaire: { layout: '三室' },
      extensions: { channel: { code: second.body.code } },
    })
    assert.equal(visit.status, 201, JSON.stringify(visit.body))

    // The first valid report wins; 马芳 sees why on her phone and appeals.
    const phone = await another(PHONE)
    await login(phone, 'agent2', undefined, DEMO)
    await phone.goto(`${DEMO}/channel/portal`)
    await phone.locator(`[data-test=report-status-${second.body.id}]`, { hasText: '未通过' }).waitFor({ timeout: 10000 })
    await phone.locator(`[data-test=appeal-${second.body.id}]`).click()
    await phone.locator('.el-message-box textarea').fill('客户由我现场带看，报备码核验通过')
    await phone.locator('.el-message-box .el-button--primary').click()
    await phone.locator('.el-message', { hasText: '已提交申诉' }).waitFor()
    await phone.waitForTimeout(400) // the dialog has faded
    await keepScreenshot(phone, 'channel - the losing broker appeals, phone 390x844')

    // The manager sees the ruling and its evidence side by side, and decides.
    await login(manager, 'manager', undefined, DEMO)
    await manager.goto(`${DEMO}/channel/reports`)
    await manager.getByRole('tab', { name: '撞单' }).click()
    const collisions = (await api('GET', '/api/v1/projects/1/channel/collisions', { token: await token('manager'), base: DEMO })).body.collisions
    const collision = collisions.find((c) => c.report_ids.includes(second.body.id))
    assert.equal(collision.winner_report_id, first.body.id, 'the first valid report wins')
    const card = manager.locator(`[data-test=collision-${collision.id}]`)
    await card.getByText('链家·滨江 · 何军').first().waitFor()
    await card.getByText('全民经纪人 · 马芳').first().waitFor()
    await card.getByText('申诉：客户由我现场带看').waitFor()
    await keepScreenshot(manager, 'channel - a collision with its evidence, 1366x768')
    await manager.locator(`[data-test=decide-${collision.id}]`).click()
    await manager.locator('.el-dialog .el-radio', { hasText: '全民经纪人 · 马芳' }).click()
    await manager.locator('[data-test=decide-note]').fill('现场带看与核验为准')
    await manager.locator('[data-test=decide-submit]').click()
    await card.locator('.el-tag', { hasText: '终裁' }).waitFor()
    assert.equal(await card.locator('[data-test=collision-winner]').textContent(), '全民经纪人 · 马芳')
    await phone.locator(`[data-test=report-status-${second.body.id}]`, { hasText: '已到访' }).waitFor({ timeout: 10000 })
  },
  { viewport: DESKTOP },
)

scenario(
  'a consultant’s recruiting card opens the phone sign-in for everyone-brokers',
  async (consultant, another) => {
    await login(consultant, 'consultant3', undefined, DEMO)
    await consultant.goto(`${DEMO}/channel/recruit`)
    await consultant.locator('[data-test=recruit-qr] svg').waitFor()
    const link = await consultant.locator('[data-test=recruit-link]').inputValue()
    assert.match(link, /\/sign-in\?project=1&role=everyone_broker&next=%2Fchannel%2Fportal%3Fref%3D\d+$/)
    await keepScreenshot(consultant, 'channel - a consultant’s recruiting card, phone 390x844')

    // The friend opens it: phone first, then the texted code (verified in ChannelTest).
    const friend = await another(PHONE)
    await friend.goto(link)
    await friend.locator('[data-test=code-phone]').fill('13722223333')
    await friend.locator('[data-test=code-send]').click()
    await friend.locator('[data-test=code-code]').waitFor()
    assert.match(await friend.locator('[data-test=code-send]').textContent(), /秒后可重新获取/)
    await keepScreenshot(friend, 'channel - phone sign-in from the recruiting link, 390x844')
  },
  { viewport: PHONE },
)

scenario(
  'the manager sets up a channel company with its rules and an agency key, and reads what each channel brought',
  async (manager) => {
    await login(manager, 'manager', undefined, DEMO)
    await manager.goto(`${DEMO}/channel/reports`)
    await manager.getByRole('tab', { name: '渠道公司' }).click()
    await manager.locator('[data-test=company-create]').click()
    const name = `中原·${Date.now() % 100000}`
    await manager.locator('[data-test=company-name]').fill(name)
    await manager.locator('.el-dialog .el-radio', { hasText: '报备保护' }).click()
    await manager.locator('[data-test=company-save]').click()
    const row = manager.locator('[data-test=channel-companies] tr', { hasText: name })
    await row.getByText('报备保护').waitFor()
    const companies = (await api('GET', '/api/v1/projects/1/channel/companies', { token: await tokenFor('manager', DEMO), base: DEMO })).body.companies
    const created = companies.find((c) => c.name === name)
    assert.equal(created.protection_mode, 'report_deal')
    await manager.locator(`[data-test=keys-${created.id}]`).first().click()
    await manager.locator('[data-test=key-create]').click()
    await manager.locator('[data-test=key-secret] code').nth(1).waitFor()
    assert.match(await manager.locator('[data-test=key-secret] code').nth(1).textContent(), /^[0-9a-f]{64}$/)
    await keepScreenshot(manager, 'channel - a new agency key, shown once, 1366x768')
    await manager.keyboard.press('Escape')

    await manager.getByRole('tab', { name: '渠道分析' }).click()
    await manager.locator('[data-test=channel-analytics]').getByText('链家·滨江').first().waitFor()
    await manager.waitForTimeout(400)
    await keepScreenshot(manager, 'channel - what each channel brought, 1366x768')
  },
  { viewport: DESKTOP },
)
