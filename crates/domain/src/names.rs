//! Chinese names as people write them, brought to one form for search: full-width forms to
//! half-width, spaces dropped, the middle dots of minority names unified, traditional
//! characters to simplified. Pinyin is a *candidate* key for homophones (a clerk's 张三丰 for
//! 章三峰), never identity: a pinyin match is shown as such, below exact matches.

use pinyin::ToPinyin;

/// Characters used for the dot between the parts of a minority name.
const DOTS: &[char] = &['·', '•', '・', '‧', '･', '.', '．', '﹒', '∙', '⋅'];

/// The name's search key: NFKC's width folding for the ASCII block, whitespace removed, one
/// middle dot, simplified characters, ASCII lower case.
pub fn name_key(name: &str) -> String {
    let folded: String = name
        .chars()
        .filter_map(|c| {
            let c = match c as u32 {
                0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                _ => c,
            };
            if c.is_whitespace() {
                None
            } else if DOTS.contains(&c) {
                Some('·')
            } else {
                Some(c.to_ascii_lowercase())
            }
        })
        .collect();
    fast2s::convert(&folded)
}

/// Readings of common surnames that differ from the character's usual reading.
const SURNAMES: &[(char, &str)] = &[
    ('单', "shan"),
    ('解', "xie"),
    ('曾', "zeng"),
    ('仇', "qiu"),
    ('区', "ou"),
    ('朴', "piao"),
    ('查', "zha"),
    ('盖', "ge"),
    ('乐', "yue"),
    ('万', "wan"),
    ('尉', "yu"),
    ('覃', "qin"),
    ('缪', "miao"),
    ('秘', "bi"),
    ('种', "chong"),
    ('繁', "po"),
    ('员', "yun"),
    ('长', "zhang"),
    ('重', "chong"),
    ('翟', "zhai"),
    ('燕', "yan"),
    ('纪', "ji"),
];

/// The toneless pinyin of a name key, syllables joined ("zhangsan"); characters without a
/// reading (letters, the dot) are kept as they are. The first character is read as a surname.
pub fn pinyin_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() * 2);
    for (i, (c, p)) in key.chars().zip(key.to_pinyin()).enumerate() {
        match (i, SURNAMES.iter().find(|(s, _)| *s == c), p) {
            (0, Some((_, reading)), _) => out.push_str(reading),
            (_, _, Some(p)) => out.push_str(p.plain()),
            (_, _, None) if c != '·' => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_full_width_and_spaced_forms_share_one_key() {
        for (a, b) in [
            ("張 三", "张三"),
            ("陳曉東", "陈晓东"),
            ("劉德華", "刘德华"),
            ("ＡＢＣ張", "abc张"),
            ("买买提·艾力", "买买提•艾力"),
            ("买买提．艾力", "买买提·艾力"),
            ("　王　芳　", "王芳"),
        ] {
            assert_eq!(name_key(a), name_key(b), "{a} ~ {b}");
        }
        assert_ne!(name_key("张三"), name_key("张山"));
    }

    #[test]
    fn homophones_share_a_pinyin_key_and_surnames_read_as_surnames() {
        assert_eq!(
            pinyin_key(&name_key("张三丰")),
            pinyin_key(&name_key("章三峰"))
        );
        assert_eq!(pinyin_key("张三"), "zhangsan");
        assert_eq!(pinyin_key("单田芳"), "shantianfang");
        assert_eq!(pinyin_key("曾国藩"), "zengguofan");
        assert_eq!(pinyin_key("买买提·艾力"), "maimaitiaili");
        assert_ne!(pinyin_key("王芳"), pinyin_key("汪峰"));
    }
}
