//! The reply letter's template (回复函模板): the fixed texts of an integrity-opinion reply, with
//! `{placeholders}` a deployment edits. Pure: checked when set, filled from values.

use serde::{Deserialize, Serialize};

/// Every placeholder a template may use, with what it stands for.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("requesting_org", "请求单位"),
    ("purpose", "事由"),
    ("reference", "请求编号"),
    ("count", "人数"),
    ("first_name", "名单中第一人的姓名"),
    ("reply_date", "回复日期"),
    ("commission", "本委名称（组织机构中的纪委监委）"),
];

/// The texts around the table of persons. `title_font` and `body_font` name the fonts a DOCX
/// asks the reader's word processor for; the PDF carries its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReplyTemplate {
    pub title: String,
    pub addressee: String,
    pub opening: String,
    pub closing: String,
    pub issuer: String,
    pub title_font: String,
    pub body_font: String,
}

impl Default for ReplyTemplate {
    fn default() -> Self {
        ReplyTemplate {
            title: "关于{first_name}等{count}名同志党风廉政意见的回复".into(),
            addressee: "{requesting_org}：".into(),
            opening: "你单位因{purpose}征求党风廉政意见的函（{reference}）收悉。经查阅信访举报、\
                      案件查办和纪律处分等有关资料，现将{first_name}等{count}名同志的党风廉政情况回复如下："
                .into(),
            closing: "以上意见仅依据本委现有资料作出，仅供组织人事部门参考，请注意保密。\n特此回复。"
                .into(),
            issuer: "{commission}".into(),
            title_font: "黑体".into(),
            body_font: "仿宋".into(),
        }
    }
}

/// Why a template was refused, in words for the person editing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}：{problem}")]
pub struct TemplateError {
    pub field: &'static str,
    pub problem: String,
}

impl ReplyTemplate {
    fn fields(&self) -> [(&'static str, &String, usize); 7] {
        [
            ("标题", &self.title, 100),
            ("主送", &self.addressee, 100),
            ("正文开头", &self.opening, 2000),
            ("结尾", &self.closing, 2000),
            ("落款", &self.issuer, 200),
            ("标题字体", &self.title_font, 50),
            ("正文字体", &self.body_font, 50),
        ]
    }

    /// Refuses an empty or over-long text, a stray brace, or an unknown placeholder; fonts take
    /// no placeholders.
    pub fn check(&self) -> Result<(), TemplateError> {
        for (field, text, max) in self.fields() {
            let fail = |problem: String| Err(TemplateError { field, problem });
            let n = text.trim().chars().count();
            if n == 0 || n > max {
                return fail(format!("须为 1 到 {max} 字"));
            }
            let names = placeholders(text).map_err(|problem| TemplateError { field, problem })?;
            if field.ends_with("字体") && !names.is_empty() {
                return fail("字体名称中不能有占位符".into());
            }
            if let Some(bad) = names
                .iter()
                .find(|n| !PLACEHOLDERS.iter().any(|(p, _)| p == *n))
            {
                return fail(format!("未知占位符 {{{bad}}}"));
            }
        }
        Ok(())
    }
}

/// The placeholder names in `text`, or why its braces do not pair.
fn placeholders(text: &str) -> Result<Vec<&str>, String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err("有多余的“}”".into());
        }
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or("“{”没有配对的“}”")?;
        let name = &after[..close];
        if name.contains('{') {
            return Err("“{”没有配对的“}”".into());
        }
        names.push(name);
        rest = &after[close + 1..];
    }
    Ok(names)
}

/// `text` with each `{name}` replaced by its value; a checked template has no others.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_template_passes_its_own_check() {
        ReplyTemplate::default().check().unwrap();
    }

    #[test]
    fn unknown_placeholders_and_stray_braces_are_refused_with_the_field() {
        let mut t = ReplyTemplate {
            title: "关于{name}的回复".into(),
            ..Default::default()
        };
        assert_eq!(
            t.check().unwrap_err().to_string(),
            "标题：未知占位符 {name}"
        );
        t.title = "关于{count的回复".into();
        assert_eq!(t.check().unwrap_err().field, "标题");
        t.title = "关于}的回复".into();
        assert!(t.check().unwrap_err().problem.contains('}'));
        t = ReplyTemplate::default();
        t.body_font = "{purpose}".into();
        assert_eq!(t.check().unwrap_err().field, "正文字体");
        t = ReplyTemplate::default();
        t.closing = "  ".into();
        assert_eq!(
            t.check().unwrap_err().to_string(),
            "结尾：须为 1 到 2000 字"
        );
    }

    #[test]
    fn fill_replaces_every_known_placeholder_and_keeps_the_rest() {
        let v = [("count", "3"), ("first_name", "张三")];
        assert_eq!(
            fill("关于{first_name}等{count}名同志{x}", &v),
            "关于张三等3名同志{x}"
        );
        assert_eq!(fill("无占位符 {", &v), "无占位符 {");
    }
}
