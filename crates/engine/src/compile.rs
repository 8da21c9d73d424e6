//! Compiling a model specification into one SQL query that DataFusion plans and runs.
//!
//! Every model, structured or written as SQL, yields rows of [`HIT_COLUMNS`]: one row per
//! piece of evidence, tagged with the alert it belongs to. Firing rows carry the amount; the
//! rows that satisfied a `require` carry none. The runner groups them into alerts.

use crate::spec::{Condition, Link, ModelSpec, ParamType, Query, Responsible};
use std::collections::BTreeMap;

/// The columns every compiled model returns.
pub const HIT_COLUMNS: &[&str] = &[
    "_subject",
    "_program",
    "_person",
    "_name",
    "_amount",
    "_responsible",
    "_ev_dataset",
    "_ev_upload",
    "_ev_row",
    "_ev_firing",
    "_ev_condition",
];

/// Building blocks of distinct (key, member) pairs (each is a `DISTINCT` or `UNION` query).
const PAIR_BLOCKS: &[&str] = &["household_members", "relatives", "household_by_id"];

/// Tables a model may read whose rows are not rows of an upload.
pub const ROWLESS_BLOCKS: &[&str] = &[
    "household_members",
    "relatives",
    "household_by_id",
    "latest_payment_month",
    "programs",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    #[error("model {model}: {msg}")]
    Invalid { model: String, msg: String },
}

/// A parameter's value as a SQL literal.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Int(i64),
    Decimal(String),
    Text(String),
    Programs(Vec<String>),
}

impl ParamValue {
    pub fn from_toml(ty: ParamType, v: &toml::Value) -> Option<Self> {
        match (ty, v) {
            (ParamType::Int, toml::Value::Integer(i)) => Some(ParamValue::Int(*i)),
            (ParamType::Decimal, toml::Value::String(s)) => s
                .parse::<mingjing_domain::Decimal>()
                .ok()
                .map(|d| ParamValue::Decimal(d.to_string())),
            (ParamType::Decimal, toml::Value::Integer(i)) if *i >= 0 => {
                Some(ParamValue::Decimal(i.to_string()))
            }
            (ParamType::Text, toml::Value::String(s)) => Some(ParamValue::Text(s.clone())),
            (ParamType::Programs, toml::Value::Array(a)) => a
                .iter()
                .map(|x| x.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .map(ParamValue::Programs),
            _ => None,
        }
    }

    fn sql(&self) -> String {
        match self {
            ParamValue::Int(i) => i.to_string(),
            ParamValue::Decimal(d) => format!("CAST('{d}' AS DECIMAL(38, 6))"),
            ParamValue::Text(s) => quote(s),
            ParamValue::Programs(p) if p.is_empty() => "NULL".into(),
            ParamValue::Programs(p) => p.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", "),
        }
    }
}

/// A SQL string literal.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Replaces `:name` with the parameter's literal. Names are letters, digits and underscores.
pub fn bind(expr: &str, params: &BTreeMap<String, ParamValue>) -> Result<String, String> {
    let mut out = String::with_capacity(expr.len());
    let mut chars = expr.char_indices().peekable();
    let bytes = expr.as_bytes();
    let mut in_string = false;
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            in_string = !in_string;
        }
        if c == ':'
            && !in_string
            && bytes
                .get(i + 1)
                .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        {
            // `::` casts are left alone.
            if i > 0 && bytes[i - 1] == b':' {
                out.push(c);
                continue;
            }
            let mut name = String::new();
            while let Some((_, n)) = chars.peek() {
                if n.is_ascii_alphanumeric() || *n == '_' {
                    name.push(*n);
                    chars.next();
                } else {
                    break;
                }
            }
            let v = params
                .get(&name)
                .ok_or_else(|| format!("unknown parameter :{name}"))?;
            out.push_str(&v.sql());
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

/// Resolves a model's parameters: defaults, overridden by `overrides`, plus the deployment's
/// own (`county`, `as_of`).
pub fn resolve_params(
    spec: &ModelSpec,
    overrides: &BTreeMap<String, toml::Value>,
    county: &str,
    as_of: chrono::NaiveDate,
) -> Result<BTreeMap<String, ParamValue>, CompileError> {
    let err = |msg: String| CompileError::Invalid {
        model: spec.id.clone(),
        msg,
    };
    let mut out = BTreeMap::new();
    for (name, p) in &spec.params {
        let raw = overrides.get(name).unwrap_or(&p.default);
        let v = ParamValue::from_toml(p.ty, raw).ok_or_else(|| {
            err(format!(
                "parameter {name}: {raw:?} is not a valid {:?}",
                p.ty
            ))
        })?;
        out.insert(name.clone(), v);
    }
    for name in overrides.keys() {
        if !spec.params.contains_key(name) {
            return Err(err(format!("unknown parameter {name}")));
        }
    }
    out.insert("county".into(), ParamValue::Text(county.to_string()));
    out.insert("as_of".into(), ParamValue::Text(as_of.to_string()));
    Ok(out)
}

/// Compiles a model into its query.
pub fn compile(
    spec: &ModelSpec,
    params: &BTreeMap<String, ParamValue>,
) -> Result<String, CompileError> {
    let err = |msg: String| CompileError::Invalid {
        model: spec.id.clone(),
        msg,
    };
    let b = |e: &str| bind(e, params).map_err(&err);
    let forms = [
        spec.fire.is_some(),
        spec.sql.is_some(),
        spec.query.is_some(),
    ];
    match forms.iter().filter(|x| **x).count() {
        1 => {}
        0 => return Err(err("a model needs one of `fire`, `sql` or `query`".into())),
        _ => {
            return Err(err(
                "a model is written in one form only: `fire`, `sql` or `query`".into(),
            ));
        }
    }
    if let Some(sql) = &spec.sql {
        return b(sql);
    }
    if let Some(q) = &spec.query {
        return compile_query(q, &b).map_err(&err);
    }
    let fire = spec
        .fire
        .as_ref()
        .ok_or_else(|| err("a model needs `fire` or `sql`".into()))?;

    let mut sql = String::from("WITH base AS (SELECT f.*");
    for (name, expr) in &fire.columns {
        sql.push_str(&format!(", {} AS {name}", b(expr)?));
    }
    let responsible = match &fire.responsible {
        Responsible::ProgramDepartment => "prog.department".to_string(),
        Responsible::Unit(u) => quote(u),
    };
    sql.push_str(&format!(
        ", CAST({} AS VARCHAR) AS _subject, CAST({} AS VARCHAR) AS _program, CAST({} AS VARCHAR) AS _person, \
         CAST({} AS VARCHAR) AS _name, CAST({} AS DECIMAL(38, 2)) AS _amount, CAST({responsible} AS VARCHAR) AS _responsible \
         FROM {} f",
        b(&fire.subject)?,
        fire.program.as_deref().map(&b).transpose()?.unwrap_or_else(|| "''".into()),
        fire.person.as_deref().or(Some(&fire.subject)).map(&b).transpose()?.unwrap_or_default(),
        fire.name.as_deref().map(&b).transpose()?.unwrap_or_else(|| "''".into()),
        fire.amount.as_deref().map(&b).transpose()?.unwrap_or_else(|| "NULL".into()),
        ident(&fire.from).map_err(&err)?,
    ));
    if matches!(fire.responsible, Responsible::ProgramDepartment) || uses_prog(spec) {
        sql.push_str(" LEFT JOIN programs prog ON prog.code = f.program");
    }
    for j in &fire.join {
        sql.push_str(&format!(
            " LEFT JOIN {} {} ON {}",
            ident(&j.dataset).map_err(&err)?,
            ident(&j.alias).map_err(&err)?,
            b(&j.on)?
        ));
    }
    if let Some(w) = &fire.filter {
        sql.push_str(&format!(" WHERE {}", b(w)?));
    }
    sql.push(')');

    // A firing row (aliased `f`) is known by its file row and subject (a join in `fire` may
    // give one row several subjects): `_fu, _fr, _fs` in a keyed link's rows, compared as
    // columns, not as one text key built for every row of the source.
    //
    // A link without `having` is a correlated [NOT] EXISTS, which DataFusion plans as a semi
    // or anti join of the source: no rows of its own. Only links with a `having` need their
    // rows per firing row (`req0`, `forb0`, ...).
    const KEY: &str = "_fu, _fr, _fs";
    let link_select = "f._upload AS _fu, f._row AS _fr, f._subject AS _fs, r.*";
    let matches = |table: &str| {
        format!(
            "SELECT 1 FROM {table} k WHERE k._fu = f._upload AND k._fr = f._row AND k._fs = f._subject"
        )
    };
    let direct = |link: &Link| link.having.is_none();
    let exists = |link: &Link| -> Result<String, CompileError> {
        let ds = ident(&link.dataset).map_err(&err)?;
        let (from, mut cond) = match &link.via {
            None => (format!("{ds} r"), format!("({})", b(&link.on)?)),
            // `on` may name the firing row, and DataFusion decorrelates a subquery's WHERE,
            // not its joins' ON: every condition goes in the WHERE.
            Some(via) => (
                format!("{} v, {ds} r", via_table(via, "base", &b)?),
                format!("v.key = {} AND ({})", b(&via.key)?, b(&link.on)?),
            ),
        };
        if let Some(w) = &link.filter {
            cond.push_str(&format!(" AND ({})", b(w)?));
        }
        Ok(format!("EXISTS (SELECT 1 FROM {from} WHERE {cond})"))
    };
    let mut conditions = Vec::new();
    for (i, link) in spec.require.iter().enumerate() {
        if direct(link) {
            conditions.push(exists(link)?);
            continue;
        }
        sql.push_str(&format!(
            ", req{i} AS ({})",
            link_rows(link, link_select, "base", &b)?
        ));
        match &link.having {
            Some(h) => {
                sql.push_str(&format!(
                    ", req{i}_ok AS (SELECT {KEY} FROM req{i} GROUP BY {KEY} HAVING {})",
                    b(h)?
                ));
                conditions.push(format!("EXISTS ({})", matches(&format!("req{i}_ok"))));
            }
            None => conditions.push(format!("EXISTS ({})", matches(&format!("req{i}")))),
        }
    }
    if !spec.require_any.is_empty() {
        let mut direct_any = Vec::new();
        let mut keyed_any = Vec::new();
        for (i, link) in spec.require_any.iter().enumerate() {
            if direct(link) {
                direct_any.push(exists(link)?);
                continue;
            }
            sql.push_str(&format!(
                ", any{i} AS ({})",
                link_rows(link, link_select, "base", &b)?
            ));
            match &link.having {
                Some(h) => {
                    sql.push_str(&format!(
                        ", any{i}_ok AS (SELECT {KEY} FROM any{i} GROUP BY {KEY} HAVING {})",
                        b(h)?
                    ));
                    keyed_any.push(format!("SELECT {KEY} FROM any{i}_ok"));
                }
                None => keyed_any.push(format!("SELECT {KEY} FROM any{i}")),
            }
        }
        if !keyed_any.is_empty() {
            direct_any.push(format!(
                "EXISTS ({})",
                matches(&format!("({})", keyed_any.join(" UNION ")))
            ));
        }
        conditions.push(format!("({})", direct_any.join(" OR ")));
    }
    for (i, link) in spec.forbid.iter().enumerate() {
        if direct(link) {
            conditions.push(format!("NOT {}", exists(link)?));
            continue;
        }
        let rows = link_rows(link, link_select, "base", &b)?;
        match &link.having {
            Some(h) => sql.push_str(&format!(
                ", forb{i} AS (SELECT {KEY} FROM ({rows}) GROUP BY {KEY} HAVING {})",
                b(h)?
            )),
            None => sql.push_str(&format!(
                ", forb{i} AS (SELECT DISTINCT {KEY} FROM ({rows}))"
            )),
        }
        conditions.push(format!("NOT EXISTS ({})", matches(&format!("forb{i}"))));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    match &spec.group {
        None => sql.push_str(&format!(", fired AS (SELECT * FROM base f{filter})")),
        Some(g) => {
            let by: Vec<String> =
                g.by.iter()
                    .map(|c| ident(c))
                    .collect::<Result<_, _>>()
                    .map_err(&err)?;
            let by = by.join(", ");
            // Tuple IN is not portable: a join on every column. The groups come first: a hash
            // join builds on its left side, the planner cannot tell that the groups that pass
            // the `having` are few, and a city's passing rows (17.5 million payments in M13)
            // did not fit the pool as a build side.
            let on: Vec<String> = g.by.iter().map(|c| format!("p.{c} = g.{c}")).collect();
            let on = on.join(" AND ");
            let having = b(&g.having)?;
            sql.push_str(&format!(", passing AS (SELECT * FROM base f{filter})"));
            // A `having` that needs k rows or more lets the groups be counted first, by a
            // plain count, and only the rows of groups that large be grouped by the `having`
            // itself: M13's count of distinct households over a city's 17.5 million payments,
            // nearly all alone in their (account, programme, month), took 33 s of query time;
            // counted first, 6 s.
            let grouped = match group_row_floor(&having) {
                Some(k) => {
                    sql.push_str(&format!(
                        ", crowded AS (SELECT {by} FROM passing GROUP BY {by} HAVING count(*) >= {k})"
                    ));
                    format!("(SELECT p.* FROM crowded g JOIN passing p ON {on})")
                }
                None => "passing".to_string(),
            };
            sql.push_str(&format!(
                ", groups AS (SELECT {by} FROM {grouped} GROUP BY {by} HAVING {having}), \
                 fired AS (SELECT p.* FROM groups g JOIN passing p ON {on})",
            ));
        }
    }
    sql.push_str(&format!(
        " SELECT _subject, _program, _person, _name, _amount, _responsible, {} AS _ev_dataset, _upload AS _ev_upload, _row AS _ev_row, TRUE AS _ev_firing, 'fire' AS _ev_condition FROM fired",
        quote(&fire.from)
    ));
    // The rows behind each require and require_any link, for the rows that fired: the same
    // link read from `fired` instead of `base` (a few rows instead of every payment).
    let evidence = spec
        .require
        .iter()
        .enumerate()
        .map(|(i, l)| (Condition::Require(i), l))
        .chain(
            spec.require_any
                .iter()
                .enumerate()
                .map(|(i, l)| (Condition::RequireAny(i), l)),
        );
    let evidence_select = "f._subject, f._program, f._person, f._name, f._responsible, r._upload AS _ru, r._row AS _rr";
    for (condition, link) in evidence {
        // Building blocks without row identity (e.g. household_members) give no evidence rows.
        if ROWLESS_BLOCKS.contains(&link.dataset.as_str()) {
            continue;
        }
        sql.push_str(&format!(
            " UNION ALL SELECT _subject, _program, _person, _name, CAST(NULL AS DECIMAL(38, 2)), _responsible, {}, _ru, _rr, FALSE, {} \
             FROM ({})",
            quote(crate::session::row_source(&link.dataset)),
            quote(&condition.tag()),
            link_rows(link, evidence_select, "fired", &b)?
        ));
    }
    Ok(sql)
}

/// A query split into stages: the common table expressions it reads more than once, each to be
/// computed once and kept, then the query over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staged {
    /// (table, query) in order; a stage's query may read the tables of the stages before it.
    pub stages: Vec<(String, String)>,
    pub query: String,
}

/// The fewest rows a group must have to pass `having`, when it says so: a conjunct
/// `count(...) >= k` or `count(...) > k - 1` with k at least 2 (any count of a group's rows,
/// distinct or filtered, is at most its number of rows). `None` when nothing bounds it.
fn group_row_floor(having: &str) -> Option<u64> {
    use datafusion::sql::sqlparser::ast::{BinaryOperator, Expr, Value};
    use datafusion::sql::sqlparser::dialect::GenericDialect;
    use datafusion::sql::sqlparser::parser::Parser;
    fn is_count(e: &Expr) -> bool {
        matches!(e, Expr::Function(f)
            if f.over.is_none()
                && f.name.0.len() == 1
                && f.name.to_string().eq_ignore_ascii_case("count"))
    }
    fn number(e: &Expr) -> Option<u64> {
        match e {
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) => n.parse().ok(),
                _ => None,
            },
            Expr::Nested(inner) => number(inner),
            _ => None,
        }
    }
    fn floor(e: &Expr) -> Option<u64> {
        let Expr::BinaryOp { left, op, right } = e else {
            return match e {
                Expr::Nested(inner) => floor(inner),
                _ => None,
            };
        };
        match op {
            BinaryOperator::And => floor(left).max(floor(right)),
            BinaryOperator::GtEq if is_count(left) => number(right),
            BinaryOperator::Gt if is_count(left) => number(right).map(|k| k + 1),
            BinaryOperator::LtEq if is_count(right) => number(left),
            BinaryOperator::Lt if is_count(right) => number(left).map(|k| k + 1),
            _ => None,
        }
    }
    let expr = Parser::new(&GenericDialect {})
        .try_with_sql(having)
        .ok()?
        .parse_expr()
        .ok()?;
    floor(&expr).filter(|k| *k >= 2)
}

/// Splits a query into [`Staged`] form.
///
/// DataFusion inlines a CTE wherever it is named: a structured model's `base` is read by every
/// link, by `fired` and by the evidence of each link, so the payments were scanned and joined
/// five times over in M01 and M11's `counts` was aggregated three times. Each CTE named more
/// than once is computed once instead: its stage is the `WITH` list up to and including it,
/// and in the query (and later stages) its body becomes `SELECT * FROM` the stage's table —
/// the same rows, so the result cannot change. A query that does not parse as one plain
/// `WITH` query (or is `WITH RECURSIVE`) is left whole; the engine reports its errors.
pub fn stage(sql: &str, table_prefix: &str) -> Staged {
    use datafusion::sql::sqlparser::ast::{Statement, visit_relations};
    use datafusion::sql::sqlparser::dialect::GenericDialect;
    use datafusion::sql::sqlparser::parser::Parser;
    let whole = || Staged {
        stages: Vec::new(),
        query: sql.to_string(),
    };
    let Ok(mut statements) = Parser::parse_sql(&GenericDialect {}, sql) else {
        return whole();
    };
    // Every table reference by a one-part name, wherever it is (a nested CTE of the same name
    // counts too: keeping the outer one once more than needed is harmless).
    let mut uses: BTreeMap<String, usize> = BTreeMap::new();
    let _ = visit_relations(&statements, |name| {
        if let [part] = name.0.as_slice()
            && let Some(ident) = part.as_ident()
        {
            *uses.entry(normalise(ident)).or_default() += 1;
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    let [Statement::Query(query)] = statements.as_mut_slice() else {
        return whole();
    };
    let Some(with) = query.with.as_mut().filter(|w| !w.recursive) else {
        return whole();
    };
    let mut stages = Vec::new();
    for i in 0..with.cte_tables.len() {
        let name = normalise(&with.cte_tables[i].alias.name);
        if uses.get(&name).copied().unwrap_or(0) < 2 {
            continue;
        }
        let table = format!("{table_prefix}{}", stages.len());
        let ctes: Vec<String> = with.cte_tables[..=i]
            .iter()
            .map(|c| c.to_string())
            .collect();
        stages.push((
            table.clone(),
            format!(
                "WITH {} SELECT * FROM {}",
                ctes.join(", "),
                with.cte_tables[i].alias.name
            ),
        ));
        let kept = Parser::parse_sql(&GenericDialect {}, &format!("SELECT * FROM {table}"))
            .ok()
            .and_then(|mut s| s.pop());
        let Some(Statement::Query(kept)) = kept else {
            unreachable!("a plain select is a query")
        };
        with.cte_tables[i].query = kept;
    }
    if stages.is_empty() {
        return whole();
    }
    Staged {
        stages,
        query: statements[0].to_string(),
    }
}

/// A name as the engine resolves it: unquoted names are case-insensitive.
fn normalise(ident: &datafusion::sql::sqlparser::ast::Ident) -> String {
    match ident.quote_style {
        None => ident.value.to_lowercase(),
        Some(_) => ident.value.clone(),
    }
}

/// The self-service SQL form: the user's query, wrapped so that it yields the hit columns.
fn compile_query(
    q: &Query,
    b: &impl Fn(&str) -> Result<String, CompileError>,
) -> Result<String, String> {
    let col = |c: &str| ident(c).map(|c| format!("q.{c}"));
    let text = |c: Option<&String>| -> Result<String, String> {
        Ok(match c {
            Some(c) => format!("CAST({} AS VARCHAR)", col(c)?),
            None => "''".into(),
        })
    };
    let responsible = match &q.responsible {
        Responsible::ProgramDepartment if q.program.is_none() => {
            return Err("responsible = \"program_department\" needs a `program` column".into());
        }
        Responsible::ProgramDepartment => "prog.department".to_string(),
        Responsible::Unit(u) => quote(u),
    };
    let user = b(&q.sql).map_err(|e| e.to_string())?;
    let user = user.trim().trim_end_matches(';');
    let mut sql = format!(
        "WITH q AS ({user}) SELECT CAST({subject} AS VARCHAR) AS _subject, {program} AS _program, \
         CAST({subject} AS VARCHAR) AS _person, {name} AS _name, {amount} AS _amount, \
         CAST({responsible} AS VARCHAR) AS _responsible, {dataset} AS _ev_dataset, \
         CAST(q._upload AS VARCHAR) AS _ev_upload, CAST(q._row AS BIGINT) AS _ev_row, TRUE AS _ev_firing, \
         'fire' AS _ev_condition FROM q",
        subject = col(&q.subject)?,
        program = text(q.program.as_ref())?,
        name = text(q.name.as_ref())?,
        amount = match &q.amount {
            Some(a) => format!("CAST({} AS DECIMAL(38, 2))", col(a)?),
            None => "CAST(NULL AS DECIMAL(38, 2))".into(),
        },
        dataset = quote(&ident(&q.dataset)?),
    );
    if let (Responsible::ProgramDepartment, Some(p)) = (&q.responsible, &q.program) {
        sql.push_str(&format!(
            " LEFT JOIN programs prog ON prog.code = {}",
            col(p)?
        ));
    }
    Ok(sql)
}

fn uses_prog(spec: &ModelSpec) -> bool {
    let fire = spec.fire.as_ref().expect("structured");
    let mut texts: Vec<&str> = vec![&fire.subject];
    texts.extend(fire.filter.as_deref());
    texts.extend(fire.amount.as_deref());
    texts.extend(fire.program.as_deref());
    texts.extend(fire.columns.values().map(String::as_str));
    for l in spec
        .require
        .iter()
        .chain(&spec.require_any)
        .chain(&spec.forbid)
    {
        texts.push(&l.on);
        texts.extend(l.filter.as_deref());
    }
    texts.iter().any(|t| t.contains("prog."))
}

/// The rows of a link, joined to the rows of `source` (`base` or `fired`, aliased `f`),
/// optionally through a block.
fn link_rows(
    link: &Link,
    select: &str,
    source: &str,
    b: &impl Fn(&str) -> Result<String, CompileError>,
) -> Result<String, CompileError> {
    let mut sql = format!("SELECT {select} FROM {source} f");
    if let Some(via) = &link.via {
        let key = b(&via.key)?;
        sql.push_str(&format!(
            " JOIN {} v ON v.key = {key}",
            via_table(via, source, b)?
        ));
    }
    let ds = ident(&link.dataset).map_err(|msg| CompileError::Invalid {
        model: String::new(),
        msg,
    })?;
    sql.push_str(&format!(" JOIN {ds} r ON {}", b(&link.on)?));
    if let Some(w) = &link.filter {
        sql.push_str(&format!(" WHERE {}", b(w)?));
    }
    Ok(sql)
}

/// The (key, member) pairs a link reaches others by: the block, and with `include_self` the
/// keys of `source`'s rows paired with themselves.
fn via_table(
    via: &crate::spec::Via,
    source: &str,
    b: &impl Fn(&str) -> Result<String, CompileError>,
) -> Result<String, CompileError> {
    let key = b(&via.key)?;
    let block = ident(&via.block).map_err(|msg| CompileError::Invalid {
        model: String::new(),
        msg,
    })?;
    Ok(
        if via.include_self && PAIR_BLOCKS.contains(&block.as_str()) {
            // The built-in blocks hold distinct pairs, so adding only the self pairs they lack
            // avoids a DISTINCT over a whole block.
            format!(
                "(SELECT key, member FROM {block} UNION ALL SELECT DISTINCT {key} AS key, {key} AS member FROM {source} f \
             WHERE NOT EXISTS (SELECT 1 FROM {block} s WHERE s.key = {key} AND s.member = {key}))"
            )
        } else if via.include_self {
            format!(
                "(SELECT key, member FROM {block} UNION SELECT {key} AS key, {key} AS member FROM {source} f)"
            )
        } else {
            block
        },
    )
}

/// A table or column name: letters, digits and underscores only (they are spliced into SQL).
fn ident(s: &str) -> Result<String, String> {
    if !s.is_empty()
        && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
        && !s.as_bytes()[0].is_ascii_digit()
    {
        Ok(s.to_string())
    } else {
        Err(format!("'{s}' is not a valid name"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_having_that_needs_k_rows_says_so_and_others_do_not() {
        for (having, floor) in [
            ("count(DISTINCT household_key) >= 3", Some(3)),
            ("COUNT(*) >= 2", Some(2)),
            ("count(id_number) > 2", Some(3)),
            ("3 <= count(DISTINCT x)", Some(3)),
            ("4 > count(x)", None),
            ("2 < count(x)", Some(3)),
            ("(count(*) >= 2) AND count(DISTINCT h) >= 4", Some(4)),
            ("sum(amount) > 100 AND count(*) >= 5", Some(5)),
            ("count(*) >= 3 OR sum(amount) > 100", None),
            ("count(*) >= 1", None),
            ("count(*) <= 3", None),
            ("sum(amount) >= 3", None),
            ("count(*) >= '3'", None),
            ("count(*) OVER () >= 3", None),
            ("not sql ((", None),
        ] {
            assert_eq!(group_row_floor(having), floor, "{having}");
        }
    }

    #[test]
    fn parameters_bind_as_literals_outside_strings() {
        let mut p = BTreeMap::new();
        p.insert(
            "programs".into(),
            ParamValue::Programs(vec!["DIBAO".into(), "TEKUN".into()]),
        );
        p.insert("n".into(), ParamValue::Int(3));
        p.insert("county".into(), ParamValue::Text("陇'县".into()));
        assert_eq!(
            bind(
                "f.program IN (:programs) AND x >= :n AND y = ':n' AND z::int = 1 AND c = :county",
                &p
            )
            .unwrap(),
            "f.program IN ('DIBAO', 'TEKUN') AND x >= 3 AND y = ':n' AND z::int = 1 AND c = '陇''县'"
        );
        assert!(bind("x = :nope", &p).is_err());
    }

    #[test]
    fn a_cte_named_twice_is_computed_once_and_read_from_its_stage() {
        let staged = stage(
            "WITH base AS (SELECT * FROM t WHERE x > 1), once AS (SELECT * FROM u), \
             twice AS (SELECT b.x FROM base b JOIN once o ON o.x = b.x) \
             SELECT x FROM twice UNION ALL SELECT x FROM twice t2 JOIN base ON base.x = t2.x",
            "_stage",
        );
        let tables: Vec<&str> = staged.stages.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(tables, ["_stage0", "_stage1"]);
        // A stage is the WITH list up to its CTE; earlier stages are read from their tables.
        assert_eq!(
            staged.stages[0].1,
            "WITH base AS (SELECT * FROM t WHERE x > 1) SELECT * FROM base"
        );
        assert_eq!(
            staged.stages[1].1,
            "WITH base AS (SELECT * FROM _stage0), once AS (SELECT * FROM u), \
             twice AS (SELECT b.x FROM base b JOIN once o ON o.x = b.x) SELECT * FROM twice"
        );
        assert_eq!(
            staged.query,
            "WITH base AS (SELECT * FROM _stage0), once AS (SELECT * FROM u), \
             twice AS (SELECT * FROM _stage1) \
             SELECT x FROM twice UNION ALL SELECT x FROM twice t2 JOIN base ON base.x = t2.x"
        );
    }

    #[test]
    fn queries_without_ctes_to_share_are_left_whole() {
        for sql in [
            "SELECT 1",
            "WITH a AS (SELECT 1 AS x) SELECT x FROM a",
            "WITH RECURSIVE a AS (SELECT 1 AS x UNION ALL SELECT x + 1 FROM a WHERE x < 3) \
             SELECT * FROM a JOIN a b ON a.x = b.x",
            "this is not SQL",
            "SELECT 1; SELECT 2",
        ] {
            let staged = stage(sql, "_stage");
            assert!(staged.stages.is_empty(), "{sql}");
            assert_eq!(staged.query, sql);
        }
    }

    #[test]
    fn names_spliced_into_sql_are_checked() {
        assert!(ident("benefit_payments").is_ok());
        assert!(ident("x; DROP TABLE y").is_err());
        assert!(ident("").is_err());
    }
}
