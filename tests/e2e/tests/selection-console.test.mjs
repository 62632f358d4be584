// The opening's console pages in the browser, against the demo kernel (core and selection, with
// config/demo/selection.json: twelve buyers, a mock round open now, the formal round drafted for
// tomorrow), as the sales-site manager uses them. 认筹登记: a buyer qualified through the dialog,
// a typo caught at the field, a number already registered refused by the server, a withdrawal
// (退筹) undone. 开盘控制台: the formal round published with its commitment, drawn with the
// representatives' digits, its five public files fetched by their links without a session and
// checked by the standalone verifier (a changed digit fails it), the result printed for the
// notary, and the round closed; the progress of a round opened in batches following a buyer's
// choice on its own; a draft round set up and changed through its dialog. Screenshots at the
// sizes the manager uses, the print sheet and the console in English land in tests/e2e/artifacts/.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { before } from 'node:test'
import { promisify } from 'node:util'
import { DEMO, api, keepScreenshot, login, scenario, textedCode, tokenFor } from '../lib/harness.mjs'
import { path } from '../lib/desk.mjs'

const DESKTOP = { width: 1366, height: 768 }
const WIDE = { width: 1920, height: 1080 }
// A sheet of A4 at the browser's 96 dpi.
const A4 = { width: 794, height: 1123 }
const ROOT = join(import.meta.dirname, '..', '..', '..')
const HEX64 = /^[0-9a-f]{64}$/
const DIGITS = '31415926'
// The demo's formal round, by the name the demo gives it: other files add rounds of their own.
const FORMAL = JSON.parse(readFileSync(join(ROOT, 'config', 'demo', 'selection.json'), 'utf8')).rounds.find((r) => r.kind === 'formal').name
// The round this file opens to watch a sale; the demo buyers selection.test.mjs signs in with,
// whom this file leaves alone (a phone gets one texted code a minute).
const OWN = '一期加推选房'
const RESERVED = ['RC-001', 'RC-002']
let manager

before(async () => {
  const modules = (await api('GET', '/api/v1/modules', { token: await tokenFor('admin', DEMO), base: DEMO })).body
  assert.equal((modules.modules ?? modules).find((m) => m.id === 'selection')?.state, 'running', 'the demo kernel runs the selection module')
  manager = await tokenFor('manager', DEMO)
})

/** Waits for `check()` to hold: what the page polls for lands a few seconds after the change. */
async function eventually(check, what, timeout = 12_000) {
  const deadline = Date.now() + timeout
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeout} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

const rounds = async () => (await api('GET', path('/selection/rounds'), { token: manager, base: DEMO })).body.rounds
const buyers = async () => (await api('GET', path('/selection/buyers'), { token: manager, base: DEMO })).body.buyers
const text = async (locator) => (await locator.textContent()).trim()

/** Waits for what still moves on the page — a loading mask, a dialog zooming in — before a screenshot. */
async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('.el-loading-mask'))
  await page.waitForTimeout(400)
}

/**
 * Runs the verifier as the page writes its command, in the folder holding the five files, with
 * the script of this repository. Answers its exit code and what it printed.
 */
async function verify(command, dir) {
  const [script, ...args] = command.split(/\s+/)
  assert.equal(script, 'scripts/verify-lottery')
  try {
    const { stdout, stderr } = await promisify(execFile)('python3', [join(ROOT, script), ...args], { cwd: dir })
    return { code: 0, out: stdout + stderr }
  } catch (error) {
    return { code: error.code, out: `${error.stdout}${error.stderr}` }
  }
}

scenario(
  'the manager qualifies a buyer, and a number already registered is refused',
  async (page) => {
    await login(page, 'manager', undefined, DEMO)
    await page.goto(`${DEMO}/selection/buyers`)
    await page.locator('[data-test=buyer-RC-001]').waitFor()
    const earlier = (await buyers()).filter((b) => b.status === 'qualified')
    assert.equal(await text(page.locator('[data-test=count-total]')), `${earlier.length} 人`)

    // A typo in the phone is caught at the field, before anything is sent.
    await page.locator('[data-test=buyer-add]').click()
    const dialog = page.locator('[data-test=buyer-dialog]')
    await dialog.locator('[data-test=buyer-no]').fill('RC-013')
    await dialog.locator('[data-test=buyer-phone]').fill('1380013801')
    await dialog.locator('[data-test=buyer-name]').fill('钱女士')
    await dialog.locator('[data-test=buyer-household]').fill('钱家')
    await dialog.locator('[data-test=buyer-group-no_home]').click()
    await dialog.locator('[data-test=buyer-save]').click()
    await dialog.getByText('请填写 11 位大陆手机号').waitFor()
    await dialog.locator('[data-test=buyer-phone]').fill('13800138013')
    await dialog.locator('[data-test=buyer-save]').click()
    await page.locator('.el-message', { hasText: '已登记 RC-013 钱女士' }).waitFor()
    await page.locator('[data-test=buyer-RC-013]').waitFor()
    const made = (await buyers()).find((b) => b.buyer_no === 'RC-013')
    assert.equal(made?.phone, '13800138013')
    assert.equal(made.group_code, 'no_home')
    assert.equal(made.household, '钱家')
    assert.equal(made.deposit, 50000)
    await page.locator('[data-test=count-no_home]', { hasText: `${earlier.filter((b) => b.group_code === 'no_home').length + 1} 人` }).waitFor()

    // A number already registered: the server refuses, the dialog says so on the field and stays.
    await page.locator('[data-test=buyer-add]').click()
    await dialog.locator('[data-test=buyer-no]').fill('RC-001')
    await dialog.locator('[data-test=buyer-phone]').fill('13800138099')
    await dialog.locator('[data-test=buyer-name]').fill('重复登记')
    await dialog.locator('[data-test=buyer-save]').click()
    await dialog.getByText('该认筹号或手机号已登记').first().waitFor()
    assert.ok(!(await buyers()).some((b) => b.phone === '13800138099'), 'nothing was registered')
    await dialog.getByRole('button', { name: '取消' }).click()
    await dialog.waitFor({ state: 'hidden' })

    // 退筹 and back, each asked first; a withdrawn buyer leaves the list of the qualified.
    const status = async (no) => (await buyers()).find((b) => b.buyer_no === no).status
    await page.locator('[data-test=withdraw-RC-013]').click()
    await page.locator('.el-message-box', { hasText: '已发布场次的名单已公示' }).locator('.el-message-box__btns .el-button--primary').click()
    await page.locator('[data-test=buyer-RC-013]').waitFor({ state: 'detached' })
    assert.equal(await status('RC-013'), 'withdrawn')
    await page.locator('[data-test=buyer-show]').getByText('已退筹').click()
    await page.locator('[data-test=status-RC-013]', { hasText: '已退筹' }).waitFor()
    await page.locator('[data-test=restore-RC-013]').click()
    await page.locator('.el-message-box', { hasText: '恢复后' }).locator('.el-message-box__btns .el-button--primary').click()
    await page.locator('[data-test=buyer-RC-013]').waitFor({ state: 'detached' })
    assert.equal(await status('RC-013'), 'qualified')
    await page.locator('[data-test=buyer-show]').getByText('有效').click()

    // The search finds by name; the whole list comes back when it is cleared.
    await page.locator('[data-test=buyer-search]').fill('钱女士')
    await page.locator('[data-test=buyer-search-go]').click()
    await eventually(async () => (await page.locator('[data-test=buyers] .el-table__body-wrapper tbody tr').count()) === 1, 'one buyer found')
    await page.locator('[data-test=buyer-search]').fill('')
    await page.locator('[data-test=buyer-search-go]').click()
    await page.locator('[data-test=buyer-RC-001]').waitFor()
    await settled(page)
    await keepScreenshot(page, 'selection - qualification, 1366x768')
  },
  { viewport: DESKTOP },
)

scenario(
  'the formal round is published, drawn, verified by the standalone script from its public files, printed for the notary and closed',
  async (page) => {
    const formal = (await rounds()).find((r) => r.name === FORMAL)
    assert.equal(formal?.status, 'draft', 'the demo drafts the formal round')
    const qualified = (await buyers()).filter((b) => b.status === 'qualified').length
    await login(page, 'manager', undefined, DEMO)
    await page.goto(`${DEMO}/selection/console?round=${formal.id}`)
    await page.locator('[data-test=round-title]', { hasText: formal.name }).waitFor()
    await page.locator('[data-test=round-phase]', { hasText: '草稿' }).waitFor()

    // 发布名单: the question says what a formal round does to the units, and how many take part.
    await page.locator('[data-test=round-publish]').click()
    const question = page.locator('.el-message-box', { hasText: '锁定为「开盘中」' })
    await question.getByText(`预计入围买受人 ${qualified} 人`).waitFor()
    await page.waitForTimeout(300) // the box has zoomed in
    await keepScreenshot(page, 'selection - publishing the formal round, 1366x768')
    await question.locator('.el-message-box__btns .el-button--primary').click()
    await page.locator('[data-test=round-phase]', { hasText: '已发布名单' }).waitFor()
    const commitment = await text(page.locator('[data-test=lottery-commitment]'))
    assert.match(commitment, HEX64)
    const published = (await rounds()).find((r) => r.id === formal.id)
    assert.equal(published.commitment, commitment)
    assert.equal(published.buyers, qualified, 'every qualified buyer of its groups is in the list')
    assert.equal(published.seed, null, 'the seed stays secret until the draw')
    await page.locator('[data-test="lottery-file-eligible.csv"]').waitFor()
    await page.locator('[data-test="lottery-file-commitment.txt"]').waitFor()
    assert.equal(await page.locator('[data-test="lottery-file-seed.txt"]').count(), 0, 'no link to the seed before the draw')
    const reserved = (await api('GET', path('/units?status=selected'), { token: manager, base: DEMO })).body.units.length
    assert.equal(reserved, published.units, 'the formal round holds its units')

    // 摇号: the digits are read back, then drawn once.
    await page.locator('[data-test=round-draw]').click()
    const draw = page.locator('[data-test=draw-dialog]')
    await draw.locator('[data-test=draw-digits]').fill('3141x')
    assert.ok(await draw.locator('[data-test=draw-submit]').isDisabled(), 'only digits are drawn')
    await draw.locator('[data-test=draw-digits]').fill(DIGITS)
    assert.equal(await text(draw.locator('[data-test=draw-readback]')), '3141 5926')
    await page.waitForTimeout(300) // the dialog has zoomed in
    await keepScreenshot(page, 'selection - the draw, 1366x768')
    await draw.locator('[data-test=draw-submit]').click()
    await page.locator('[data-test=round-phase]', { hasText: '已摇号·待开始' }).waitFor()
    assert.equal(await text(page.locator('[data-test=lottery-digits]')), DIGITS)
    const seed = await text(page.locator('[data-test=lottery-seed]'))
    assert.match(seed, HEX64)
    await settled(page)
    await keepScreenshot(page, 'selection - opening console, the formal round drawn, 1366x768')
    await page.locator('[data-test=lottery-command]').scrollIntoViewIfNeeded()
    await keepScreenshot(page, 'selection - opening console, the lottery in public, 1366x768')

    // The five files through the page's own links, fetched as a stranger would (no session),
    // and the command the page shows, run on them.
    const dir = mkdtempSync(join(tmpdir(), 'anchang-lottery-'))
    try {
      for (const file of ['eligible.csv', 'commitment.txt', 'seed.txt', 'digits.txt', 'result.csv']) {
        const href = await page.locator(`[data-test="lottery-file-${file}"]`).getAttribute('href')
        const response = await fetch(new URL(href, DEMO))
        assert.equal(response.status, 200, `${file}: ${href}`)
        writeFileSync(join(dir, file), Buffer.from(await response.arrayBuffer()))
      }
      const eligible = readFileSync(join(dir, 'eligible.csv'), 'utf8')
      assert.ok(eligible.includes(',RC-013,138****8013\n'), eligible)
      assert.ok(!eligible.includes('13800138013'), 'no whole phone in public')
      assert.equal(readFileSync(join(dir, 'seed.txt'), 'utf8'), `${seed}\n`)
      const command = await text(page.locator('[data-test=lottery-command]'))
      const checked = await verify(command, dir)
      assert.equal(checked.code, 0, checked.out)
      assert.match(checked.out, /^verified/)
      // One digit changed: another order, and the verifier says so.
      const changed = DIGITS.slice(0, -1) + String((Number(DIGITS.at(-1)) + 1) % 10)
      writeFileSync(join(dir, 'digits.txt'), `${changed}\n`)
      const tampered = await verify(command, dir)
      assert.equal(tampered.code, 1, tampered.out)
      assert.match(tampered.out, /NOT verified/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }

    // A scheduled round's progress: everyone listed, nobody's batch open yet.
    await page.locator('[data-test=progress-buyers]', { hasText: String(qualified) }).waitFor()
    await page.locator('[data-test=progress-stragglers]').getByText('选房尚未开始').waitFor()

    // The printable result for the notary: the order as drawn, phones masked, and on paper only the sheet.
    await page.locator('[data-test=lottery-print]').click()
    await page.waitForURL((url) => url.pathname === '/selection/lottery' && url.searchParams.get('round') === String(formal.id))
    const order = (await api('GET', path(`/selection/rounds/${formal.id}/order`), { token: manager, base: DEMO })).body.order
    assert.equal(order.length, qualified)
    await page.locator(`[data-test=lottery-row-${order.length}]`).waitFor()
    assert.equal(await text(page.locator('[data-test=lottery-title]')), `《安畅·滨江壹号 ${formal.name} 摇号结果》`)
    for (const row of order) {
      const cells = page.locator(`[data-test=lottery-row-${row.order}] td`)
      assert.equal(await text(cells.nth(1)), row.buyer_no)
      assert.equal(await text(cells.nth(3)), `${row.phone.slice(0, 3)}****${row.phone.slice(7)}`)
    }
    assert.equal(await text(page.locator('[data-test=lottery-sheet-digits]')), DIGITS)
    assert.equal(await text(page.locator('[data-test=lottery-sheet-seed]')), seed)
    assert.equal(await text(page.locator('[data-test=lottery-sheet-commitment]')), commitment)
    const sheet = await page.locator('[data-test=lottery-sheet]').textContent()
    assert.ok(!sheet.includes(order[0].phone), 'no whole phone on paper')
    assert.ok(sheet.includes('入围名单') && !sheet.includes('files.'), 'the files are named in words')
    await page.evaluate(() => {
      window.print = () => {
        window.printed = true
      }
    })
    await page.locator('[data-test=lottery-print-now]').click()
    assert.equal(await page.evaluate(() => window.printed), true)
    await page.setViewportSize(A4)
    await page.emulateMedia({ media: 'print' })
    assert.ok(await page.locator('.console__aside').isHidden(), 'no menu on paper')
    assert.ok(await page.locator('[data-test=lottery-back]').isHidden(), 'no buttons on paper')
    await keepScreenshot(page, 'selection - the lottery result for the notary, A4 print')
    await page.emulateMedia({ media: 'screen' })
    await page.setViewportSize(DESKTOP)
    await settled(page)
    await keepScreenshot(page, 'selection - the lottery result on the screen, 1366x768')

    // 结束选房: the question says the unsold units go back, and they do.
    await page.locator('[data-test=lottery-back]').click()
    await page.locator('[data-test=round-title]', { hasText: formal.name }).waitFor()
    await page.locator('[data-test=round-close]').click()
    const closing = page.locator('.el-message-box', { hasText: `未售出的 ${published.units} 套房源将退回可售` })
    await closing.waitFor()
    await closing.locator('.el-message-box__btns .el-button--danger').click()
    await page.locator('[data-test=round-phase]', { hasText: '已结束' }).waitFor()
    assert.equal((await rounds()).find((r) => r.id === formal.id).status, 'closed')
    await eventually(
      async () => (await api('GET', path('/units?status=selected'), { token: manager, base: DEMO })).body.units.length === 0,
      'the unsold units are back on sale',
    )
    // The files stay public after the close.
    assert.equal((await fetch(`${DEMO}${path(`/selection/rounds/${formal.id}/lottery/result.csv`)}`)).status, 200)
  },
  { viewport: DESKTOP, timeout: 120_000 },
)

scenario(
  'an open round’s progress follows a buyer’s choice by itself; the console at 1920x1080 and in English',
  async (page) => {
    // A round of this file's own, open now in batches of four: the demo's mock round stays as
    // selection.test.mjs expects it (nobody has chosen there yet).
    const body = { name: OWN, kind: 'formal', groups: ['no_home', 'general'], starts_at: Date.now() - 60_000, ends_at: Date.now() + 3_600_000 }
    const made = await api('POST', path('/selection/rounds'), { token: manager, base: DEMO, body: { ...body, batch_size: 4, batch_gap_s: 3600 } })
    assert.equal(made.status, 201, JSON.stringify(made.body))
    const id = made.body.id
    const step = (what, digits) => api('POST', path(`/selection/rounds/${id}/${what}`), { token: manager, base: DEMO, body: digits ? { digits } : {} })
    try {
      assert.equal((await step('publish')).status, 200)
      assert.equal((await step('draw', '27182818')).status, 200)
      await login(page, 'manager', undefined, DEMO)
      await page.goto(`${DEMO}/selection/console`)
      // Without a choice the console shows a round that is open, the newest first.
      await page.locator('[data-test=round-title]', { hasText: OWN }).waitFor()
      await page.waitForURL((url) => url.searchParams.get('round') === String(id))
      await page.locator('[data-test=progress-live]').waitFor()
      const start = (await api('GET', path(`/selection/rounds/${id}/progress`), { token: manager, base: DEMO })).body
      assert.equal(start.batches_open, 1, 'the first batch is open, the next in an hour')
      const sold = page.locator('[data-test=progress-sold-count]')
      await page.locator('[data-test=progress-sold-count]', { hasText: String(start.sold) }).waitFor()
      await page.locator('[data-test=progress-batches] .progress__value', { hasText: `1 / ${Math.ceil(start.buyers / 4)}` }).waitFor()
      const stragglers = page.locator('[data-test=progress-stragglers] .el-table__body-wrapper tbody tr')
      await eventually(async () => (await stragglers.count()) === 4, 'the first batch’s four buyers listed')
      assert.match(await text(stragglers.first().locator('[data-test=straggler-phone]')), /^1\d{2}\*{4}\d{4}$/, 'phones masked')

      // A buyer of the open batch signs in with a texted code and chooses a unit.
      const chooser = start.stragglers.find((s) => !RESERVED.includes(s.buyer_no))
      const phone = (await buyers()).find((b) => b.buyer_no === chooser.buyer_no).phone
      const asking = { phone, project_id: 1, role: 'buyer' }
      assert.equal((await api('POST', '/api/v1/auth/code', { body: asking, base: DEMO })).status, 202)
      const signedIn = await api('POST', '/api/v1/auth/code/verify', { body: { ...asking, code: await textedCode(phone) }, base: DEMO })
      assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body))
      const buyer = signedIn.body.token
      const board = (await api('GET', path(`/selection/rounds/${id}/board`), { token: buyer, base: DEMO })).body
      const unit = board.units.find((u) => u.status === 'available')
      let chosen
      await eventually(async () => {
        chosen = await api('POST', path(`/selection/rounds/${id}/selections`), {
          token: buyer,
          base: DEMO,
          body: { unit_id: unit.unit_id, price: unit.price, request_id: `e2e-console-${Date.now()}` },
        })
        return chosen.status !== 202 // the waiting room lets them in
      }, 'the buyer is admitted')
      assert.equal(chosen.status, 201, JSON.stringify(chosen.body))

      // The panel reads again by itself: sold, chosen and the last minute move; the buyer leaves the stragglers.
      await eventually(async () => (await text(sold)) === String(start.sold + 1), 'the sale shows without a click')
      assert.equal(await text(page.locator('[data-test=progress-chose] .progress__value')), `${start.chose + 1} / ${start.buyers}`)
      const now = (await api('GET', path(`/selection/rounds/${id}/progress`), { token: manager, base: DEMO })).body
      assert.equal(await text(page.locator('[data-test=progress-verified] .progress__value')), `${now.verified} / ${now.buyers}`)
      assert.ok(Number(await text(page.locator('[data-test=progress-last-minute] .progress__value'))) >= 1)
      await eventually(async () => (await stragglers.count()) === 3, 'the buyer who chose is no straggler')
      assert.equal(await page.locator('[data-test=progress-stragglers]').getByText(chooser.buyer_no, { exact: true }).count(), 0)
      await settled(page)
      await keepScreenshot(page, 'selection - opening console, live progress, 1366x768')

      await page.setViewportSize(WIDE)
      await settled(page)
      await keepScreenshot(page, 'selection - opening console, live progress, 1920x1080')

      // In English, the same console.
      await page.setViewportSize(DESKTOP)
      await page.evaluate(() => localStorage.setItem('anchang.lang', 'en'))
      await page.reload()
      await page.locator('[data-test=progress-panel]').getByText('Buyers of open batches who have not chosen').waitFor()
      await page.locator('[data-test=round-phase]', { hasText: 'Open' }).waitFor()
      await settled(page)
      await keepScreenshot(page, 'selection - opening console in English, 1366x768')
    } finally {
      // Closed whatever happened: its units go back on sale and the demo's mock round is the only one open again.
      await step('close')
    }
  },
  { viewport: DESKTOP, timeout: 120_000 },
)

scenario(
  'a draft round is set up through its dialog, refused without a name, and changed before it is published',
  async (page) => {
    await login(page, 'manager', undefined, DEMO)
    await page.goto(`${DEMO}/selection/console`)
    await page.locator('[data-test=round-title]').waitFor()
    await page.locator('[data-test=round-new]').click()
    const dialog = page.locator('[data-test=round-dialog]')
    await dialog.locator('[data-test=round-save]').click()
    await dialog.getByText('请填写场次名称').waitFor()
    await dialog.locator('[data-test=round-name]').fill('二期正式选房')
    await dialog.locator('[data-test=round-batched]').click()
    await dialog.locator('[data-test=round-batch-size]').locator('input').fill('8')
    await dialog.locator('[data-test=round-head-start]').locator('input').fill('10')
    await dialog.locator('[data-test=round-name]').click() // the numbers are taken when they lose the focus
    await page.waitForTimeout(300) // the dialog has zoomed in
    await keepScreenshot(page, 'selection - a new round, 1366x768')
    await dialog.locator('[data-test=round-save]').click()
    await page.locator('[data-test=round-title]', { hasText: '二期正式选房' }).waitFor()
    await page.locator('[data-test=round-phase]', { hasText: '草稿' }).waitFor()
    await page.locator('[data-test=round-pacing-text]', { hasText: '分批：每批 8 人，每批提前 10 分钟' }).waitFor()
    const made = (await rounds()).find((r) => r.name === '二期正式选房')
    assert.deepEqual(
      [made.kind, made.status, made.batch_size, made.batch_gap_s, made.groups.map((g) => g.code)],
      ['formal', 'draft', 8, 600, ['no_home', 'general']],
    )
    assert.equal(made.ends_at - made.starts_at, 3 * 3600 * 1000, 'tomorrow morning, three hours, unless changed')

    // A draft changes: the families without a home only, everyone at once, two units a household.
    // (It stays formal: selection.test.mjs, which runs after this file, takes the first mock round listed for the demo's.)
    await page.locator('[data-test=round-edit]').click()
    await dialog.locator('[data-test=round-group-general]').click()
    await dialog.locator('[data-test=round-at-once]').click()
    await dialog.locator('[data-test=round-household-limit]').locator('input').fill('2')
    await dialog.locator('[data-test=round-name]').click()
    await dialog.locator('[data-test=round-save]').click()
    await page.locator('[data-test=round-pacing-text]', { hasText: '一次全部开放' }).waitFor()
    const changed = (await rounds()).find((r) => r.id === made.id)
    assert.deepEqual([changed.kind, changed.batch_size, changed.household_limit, changed.groups.map((g) => g.code)], ['formal', 0, 2, ['no_home']])
  },
  { viewport: DESKTOP },
)
