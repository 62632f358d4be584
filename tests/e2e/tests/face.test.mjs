// Face risk control in the browser, on the demo kernel (the real face module and its demo data):
// the receptionist's tablet shows the notice before anything is captured — a visitor who says no
// is registered after an ID card check, with no photo; one who agrees has a real photo (from
// ../shared/face, never copied here: that part is skipped when the folder is absent) taken and
// matched —, then the risk officer rules an alert with both visits side by side, looks a person
// up, exports their data (a file is downloaded) and deletes it with a printed receipt, and prints
// the processing record and the entrance sign. Screenshots at the sizes each person uses (the
// desk's tablet both ways round, the console at 1366×768, a phone), on paper, and in English land
// in tests/e2e/artifacts/.
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { before } from 'node:test'
import { DEMO, api, keepScreenshot, login, scenario, tokenFor } from '../lib/harness.mjs'
import { demoRoster, openDesk, path, phones, typePhone } from '../lib/desk.mjs'

const TABLET = { width: 1024, height: 768 }
const TABLET_UPRIGHT = { width: 768, height: 1024 }
const DESKTOP = { width: 1366, height: 768 }
const PHONE = { width: 390, height: 844 }
const A4 = { width: 794, height: 1123 }
const PHOTOS = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'face', 'images')
const PHOTO = join(PHOTOS, 'obama_1.jpg')
const demo = demoRoster()
const freshPhone = phones('135')
const masked = (phone) => `${phone.slice(0, 3)}****${phone.slice(7)}`
// Whole mobile numbers: none may reach the risk officer's pages, which show phones masked.
const WHOLE_PHONE = /(?<!\d)1\d{10}(?!\d)/
let risk
// The phones this file registered, for the data page: the one who agreed, else the one who refused.
const registered = {}

// The face module loads its models after it starts, reporting itself degraded meanwhile (a few
// seconds; for good when no model is installed), and the UI shows only running modules' pages.
before(async () => {
  const admin = await tokenFor('admin', DEMO)
  const deadline = Date.now() + 60_000
  let face
  for (;;) {
    const modules = (await api('GET', '/api/v1/modules', { token: admin, base: DEMO })).body
    face = (modules.modules ?? modules).find((m) => m.id === 'face')
    if (face?.state !== 'degraded' || Date.now() > deadline) break
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  assert.equal(face?.state, 'running', `the demo kernel runs the face module (tests/e2e/run licenses it): ${JSON.stringify({ state: face?.state, reason: face?.reason })}`)
  risk = await tokenFor('risk', DEMO)
})

/** Waits for what still moves on the page — a loading mask, a dialog or drawer sliding in — before a screenshot. */
async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('.el-loading-mask'))
  await page.waitForTimeout(400)
}

/** A 1400×1000 JPEG, drawn in the page: PHOTO's visitor 900 px tall, and biden_2 380 px tall behind. */
async function withSomeoneBehind(page) {
  const url = (file) => `data:image/jpeg;base64,${readFileSync(file).toString('base64')}`
  const drawn = await page.evaluate(async ([near, behind]) => {
    const load = (src) => new Promise((resolve) => { const image = new Image(); image.onload = () => resolve(image); image.src = src })
    const [a, b] = await Promise.all([load(near), load(behind)])
    const canvas = Object.assign(document.createElement('canvas'), { width: 1400, height: 1000 })
    const g = canvas.getContext('2d')
    g.fillStyle = '#c8c8c8'
    g.fillRect(0, 0, 1400, 1000)
    g.drawImage(a, 20, 50, (a.width * 900) / a.height, 900)
    g.drawImage(b, 1000, 80, (b.width * 380) / b.height, 380)
    return canvas.toDataURL('image/jpeg', 0.85)
  }, [url(PHOTO), url(join(PHOTOS, 'biden_2.jpg'))])
  return Buffer.from(drawn.split(',')[1], 'base64')
}

async function person(phone) {
  const answer = await api('GET', path(`/face/people?phone=${phone}`), { token: risk, base: DEMO })
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  return answer.body
}

/**
 * An earlier visit of the same face under another phone, registered as the desk's API client
 * would: consent, another photo of the same man, the visit. The desk's photo then matches it.
 */
async function earlierVisit() {
  const token = await tokenFor('receptionist', DEMO)
  const phone = freshPhone()
  const consent = await api('POST', path('/face/consents'), {
    token,
    base: DEMO,
    body: { phone, name: '宇文先生', decision: 'accepted', notice_version: (await api('GET', path('/face/notice'), { token, base: DEMO })).body.version },
  })
  assert.equal(consent.status, 201, JSON.stringify(consent.body))
  const response = await fetch(`${DEMO}${path(`/face/captures?consent=${consent.body.consent.id}`)}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'image/jpeg' },
    body: readFileSync(join(PHOTOS, 'obama_2.jpg')),
  })
  const capture = await response.json()
  assert.equal(response.status, 201, JSON.stringify(capture))
  const visit = await api('POST', path('/visits'), {
    token,
    base: DEMO,
    body: { phone, name: '宇文先生', questionnaire: { layout: '三室两厅两卫' }, extensions: { face: { consent_id: consent.body.consent.id, capture_id: capture.capture.id } } },
  })
  assert.equal(visit.status, 201, JSON.stringify(visit.body))
  return phone
}

/** The desk with a new visitor typed in, up to the face check. */
async function newVisitor(desk, name) {
  const phone = freshPhone()
  await typePhone(desk, phone)
  await desk.locator('[data-test=lookup-new]').waitFor()
  await desk.locator('[data-test=desk-name]').fill(name)
  await desk.locator('[data-test=layout-三室两厅两卫]').click()
  return phone
}

scenario(
  'a visitor who refuses face recognition is registered after the ID card check, and nothing of their face is captured',
  async (desk) => {
    await demo.onDutyOnly('张伟', '李娜')
    await openDesk(desk)
    const field = desk.locator('[data-test=face-field]')
    await field.getByText('人脸核验').waitFor()

    // Before a phone is typed the notice can be read, but neither answer can be recorded.
    await desk.locator('[data-test=face-start]').click()
    const dialog = desk.locator('.face-dialog')
    await dialog.locator('[data-test=face-notice]').waitFor()
    await dialog.locator('[data-test=face-phone-first]').waitFor()
    assert.ok(await dialog.locator('[data-test=face-refuse]').isDisabled())
    await dialog.locator('.el-dialog__headerbtn').click()
    await dialog.waitFor({ state: 'hidden' })

    const phone = await newVisitor(desk, '公孙先生')
    await desk.locator('[data-test=face-start]').click()
    const notice = (await api('GET', path('/face/notice'), { token: risk, base: DEMO })).body
    await dialog.getByText(`告知版本 ${notice.version}`).waitFor()
    await dialog.getByText(notice.title['zh-CN']).waitFor()
    // Agreeing needs the box ticked; refusing does not.
    if (notice.engine.ready) assert.ok(await dialog.locator('[data-test=face-agree]').isDisabled(), 'no agreement without the box ticked')
    else await dialog.locator('[data-test=face-no-engine]').getByText('人脸识别未启用').waitFor()
    await settled(desk)
    await keepScreenshot(desk, 'face - the notice on the desk, tablet 1024x768')
    await desk.setViewportSize(TABLET_UPRIGHT)
    await settled(desk)
    await keepScreenshot(desk, 'face - the notice on the desk, tablet 768x1024')
    await desk.setViewportSize(TABLET)

    await dialog.locator('[data-test=face-refuse]').click()
    await dialog.waitFor({ state: 'hidden' })
    const refused = desk.locator('[data-test=face-refused]')
    await refused.getByText('访客不同意人脸识别').waitFor()
    // Words for the receptionist, not the notice's words for the visitor.
    await refused.getByText('请核对访客的身份证件').waitFor()
    await desk.locator('[data-test=face-id-checked]').click()
    await settled(desk)
    await keepScreenshot(desk, 'face - refused, the ID card checked, tablet 1024x768')
    await desk.locator('[data-test=desk-submit]').click()
    await desk.locator('[data-test=desk-outcome]').waitFor()
    await desk.locator('[data-test=check-face] .el-tag--success').waitFor()
    await settled(desk)
    await keepScreenshot(desk, 'face - refused and registered, tablet 1024x768')

    const visit = (await api('GET', path('/visits?limit=1'), { token: demo.manager, base: DEMO })).body.visits[0]
    assert.equal(visit.name, '公孙先生')
    assert.ok(visit.checks?.face, `face checked the registration: ${JSON.stringify(visit.checks)}`)
    const data = await person(phone)
    assert.equal(data.consents.length, 1)
    assert.equal(data.consents[0].decision, 'refused')
    assert.equal(data.captures.length, 0, 'nothing captured for a refusal')
    assert.equal(data.embeddings, 0)
    registered.refused = phone

    // The next visitor starts with no face check done.
    await desk.locator('[data-test=desk-next]').click()
    await desk.locator('[data-test=face-start]').waitFor()
    assert.equal(await desk.locator('[data-test=face-refused]').count(), 0)
  },
  { viewport: TABLET },
)

scenario(
  'a visitor who agrees has a photo taken and matched, and the registration carries the capture',
  async (desk) => {
    if (!existsSync(PHOTO)) {
      console.log(`SKIPPED the photo part: ${PHOTO} is absent (the face test photos live in ../shared/face, never in this repository)`)
      return
    }
    const notice = (await api('GET', path('/face/notice'), { token: risk, base: DEMO })).body
    if (!notice.engine.ready) {
      console.log(`SKIPPED the photo part: the demo kernel's face engine is not ready (${notice.engine.reason})`)
      return
    }
    await demo.onDutyOnly('张伟', '李娜')
    const earlier = await earlierVisit()
    await openDesk(desk)
    const phone = await newVisitor(desk, '宇文先生')
    await desk.locator('[data-test=face-start]').click()
    const dialog = desk.locator('.face-dialog')
    await dialog.locator('[data-test=face-notice]').waitFor()
    await dialog.locator('[data-test=face-agree-box]').click()
    await dialog.locator('[data-test=face-agree]').click()

    // Headless Chromium has no camera: the dialog says so and takes a photo from the file picker,
    // as a tablet on plain http does. The photo goes up as a JPEG scaled to 1280 px at most: the
    // visitor near the tablet and someone smaller behind them, who is counted and not recognised
    // (the tablet's re-encoding moves the detector's boxes, which once made these two a tie).
    const answered = desk.waitForResponse((r) => r.url().includes('/face/captures?consent=') && r.request().method() === 'POST')
    await dialog.locator('[data-test=face-pick]').waitFor()
    await dialog.locator('[data-test=face-file]').setInputFiles({ name: 'visitor.jpg', mimeType: 'image/jpeg', buffer: await withSomeoneBehind(desk) })
    const response = await answered
    assert.equal(response.request().headers()['content-type'], 'image/jpeg')
    assert.equal(response.status(), 201, await response.text())
    const { capture } = await response.json()
    assert.ok(Math.max(capture.width, capture.height) <= 1280, `scaled to 1280 px at most: ${capture.width}×${capture.height}`)

    // Another photo of the same man came earlier under another phone: the desk is warned.
    await dialog.locator('[data-test=face-result]').waitFor({ timeout: 20_000 })
    const warning = (await dialog.locator('[data-test=face-dialog-match]').textContent()).trim()
    assert.match(warning, new RegExp(`^与 \\d{4}-\\d{2}-\\d{2} [\\d:]+ 到访的 ${masked(earlier).replace(/\*/g, '\\*')} 疑似同一人`))
    await dialog.locator('[data-test=face-dialog-companions]', { hasText: '同框还有 1 人' }).waitFor()
    await settled(desk)
    await keepScreenshot(desk, 'face - the photo taken and matched, tablet 1024x768')
    await dialog.locator('[data-test=face-done]').click()
    await dialog.waitFor({ state: 'hidden' })
    // The thumbnail is the tablet's own copy, never fetched back from the server.
    assert.match(await desk.locator('[data-test=face-thumb]').getAttribute('src'), /^blob:/)
    await desk.locator('[data-test=desk-submit]').click()
    await desk.locator('[data-test=desk-outcome]').waitFor()
    await desk.locator('[data-test=check-face]').waitFor()
    await settled(desk)
    await keepScreenshot(desk, 'face - agreed and registered, tablet 1024x768')

    const data = await person(phone)
    assert.equal(data.consents[0].decision, 'accepted')
    assert.equal(data.captures.length, 1)
    assert.ok(data.embeddings >= 1, 'the face is kept as an embedding')
    registered.accepted = phone
    // The same face under two phones is for the risk officer to rule on.
    const alerts = (await api('GET', path('/face/alerts?status=open'), { token: risk, base: DEMO })).body.alerts
    assert.ok(
      alerts.some((a) => a.rule === 'other_phone' && a.current.phone === masked(phone) && a.earlier.phone === masked(earlier)),
      `an other_phone alert: ${JSON.stringify(alerts.map((a) => [a.rule, a.current.phone, a.earlier.phone]))}`,
    )
  },
  { viewport: TABLET },
)

scenario(
  'a photo without a face is refused with the reason, and the receptionist can retake it',
  async (desk) => {
    const notice = (await api('GET', path('/face/notice'), { token: risk, base: DEMO })).body
    if (!notice.engine.ready) {
      console.log(`SKIPPED: the demo kernel's face engine is not ready (${notice.engine.reason})`)
      return
    }
    await openDesk(desk)
    await newVisitor(desk, '端木先生')
    await desk.locator('[data-test=face-start]').click()
    const dialog = desk.locator('.face-dialog')
    await dialog.locator('[data-test=face-agree-box]').click()
    await dialog.locator('[data-test=face-agree]').click()
    // A plain grey picture, drawn in the page: no face in it.
    const grey = await desk.evaluate(() => {
      const canvas = document.createElement('canvas')
      canvas.width = 640
      canvas.height = 480
      const g = canvas.getContext('2d')
      g.fillStyle = '#8a8a8a'
      g.fillRect(0, 0, 640, 480)
      return canvas.toDataURL('image/png').split(',')[1]
    })
    await dialog.locator('[data-test=face-file]').setInputFiles({ name: 'wall.png', mimeType: 'image/png', buffer: Buffer.from(grey, 'base64') })
    // In the desk's words, whatever language the server wrote its message in.
    await dialog.locator('[data-test=face-failure]').getByText('照片中没有检测到人脸').waitFor({ timeout: 20_000 })
    await dialog.locator('[data-test=face-retake]').waitFor()
    await settled(desk)
    await keepScreenshot(desk, 'face - no face in the photo, retake, tablet 1024x768')
    await dialog.locator('[data-test=face-retake]').click()
    await dialog.locator('[data-test=face-pick]').waitFor()
  },
  { viewport: TABLET },
)

scenario(
  'the risk officer opens an alert, sees both visits side by side, and rules it with a note',
  async (page, another) => {
    const listed = (await api('GET', path('/face/alerts?status=open'), { token: risk, base: DEMO })).body
    assert.ok(listed.alerts.length >= 1, 'the demo has an open alert (and the photo part raised another)')
    for (const a of listed.alerts) assert.ok(!WHOLE_PHONE.test(`${a.current.phone} ${a.earlier.phone}`), 'phones come masked')
    const alert = listed.alerts[0]

    await login(page, 'risk', undefined, DEMO)
    await page.goto(`${DEMO}/face/alerts`)
    await page.locator('[data-test=face-tab-open]', { hasText: `待裁定 (${listed.counts.open})` }).waitFor()
    const row = page.locator(`[data-test=face-alert-${alert.id}]`)
    await row.waitFor()
    assert.ok(!WHOLE_PHONE.test(await page.locator('[data-test=face-alerts-table]').textContent()), 'no whole phone in the list')
    await settled(page)
    await keepScreenshot(page, 'face - the alerts, 1366x768')

    await row.click()
    const drawer = page.locator('[data-test=face-alert-drawer]')
    await drawer.locator('[data-test=face-side-current]').getByText('本次到访').waitFor()
    await drawer.locator('[data-test=face-side-earlier]').getByText('更早到访').waitFor()
    await drawer.locator('[data-test=face-side-current]').getByText(alert.current.phone).waitFor()
    await drawer.locator('[data-test=face-side-earlier]').getByText(alert.earlier.phone).waitFor()
    assert.match(await drawer.locator('[data-test=face-alert-measure]').textContent(), /相似度 [\d.]+%（特征距离 [\d.]+，阈值 [\d.]+/)
    assert.ok((await drawer.locator('[data-test=face-alert-explain]').textContent()).length > 20, 'the rule explained in a sentence')
    // A photo kept by the project is fetched with the login and shown from memory.
    for (const side of ['current', 'earlier'])
      if (alert[side].photo) assert.match(await drawer.locator(`[data-test=face-photo-${side}]`).getAttribute('src'), /^blob:/)
    assert.ok(await drawer.locator('[data-test=face-rule-dismiss]').isDisabled(), 'no ruling without a note')
    await settled(page)
    await keepScreenshot(page, 'face - an alert side by side, 1366x768')

    await drawer.locator('[data-test=face-rule-note]').fill('核对首次到访登记与监控录像：两次到访为同一家庭的不同成员，排除')
    await drawer.locator('[data-test=face-rule-dismiss]').click()
    // A ruling is final: asked once more before it is sent.
    const sure = page.locator('.el-message-box', { hasText: '裁定不能撤回' })
    await sure.waitFor()
    await settled(page)
    await keepScreenshot(page, 'face - a ruling asked once more, 1366x768')
    await sure.locator('.el-message-box__btns .el-button--primary').click()
    const ruling = drawer.locator('[data-test=face-ruling]')
    await ruling.locator('[data-test=face-ruling-verdict]', { hasText: '排除' }).waitFor()
    await ruling.getByText('两次到访为同一家庭的不同成员').waitFor()
    await settled(page)
    await keepScreenshot(page, 'face - an alert ruled, 1366x768')
    const after = (await api('GET', path(`/face/alerts/${alert.id}`), { token: risk, base: DEMO })).body
    const ruled = after.alert ?? after
    assert.equal(ruled.status, 'dismissed')
    assert.ok(ruled.ruling?.by_name, 'the ruling names who ruled')
    await page.keyboard.press('Escape')
    await page.locator('[data-test=face-tab-dismissed]', { hasText: `已排除 (${listed.counts.dismissed + 1})` }).waitFor()

    // On a phone the list and the alert still read.
    const phone = await another(PHONE)
    await login(phone, 'risk', undefined, DEMO)
    await phone.goto(`${DEMO}/face/alerts`)
    await phone.locator('[data-test=face-tab-all]').click()
    await phone.locator(`[data-test=face-alert-${alert.id}]`).click()
    await phone.locator('[data-test=face-ruling]').waitFor()
    await settled(phone)
    await keepScreenshot(phone, 'face - an alert on a phone 390x844')

    // In English.
    await page.evaluate(() => localStorage.setItem('anchang.lang', 'en'))
    await page.reload()
    await page.locator('[data-test=face-tab-open]', { hasText: 'Open (' }).waitFor()
    await page.locator('[data-test=face-tab-dismissed]', { hasText: 'Dismissed (' }).waitFor()
    await page.locator('[data-test=face-tab-all]').click()
    await page.locator(`[data-test=face-alert-${alert.id}]`).click()
    await drawer.locator('[data-test=face-side-current]').getByText('This visit').waitFor()
    await drawer.getByText('Ruling', { exact: true }).waitFor()
    await settled(page)
    await keepScreenshot(page, 'face - an alert in English, 1366x768')
  },
  { viewport: DESKTOP },
)

scenario(
  'the risk officer looks a person up, exports their face data and deletes it, with a receipt each time',
  async (page) => {
    // The visitor photographed earlier in this file; without the shared photos, the demo's 钱女士,
    // whose made-up face data the demo seed holds (a refusal alone leaves nothing to delete).
    const phone = registered.accepted ?? '13911110002'
    await login(page, 'risk', undefined, DEMO)
    await page.goto(`${DEMO}/face/people`)
    await page.locator('[data-test=face-data-phone]').fill(phone)
    await page.locator('[data-test=face-data-lookup]').click()
    const held = await person(phone)
    await page.locator('[data-test=face-data-consents]', { hasText: String(held.consents.length) }).waitFor()
    await page.locator('[data-test=face-data-embeddings]', { hasText: String(held.embeddings) }).waitFor()

    // 导出: the data is saved as a file, and the receipt shown.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=face-data-export]').click()])
    assert.match(download.suggestedFilename(), new RegExp(`^face-data-${phone.slice(0, 3)}[*_]{4}${phone.slice(7)}\\.json$`))
    const data = JSON.parse(readFileSync(await download.path(), 'utf8'))
    assert.ok(JSON.stringify(data).includes(phone), 'the person’s own export has their whole phone')
    const receipt = page.locator('[data-test=face-receipt]')
    await receipt.getByText('人脸数据导出回执').waitFor()
    assert.match(await page.locator('[data-test=face-receipt-id]').textContent(), /^FD-\d{8}-\d+$/)
    await settled(page)
    await keepScreenshot(page, 'face - the export receipt, 1366x768')

    // 删除: asked for a reason and confirmed; afterwards no embedding is left.
    await page.locator('[data-test=face-data-delete]').click()
    const box = page.locator('.el-message-box')
    await box.getByText('此操作不可撤销').waitFor()
    await box.locator('.el-button--danger').click()
    await box.getByText('请填写 1–200 字的原因').waitFor()
    await box.locator('textarea').fill('本人书面申请删除人脸信息')
    await box.locator('.el-button--danger').click()
    await receipt.getByText('人脸数据删除回执').waitFor()
    await receipt.getByText('本人书面申请删除人脸信息').waitFor()
    await page.locator('[data-test=face-data-embeddings]', { hasText: /^0$/ }).waitFor()
    assert.equal((await person(phone)).embeddings, 0)
    assert.ok(!(await receipt.textContent()).includes(phone), 'the receipt shows the phone masked')

    await page.evaluate(() => {
      window.print = () => {
        window.printed = true
      }
    })
    await page.locator('[data-test=face-receipt-print]').click()
    assert.equal(await page.evaluate(() => window.printed), true)
    await page.setViewportSize(A4)
    await page.emulateMedia({ media: 'print' })
    assert.ok(await page.locator('.console__aside').isHidden(), 'no menu on paper')
    assert.ok(await page.locator('[data-test=face-data-phone]').isHidden(), 'no look-up on paper')
    await keepScreenshot(page, 'face - the deletion receipt, A4 print')
    await page.emulateMedia({ media: 'screen' })
    await page.setViewportSize(DESKTOP)
    await settled(page)
    await keepScreenshot(page, 'face - the deletion receipt, 1366x768')
    // The erased consent says so; on a phone the lists are cards that fit its width.
    await page.locator('[data-test=face-data-erased]').first().waitFor()
    await page.locator('[data-test=face-data-nothing-to-delete]').waitFor()
    await page.setViewportSize(PHONE)
    const card = page.locator('[data-test=face-data-consent-card]').first()
    await card.getByText('数据已删除').waitFor()
    const cardBox = await card.boundingBox()
    assert.ok(cardBox.x + cardBox.width <= PHONE.width, 'a consent card fits the phone')
    await settled(page)
    await keepScreenshot(page, 'face - a person after the deletion, phone 390x844')
  },
  { viewport: DESKTOP },
)

scenario(
  'the processing record and the entrance sign render and print on A4',
  async (page) => {
    const record = (await api('GET', path('/face/record'), { token: risk, base: DEMO })).body
    await login(page, 'risk', undefined, DEMO)
    await page.goto(`${DEMO}/face/record`)
    const sheet = page.locator('[data-test=face-record-sheet]')
    await sheet.getByText('个人信息处理记录（人脸信息）').waitFor()
    await sheet.getByText(record.purpose['zh-CN']).waitFor()
    assert.equal((await page.locator('[data-test=face-count-captures]').textContent()).trim(), String(record.counts.captures))
    await settled(page)
    await keepScreenshot(page, 'face - the processing record, 1366x768')
    await page.setViewportSize(A4)
    await page.emulateMedia({ media: 'print' })
    assert.ok(await page.locator('.console__aside').isHidden(), 'no menu on paper')
    await keepScreenshot(page, 'face - the processing record, A4 print')
    await page.emulateMedia({ media: 'screen' })
    await page.setViewportSize(DESKTOP)

    await page.locator('[data-test=face-record-tab-signage]').click()
    await page.locator('[data-test=face-signage-text]').getByText(record.signage['zh-CN'].trim().slice(0, 10)).waitFor()
    await settled(page)
    await keepScreenshot(page, 'face - the entrance sign, 1366x768')
    await page.setViewportSize(A4)
    await page.emulateMedia({ media: 'print' })
    await keepScreenshot(page, 'face - the entrance sign, A4 print')
  },
  { viewport: DESKTOP },
)
