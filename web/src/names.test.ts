import { describe, expect, it } from 'vitest'
import { modelNameFromSummary, paramShown } from './names'

describe('modelNameFromSummary', () => {
  it('reads the name before the model\'s number and version', () => {
    expect(modelNameFromSummary('死亡人员仍领取民生资金（M01 v1）：一笔发放的月份晚于……', 'M01', 1)).toBe('死亡人员仍领取民生资金')
    expect(modelNameFromSummary('自建模型（X v2）：说明（M01 v1）：', 'X', 2)).toBe('自建模型')
  })
  it('is null for another model or version, or a summary without a name', () => {
    expect(modelNameFromSummary('死亡人员仍领取民生资金（M01 v1）：说明', 'M02', 1)).toBeNull()
    expect(modelNameFromSummary('死亡人员仍领取民生资金（M01 v1）：说明', 'M01', 2)).toBeNull()
    expect(modelNameFromSummary('（M01 v1）：说明', 'M01', 1)).toBeNull()
  })
})

describe('paramShown', () => {
  const p = (name: string, value: string) => ({ name, label: '', value })
  it('shows a programme list as its items', () => {
    expect(paramShown(p('programs', '["DIBAO", "TEKUN"]'))).toEqual({ list: ['DIBAO', 'TEKUN'] })
    expect(paramShown(p('programs', '[]'))).toEqual({ list: [] })
  })
  it('shows numbers as numbers, months with their unit, text without quotes', () => {
    expect(paramShown(p('households', '3'))).toEqual({ text: '3' })
    expect(paramShown(p('grace_months', '2'))).toEqual({ text: '2 个月' })
    expect(paramShown(p('months', '0'))).toEqual({ text: '0 个月' })
    expect(paramShown(p('min_capital', '"0"'))).toEqual({ text: '0' })
    expect(paramShown(p('rate', '0.5'))).toEqual({ text: '0.5' })
  })
  it('shows what it cannot read as written', () => {
    expect(paramShown(p('x', "'literal'"))).toEqual({ text: "'literal'" })
    expect(paramShown(p('x', '{ a = 1 }'))).toEqual({ text: '{ a = 1 }' })
    expect(paramShown(p('x', '[1, 2]'))).toEqual({ text: '[1, 2]' })
  })
})
