//! The functions models use beyond DataFusion's own: month arithmetic and age.
//!
//! - `last_day(date)`: the last day of the date's month.
//! - `add_months(date, n)`: the same day n months later (clamped to the month's end).
//! - `age_years(birth, date)`: full years from a birth date to the date. The birth date inside
//!   an ID field `k` is the column `_birth_k`, derived at import: the ID itself is a token.

use chrono::{Datelike, Months, NaiveDate};
use datafusion::arrow::array::{Array, ArrayRef, Date32Array, Int32Array, Int64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarUDF, Volatility, create_udf};
use datafusion::prelude::SessionContext;
use std::sync::Arc;

const EPOCH_CE_DAYS: i32 = 719_163;

fn to_date(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days + EPOCH_CE_DAYS)
}

fn from_date(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - EPOCH_CE_DAYS
}

fn downcast<'a, T: 'static>(a: &'a ArrayRef, f: &str) -> Result<&'a T> {
    a.as_any()
        .downcast_ref::<T>()
        .ok_or_else(|| DataFusionError::Execution(format!("{f}: unexpected argument type")))
}

fn last_day(args: &[ColumnarValue]) -> Result<ColumnarValue> {
    let arrays = ColumnarValue::values_to_arrays(args)?;
    let dates = downcast::<Date32Array>(&arrays[0], "last_day")?;
    let out: Date32Array = dates
        .iter()
        .map(|d| {
            let d = to_date(d?)?;
            let first = d.with_day(1)?;
            Some(from_date(
                first.checked_add_months(Months::new(1))?.pred_opt()?,
            ))
        })
        .collect();
    Ok(ColumnarValue::Array(Arc::new(out)))
}

fn add_months(args: &[ColumnarValue]) -> Result<ColumnarValue> {
    let arrays = ColumnarValue::values_to_arrays(args)?;
    let dates = downcast::<Date32Array>(&arrays[0], "add_months")?;
    let n = downcast::<Int64Array>(&arrays[1], "add_months")?;
    let out: Date32Array = dates
        .iter()
        .zip(n.iter())
        .map(|(d, n)| {
            let d = to_date(d?)?;
            let n = n?;
            let moved = if n >= 0 {
                d.checked_add_months(Months::new(u32::try_from(n).ok()?))
            } else {
                d.checked_sub_months(Months::new(u32::try_from(-n).ok()?))
            };
            moved.map(from_date)
        })
        .collect();
    Ok(ColumnarValue::Array(Arc::new(out)))
}

fn age_years(args: &[ColumnarValue]) -> Result<ColumnarValue> {
    let arrays = ColumnarValue::values_to_arrays(args)?;
    let births = downcast::<Date32Array>(&arrays[0], "age_years")?;
    let dates = downcast::<Date32Array>(&arrays[1], "age_years")?;
    let out: Int32Array = births
        .iter()
        .zip(dates.iter())
        .map(|(b, d)| {
            let birth = to_date(b?)?;
            let on = to_date(d?)?;
            Some(mingjing_domain::calendar::age_on(birth, on))
        })
        .collect();
    Ok(ColumnarValue::Array(Arc::new(out)))
}

fn udf(
    name: &str,
    inputs: Vec<DataType>,
    ret: DataType,
    f: fn(&[ColumnarValue]) -> Result<ColumnarValue>,
) -> ScalarUDF {
    create_udf(name, inputs, ret, Volatility::Immutable, Arc::new(f))
}

/// Registers the functions in a session.
pub fn register(ctx: &SessionContext) {
    ctx.register_udf(udf(
        "last_day",
        vec![DataType::Date32],
        DataType::Date32,
        last_day,
    ));
    ctx.register_udf(udf(
        "add_months",
        vec![DataType::Date32, DataType::Int64],
        DataType::Date32,
        add_months,
    ));
    ctx.register_udf(udf(
        "age_years",
        vec![DataType::Date32, DataType::Date32],
        DataType::Int32,
        age_years,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_in_full_years_from_the_birth_date() {
        let day = |y, m, d| from_date(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        let births = Date32Array::from(vec![Some(day(1949, 12, 31)), None]);
        let on = Date32Array::from(vec![Some(day(2009, 12, 30)), Some(day(2009, 12, 30))]);
        let ColumnarValue::Array(out) = age_years(&[
            ColumnarValue::Array(Arc::new(births)),
            ColumnarValue::Array(Arc::new(on)),
        ])
        .unwrap() else {
            panic!("an array")
        };
        let out = out.as_any().downcast_ref::<Int32Array>().unwrap();
        assert_eq!(out.value(0), 59);
        assert!(out.is_null(1));
    }
}
