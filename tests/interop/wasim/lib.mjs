// Helpers shared by the tests that drive wasim with the real Baileys 7 (and
// wagate): bounded waits, the admin API client, and reading Baileys events.

export const STEP_MS = 20_000

export const sleep = ms => new Promise(r => setTimeout(r, ms))

// `promise`, or a rejection naming `what` after `ms`.
export function withTimeout (promise, ms, what) {
  let timer
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), ms) })
  ])
}

// Polls `fn` until it returns something truthy, at most `ms`; `progress`
// (optional) says how far it got when it gives up.
export async function until (what, fn, ms = STEP_MS, progress) {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timeout: ${what}${progress ? ' (' + await progress() + ')' : ''}`)
    await sleep(100)
  }
}

// The admin API of the wasim at `adminUrl`: admin(method, route, body) →
// { status, body }, each call bounded.
export function adminClient (adminUrl) {
  return async (method, route, body) => {
    const res = await fetch(adminUrl + route, {
      method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body),
      signal: AbortSignal.timeout(30_000)
    })
    return { status: res.status, body: await res.json() }
  }
}

export const closeCode = u => u.lastDisconnect?.error?.output?.statusCode
export const textOf = m => m.message?.conversation ?? m.message?.extendedTextMessage?.text
