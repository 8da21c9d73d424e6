import { describe, expect, it } from 'vitest'
import { alertQuery, escapeHtml, fenToYuan, given, monthRange, objectLink, parsePersons, yuanToFen } from './logic'

describe('monthRange', () => {
  it.each([
    ['2026-02', ['2026-02-01', '2026-02-28']],
    ['2024-02', ['2024-02-01', '2024-02-29']],
    ['2026-12', ['2026-12-01', '2026-12-31']],
    ['2026-4', ['2026-04-01', '2026-04-30']],
  ])('%s', (m, want) => expect(monthRange(m)).toEqual(want))
})

describe('given', () => {
  it('keeps the filters that are set, in their order', () => {
    expect(given({ model: 'M01', stage: '', town: undefined, overdue: false, q: null, limit: 0, all: true })).toEqual({ model: 'M01', limit: 0, all: true })
    expect(Object.keys(given({ b: 'x', a: 'y' }))).toEqual(['b', 'a'])
  })
})

describe('alertQuery', () => {
  it('drops empty and false filters and keeps the rest as text', () => {
    const q = alertQuery({ model: 'M01', stage: '', town: undefined, overdue: false, q: null, min_amount: '10' })
    expect(q.toString()).toBe('model=M01&min_amount=10')
    expect(alertQuery({ overdue: true }).toString()).toBe('overdue=true')
  })
  it('encodes Chinese unit names', () => {
    expect(alertQuery({ responsible: '县民政局' }).get('responsible')).toBe('县民政局')
  })
})

describe('yuanToFen', () => {
  it.each([
    ['0', 0],
    ['1234.5', 123450],
    ['0.01', 1],
    [' 68000.00 ', 6800000],
    ['9999999999999.99', 999999999999999],
  ])('%s is %d fen', (s, fen) => expect(yuanToFen(s)).toBe(fen))
  it.each(['', '-1', '1.234', '1,000', 'abc', '1e3'])('%s is refused', (s) => expect(yuanToFen(s)).toBeNull())
})

describe('objectLink', () => {
  it.each([
    ['alert:42', '/alerts/42'],
    ['alerts?stage=routed', '/alerts?stage=routed'],
    ['recommendation:3', '/recommendations'],
    ['document:7', '/documents/7'],
    ['data/upload', '/data/upload'],
    ['alert:x', null],
    ['', null],
  ])('%s leads to %s', (o, want) => expect(objectLink(o)).toBe(want))
})

describe('parsePersons', () => {
  it('reads one person a line, separated by commas, tabs or spaces, skipping blanks', () => {
    expect(parsePersons('11010519491231002X,张三\n\n110105194912310038\t李 四\n 61032719700101100x 王五 ')).toEqual([
      { id_number: '11010519491231002X', name: '张三' },
      { id_number: '110105194912310038', name: '李四' },
      { id_number: '61032719700101100X', name: '王五' },
    ])
  })
})

describe('fenToYuan', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [30050, '300.50'],
    [123456789, '1,234,567.89'],
    [-1050, '-10.50'],
  ])('%d fen is %s yuan', (fen, want) => expect(fenToYuan(fen)).toBe(want))
  it('takes whole fen as a bigint too, beyond the safe integers', () => {
    expect(fenToYuan(900719925474099399n)).toBe('9,007,199,254,740,993.99')
    expect(fenToYuan(-5n)).toBe('-0.05')
  })
})

describe('escapeHtml', () => {
  it('shows markup from data as text (graph tooltips)', () => {
    expect(escapeHtml('<img src=x onerror=alert(1)>&"\'')).toBe('&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;')
    expect(escapeHtml(undefined)).toBe('')
  })
})
