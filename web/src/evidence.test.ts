import { describe, expect, it } from 'vitest'
import type { Schema } from './api'
import { amountColumn, MAIN_AT_LEAST, mergeEvidence, mixedKinds, moneyFen, ruleFields, shortUpload } from './evidence'
import { fenToYuan } from './logic'

type Table = Schema<'EvidenceTable'>
type Condition = Schema<'ConditionExplained'>
type DatasetType = Schema<'TypeView'>

// benefit_payments as the standard writes it, and as the server reads its rows back: the
// fields, then the birth dates of the ID fields, the row and the upload.
const payFields: [string, string, Schema<'FieldType'>][] = [
  ['program', '项目代码', 'enum'],
  ['id_number', '领取人身份证号', 'id18'],
  ['name', '领取人姓名', 'text'],
  ['town', '乡镇', 'text'],
  ['village', '村(社区)', 'text'],
  ['period', '发放月份', 'month'],
  ['amount', '发放金额', 'money'],
  ['bank_account', '收款账号', 'text'],
  ['account_holder_id', '账户持有人身份证号', 'id18'],
  ['pay_date', '发放日期', 'date'],
]
const payColumns = [...payFields.map(([k]) => k), '_birth_id_number', '_birth_account_holder_id', '_row', '_upload']
const payLabels = [...payFields.map(([, l]) => l), '_birth_id_number', '_birth_account_holder_id', '_row', '_upload']
const types: DatasetType[] = [
  {
    name: 'benefit_payments', label: '民生资金发放明细', owner: '各主管部门', description: '', key: ['program', 'id_number', 'period'], period: true, partition: ['program'],
    fields: payFields.map(([key, label, type]) => ({ key, label, type })),
  },
  {
    name: 'deaths', label: '死亡登记', owner: '民政局', description: '', key: ['id_number'], period: false, partition: [],
    fields: [
      { key: 'id_number', label: '公民身份号码', type: 'id18' },
      { key: 'name', label: '姓名', type: 'text' },
      { key: 'death_date', label: '死亡日期', type: 'date' },
      { key: 'source', label: '来源', type: 'text' },
    ],
  },
]

// One month's roll: one upload, one row.
const month = (m: number, amount: string): Table => {
  const upload = `0193a7c2d4e8700${m}8000aaaabbbbcc0${m}`
  const period = `2026-0${m}`
  return {
    dataset: 'benefit_payments', dataset_label: '民生资金发放明细', upload_dir: upload, columns: payColumns, labels: payLabels,
    rows: [['DIBAO', '110105********002X', '张三', '城关镇', '东关社区', period, amount, '62220002', null, `${period}-15`, '1949', null, String(10 + m), upload]],
  }
}
const amounts = ['500.00', '500.00', '480.50', '480.50', '500.00', '500.00', '499.99', '0.53']
const rolls = amounts.map((a, i) => month(i + 1, a))
const death: Table = {
  dataset: 'deaths', dataset_label: '死亡登记', upload_dir: 'd1', columns: ['id_number', 'name', 'death_date', 'source', '_birth_id_number', '_row', '_upload'],
  labels: ['公民身份号码', '姓名', '死亡日期', '来源', '_birth_id_number', '_row', '_upload'],
  rows: [['110105********002X', '张三', '2025-12-20', '公安', '1949', '3', 'd1']],
}
const conditions: Condition[] = [
  {
    condition: 'fire', kind: '触发', label: '领取人在该月份有民生资金发放记录', rule: '（全部记录）', dataset: 'benefit_payments',
    rows: rolls.map((r) => ({ dataset: 'benefit_payments', upload: r.upload_dir, row: Number(r.rows[0][12]) })),
  },
  {
    condition: 'require.0', kind: '同时存在', label: '领取人已死亡', rule: 'r.id_number = f.id_number 且 f.period > last_day(add_months(r.death_date, 0))',
    dataset: 'deaths', rows: [{ dataset: 'first_deaths', upload: 'd1', row: 3 }],
  },
]

describe('moneyFen', () => {
  it.each([
    ['1234.50', 123450n],
    ['1234.5', 123450n],
    ['12', 1200n],
    ['0.01', 1n],
    ['-3.05', -305n],
    [' 9007199254740993.99 ', 900719925474099399n],
  ])('%s is %s fen', (s, fen) => expect(moneyFen(s)).toBe(fen))
  it.each(['', 'abc', '1.234', '1,000.00', '1e3', '--1'])('%s is not an amount', (s) => expect(moneyFen(s)).toBeNull())
})

describe('ruleFields', () => {
  it('reads the firing dataset\'s fields (f.) and the condition\'s own (r., bare) from the rules', () => {
    const fields = ruleFields(conditions)
    expect([...(fields.get('benefit_payments') ?? [])].sort()).toEqual(['id_number', 'period'])
    expect(fields.get('deaths')?.has('death_date')).toBe(true)
    expect(fields.get('deaths')?.has('id_number')).toBe(true)
  })
  it('reads a grouping\'s fields as the firing dataset\'s, and skips quoted values', () => {
    const fields = ruleFields([
      { condition: 'fire', kind: '触发', label: '', rule: "f.program IN ('DIBAO', 'TEKUN')", dataset: 'benefit_payments', rows: [] },
      { condition: 'group', kind: '合计', label: '按 bank_account、program、period 合并后', rule: 'count(DISTINCT household_key) >= 3', dataset: '', rows: [] },
    ])
    const got = fields.get('benefit_payments') ?? new Set()
    for (const f of ['program', 'bank_account', 'period']) expect(got.has(f)).toBe(true)
    expect(got.has('DIBAO')).toBe(false)
  })
})

describe('mergeEvidence', () => {
  const merged = mergeEvidence([...rolls, death], conditions, types)
  const [pay, dead] = merged

  it('makes one table per dataset with every row, the firing dataset first', () => {
    expect(merged.map((e) => e.dataset)).toEqual(['benefit_payments', 'deaths'])
    expect(pay.rows).toHaveLength(8)
    expect(pay.uploads).toBe(8)
    expect(pay.fire).toBe(true)
    expect(dead.fire).toBe(false)
    expect(pay.label).toBe('民生资金发放明细')
  })

  it('keeps the upload and the spreadsheet row of each row, and the conditions it satisfied', () => {
    expect(pay.rows[0]).toMatchObject({ upload: rolls[0].upload_dir, row: 11, kinds: ['触发'], fire: true })
    expect(pay.rows[7].cells.period).toBe('2026-08')
    expect(new Set(pay.rows.map((r) => r.id)).size).toBe(8)
    // Cited under its building block (first_deaths), found by its upload and row.
    expect(dead.rows[0]).toMatchObject({ upload: 'd1', row: 3, kinds: ['同时存在'], fire: false })
    expect(pay.kinds).toEqual(['触发'])
    expect(mixedKinds(pay)).toBe(false)
  })

  it('shows the columns the rules read, the keys, the name and the money first; folds the rest', () => {
    const main = pay.columns.filter((c) => c.main).map((c) => c.key)
    for (const k of ['program', 'id_number', 'name', 'period', 'amount']) expect(main).toContain(k)
    // Filled up, in the dataset's order, to MAIN_AT_LEAST: where the money was paid.
    expect(main).toEqual(['program', 'id_number', 'name', 'town', 'village', 'period', 'amount'])
    expect(main.length).toBe(MAIN_AT_LEAST)
    expect(pay.columns.slice(0, main.length).every((c) => c.main)).toBe(true)
    expect(pay.columns.map((c) => c.key)).not.toContain('_row')
    expect(pay.columns.some((c) => c.key.startsWith('_'))).toBe(false)
    expect(pay.columns.filter((c) => !c.main).map((c) => c.key)).toEqual(['bank_account', 'account_holder_id', 'pay_date'])
    expect(pay.columns.find((c) => c.key === 'amount')).toMatchObject({ money: true, label: '发放金额', type: 'money' })
    expect(dead.columns.filter((c) => c.main).map((c) => c.key)).toEqual(['id_number', 'name', 'death_date', 'source'])
  })

  it('sums the money exactly in fen, and finds the column that makes the suspect amount', () => {
    expect(pay.sums.amount).toBe(346152n)
    expect(fenToYuan(pay.sums.amount ?? 0n)).toBe('3,461.52')
    expect(amountColumn(pay, '3461.52')?.key).toBe('amount')
    expect(amountColumn(pay, '3461.51')).toBeNull()
    expect(amountColumn(pay, null)).toBeNull()
    expect(amountColumn(dead, '3461.52')).toBeNull()
  })

  it('adds what floating point would not (0.1 + 0.2)', () => {
    const ev = mergeEvidence([month(1, '0.10'), month(2, '0.20')], [], types)[0]
    expect(ev.sums.amount).toBe(30n)
    // Not cited by a firing condition: no rows to compare with the alert's amount.
    expect(amountColumn(ev, '0.30')).toBeNull()
  })

  it('recognises amounts by their values when the types are not known', () => {
    const ev = mergeEvidence(rolls.slice(0, 2), conditions)[0]
    expect(ev.columns.filter((c) => c.money).map((c) => c.key)).toEqual(['amount'])
    expect(ev.sums.amount).toBe(100000n)
    expect(ev.columns.find((c) => c.key === 'amount')?.type).toBeNull()
  })

  it('leaves a sum out when a value is not an amount, and skips empty cells', () => {
    const odd = month(3, 'n/a'), none = month(4, '500.00')
    none.rows[0][6] = null
    const ev = mergeEvidence([month(1, '1.00'), none], [], types)[0]
    expect(ev.sums.amount).toBe(100n)
    expect(mergeEvidence([month(1, '1.00'), odd], [], types)[0].sums.amount).toBeNull()
  })

  it('merges uploads whose columns differ (a type redefined between them)', () => {
    const older: Table = { ...month(1, '1.00') }
    older.columns = older.columns.filter((c) => c !== 'pay_date')
    older.labels = older.labels.filter((l) => l !== '发放日期')
    older.rows = [older.rows[0].filter((_, j) => j !== 9)]
    const ev = mergeEvidence([older, month(2, '2.00')], [], types)[0]
    expect(ev.rows[0].cells.pay_date).toBeUndefined()
    expect(ev.rows[1].cells.pay_date).toBe('2026-02-15')
    expect(ev.columns.map((c) => c.key)).toContain('pay_date')
    expect(ev.sums.amount).toBe(300n)
  })

  it('says so when the rows of a table satisfied different conditions', () => {
    const both: Condition[] = [
      { ...conditions[0], rows: [{ dataset: 'benefit_payments', upload: rolls[0].upload_dir, row: 11 }] },
      { condition: 'require.0', kind: '同时存在', label: '', rule: 'r.bank_account = f.bank_account', dataset: 'benefit_payments', rows: [{ dataset: 'benefit_payments', upload: rolls[1].upload_dir, row: 12 }] },
    ]
    const ev = mergeEvidence(rolls.slice(0, 2), both, types)[0]
    expect(ev.kinds).toEqual(['触发', '同时存在'])
    expect(mixedKinds(ev)).toBe(true)
    // The suspect amount is the firing rows' only.
    expect(ev.sums.amount).toBe(100000n)
    expect(ev.fireSums.amount).toBe(50000n)
    expect(amountColumn(ev, '500.00')?.key).toBe('amount')
  })
})

describe('shortUpload', () => {
  it('names an upload by the end of its folder, which differs between uploads of the same minute', () => {
    expect(shortUpload('0193a7c2d4e870018000aaaabbbbcc01')).toBe('bbcc01')
    expect(shortUpload('d1')).toBe('d1')
  })
})
