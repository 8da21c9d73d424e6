//! What is wrong with a file, in Simplified Chinese, for the people who upload it (the web UI
//! and its Excel reports). The English `Display` forms stay the batch interface's wording.

use crate::calendar::CalendarError;
use crate::cell::{MAX_TEXT_CHARS, Problem};
use crate::check::HeaderError;
use crate::id::IdError;
use crate::number::NumberError;
use crate::uscc::CreditCodeError;

impl Problem {
    /// The problem in Chinese.
    pub fn zh(&self) -> String {
        match self {
            Problem::Required => "必填项为空".into(),
            Problem::Id(e) => format!("身份证号{}", id_zh(e)),
            Problem::IdAsNumber => {
                "身份证号被存成了数字（只保留 15 位有效数字），请将该列设为文本格式后重新填写"
                    .into()
            }
            Problem::Code(e) => format!("统一社会信用代码{}", code_zh(e)),
            Problem::Number(e) => format!("金额{}", number_zh(e)),
            Problem::NotAnInteger => "不是整数".into(),
            Problem::Calendar(e) => calendar_zh(e),
            Problem::NotInEnum { value, allowed } => {
                format!("“{value}”不在可选值中（可选：{}）", allowed.join("、"))
            }
            Problem::TextTooLong(n) => format!("文本有 {n} 个字符，最多允许 {MAX_TEXT_CHARS} 个"),
            Problem::ControlCharacter { code, position } => {
                format!("第 {position} 个字符是控制字符 U+{code:04X}")
            }
            Problem::ExcelError(e) => format!("单元格是表格错误值 {e}"),
            Problem::PeriodMismatch { found, expected } => {
                format!("月份 {found} 与本次上传的所属月份 {expected} 不一致")
            }
            Problem::DuplicateKey { first_row, key } => {
                format!("与第 {first_row} 行重复（{key}）")
            }
            Problem::ExtraCells { cells, columns } => {
                format!("有 {cells} 个单元格，但表头只有 {columns} 列")
            }
        }
    }
}

impl HeaderError {
    /// The problem in Chinese.
    pub fn zh(&self) -> String {
        match self {
            HeaderError::NoHeader => "文件为空：没有表头行".into(),
            HeaderError::MissingColumn { key, label } => format!("缺少必需的列“{label}”（{key}）"),
            HeaderError::DuplicateColumn {
                field,
                first,
                second,
            } => format!("列“{first}”和“{second}”对应同一字段 {field}"),
        }
    }
}

fn id_zh(e: &IdError) -> String {
    match e {
        IdError::Empty => "为空".into(),
        IdError::FifteenDigits { upgraded } => {
            format!("是 15 位旧号码，标准要求 18 位（对应的 18 位号码为 {upgraded}）")
        }
        IdError::Length(n) => format!("有 {n} 位，应为 18 位"),
        IdError::NotDigit(p) => format!("第 {p} 位不是数字"),
        IdError::Checksum { found, expected } => format!("校验码为 {found}，应为 {expected}"),
        IdError::BadBirthDate(d) => format!("中的出生日期 {d} 不是有效日期"),
        IdError::BirthTooEarly(d) => format!("中的出生日期 {d} 早于 1900-01-01"),
        IdError::BirthInFuture(d) => format!("中的出生日期 {d} 晚于导入当天"),
    }
}

fn code_zh(e: &CreditCodeError) -> String {
    match e {
        CreditCodeError::Empty => "为空".into(),
        CreditCodeError::Length(n) => format!("有 {n} 位，应为 18 位"),
        CreditCodeError::BadSymbol { pos, ch } => format!("第 {pos} 位“{ch}”不是代码允许的字符"),
        CreditCodeError::Checksum { found, expected } => {
            format!("校验码为 {found}，应为 {expected}")
        }
    }
}

fn number_zh(e: &NumberError) -> String {
    match e {
        NumberError::NotANumber => "不是数字".into(),
        NumberError::Negative => "为负数".into(),
        NumberError::TooManyDecimals(n, max) => format!("有 {n} 位小数，最多允许 {max} 位"),
        NumberError::TooLarge => "过大".into(),
    }
}

fn calendar_zh(e: &CalendarError) -> String {
    match e {
        CalendarError::NotADate(s) => {
            format!("“{s}”不是日期（应如 2024-03-05、2024/3/5、2024年3月5日 或 20240305）")
        }
        CalendarError::NoSuchDate(s) => format!("“{s}”不是有效日期"),
        CalendarError::NotAMonth(s) => {
            format!("“{s}”不是月份（应如 2024-03、2024/3、2024年3月 或 202403）")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_read_in_chinese() {
        let p = Problem::Calendar(CalendarError::NoSuchDate("2026-13-45".into()));
        assert_eq!(p.zh(), "“2026-13-45”不是有效日期");
        let p = Problem::Id(IdError::Checksum {
            found: '7',
            expected: '8',
        });
        assert_eq!(p.zh(), "身份证号校验码为 7，应为 8");
        let h = HeaderError::MissingColumn {
            key: "id_number".into(),
            label: "公民身份号码".into(),
        };
        assert_eq!(h.zh(), "缺少必需的列“公民身份号码”（id_number）");
    }
}
