import { spawn } from 'node:child_process'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RULES_DIR, TENANTS_DIR } from './testing/shipped-ruleset.js'

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url))

/** Runs the CLI as policy editors do (tsx over the sources), with the shipped tenants. */
function rules(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@banditore/source', 'src/cli.ts', ...args, ...(args[0] === 'schema' ? [] : ['--tenants', TENANTS_DIR])], {
      cwd: PACKAGE_DIR,
      env: { ...process.env, INIT_CWD: PACKAGE_DIR },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(stdin)
  })
}

let broken: string
beforeAll(async () => {
  broken = await mkdtemp(join(tmpdir(), 'moderation-cli-'))
  await cp(RULES_DIR, broken, { recursive: true })
  const rulePath = join(broken, 'default/inbound/insults.json')
  const rule = JSON.parse(await readFile(rulePath, 'utf8'))
  rule.conditions.all[0].fact = 'tokenz'
  await writeFile(rulePath, JSON.stringify(rule))
})
afterAll(async () => {
  await rm(broken, { recursive: true, force: true })
})

describe.concurrent('rules CLI', { timeout: 30_000 }, () => {
  it('check: validates every file', async () => {
    const { code, stdout } = await rules(['check'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^ok: \d+ rules, \d+ cases, ruleset sha256:[0-9a-f]{16}$/m)
  })

  it('check: lists each problem as file, JSON path and reason, and exits 1', async () => {
    const { code, stdout } = await rules(['check', '--rules', broken])
    expect(code).toBe(1)
    expect(stdout).toContain('default/inbound/insults.json /conditions/all/0/fact: unknown fact "tokenz"')
    expect(stdout).toMatch(/1 problem: the ruleset is refused/)
  })

  it("test: runs every rule's cases", async () => {
    const { code, stdout } = await rules(['test'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^\d+ passed, 0 failed \(ruleset sha256:/m)
  })

  it('test: names the failing case and exits 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'moderation-cli-'))
    try {
      await cp(RULES_DIR, dir, { recursive: true })
      const casesPath = join(dir, 'default/inbound/insults.cases.json')
      const cases = JSON.parse(await readFile(casesPath, 'utf8'))
      cases.match.push({ text: 'buongiorno a tutti' })
      await writeFile(casesPath, JSON.stringify(cases))
      const { code, stdout } = await rules(['test', '--rules', dir, '--rule', 'insults'])
      expect(code).toBe(1)
      expect(stdout).toContain(`FAIL default/inbound/insults.cases.json /match/${cases.match.length - 1}: insults should fire but did not on "buongiorno a tutti"`)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('classify: one verdict per line, with a sender history across lines', async () => {
    const lines = [
      { text: 'A che ora apre l’anagrafe in via Roma 3?', from: '+393330000001' },
      { text: 'Siete dei coglioni', from: '+393330000002' },
      ...Array.from({ length: 6 }, (_, i) => ({ text: `messaggio ${i}`, from: '+393330000003', sentAt: `2026-03-11T09:00:${String(10 + i * 5)}Z` })),
    ]
    const { code, stdout } = await rules(['classify', '--tenant', 'corbetta'], lines.map((l) => JSON.stringify(l)).join('\n'))
    expect(code).toBe(0)
    const verdicts = stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(verdicts).toHaveLength(lines.length)
    expect(verdicts[0]).toEqual({ action: 'allow', categories: [], rules: [], rulesetVersion: expect.stringMatching(/^sha256:/) })
    expect(verdicts[1]).toMatchObject({ action: 'delete', categories: ['offensive-language'], rules: expect.arrayContaining(['vulgar-language']) })
    expect(verdicts.at(-2)).toMatchObject({ action: 'allow' })
    expect(verdicts.at(-1)).toMatchObject({ action: 'delete', categories: ['spam'], rules: ['spam-flooding'] })
    // Each verdict says why: the rule, the condition, the words or the value.
    expect(verdicts[1].explanations).toContainEqual(
      expect.objectContaining({ rule: 'vulgar-language', conditions: [expect.objectContaining({ fact: 'tokens', operator: 'containsLexicon', words: expect.arrayContaining(['coglioni']) })] }),
    )
    expect(verdicts.at(-1).explanations).toEqual([
      { rule: 'spam-flooding', category: 'spam', conditions: [{ fact: 'senderMessagesLastMinute', operator: 'greaterThanInclusive', value: 5, observed: 5 }] },
    ])
  })

  it('classify: requires the tenant', async () => {
    const { code, stderr } = await rules(['classify'])
    expect(code).toBe(1)
    expect(stderr).toMatch(/required option '--tenant <id>'/)
  })

  it('outbound: flags a broadcast draft', async () => {
    const { code, stdout } = await rules(['outbound', '--tenant', 'magenta'], JSON.stringify({ it: 'Votate la lista del sindaco!' }))
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ flagged: true, categories: ['political-propaganda'] })
  })

  it('schema: reports the committed schemas up to date', async () => {
    const { code, stdout } = await rules(['schema'])
    expect(code).toBe(0)
    expect(stdout).toContain('schemas are up to date')
  })
})
